#ifndef BEDROCK_AGENT_DETAIL_CONFIG_HPP
#define BEDROCK_AGENT_DETAIL_CONFIG_HPP

// Header-only by default: every non-template function is `inline` and each header pulls in its
// .ipp. Define BEDROCK_AGENT_SEPARATE_COMPILATION (or link bedrock_agent::compiled, which does it
// for you) to compile them once, in src/bedrock_agent.cpp.
#ifdef BEDROCK_AGENT_SEPARATE_COMPILATION
#define BEDROCK_AGENT_DECL
#else
#define BEDROCK_AGENT_HEADER_ONLY
#define BEDROCK_AGENT_DECL inline
#endif

// Code that runs once per client or per credential fetch, never per call (construction, the
// credential chain, configuration files, debug output): GCC and Clang place it apart from the
// code each call runs (.text.unlikely) and optimise it for size.
#if defined(__GNUC__)
#define BEDROCK_AGENT_COLD [[gnu::cold]]
#else
#define BEDROCK_AGENT_COLD
#endif

#define BEDROCK_AGENT_VERSION_STRING "0.1.0"

#endif
