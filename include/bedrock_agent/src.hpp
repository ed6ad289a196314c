#ifndef BEDROCK_AGENT_SRC_HPP
#define BEDROCK_AGENT_SRC_HPP

// Include this in exactly one translation unit, with BEDROCK_AGENT_SEPARATE_COMPILATION defined,
// to compile the library's non-template code there (the bedrock_agent::compiled target does it).
#ifndef BEDROCK_AGENT_SEPARATE_COMPILATION
#error "src.hpp needs BEDROCK_AGENT_SEPARATE_COMPILATION"
#endif

#include <bedrock_agent/impl/error.ipp>
#include <bedrock_agent/impl/protocol.ipp>
#include <bedrock_agent/impl/sigv4.ipp>
#include <bedrock_agent/impl/client.ipp>
#include <bedrock_agent/impl/endpoint_resolver.ipp>
#include <bedrock_agent/impl/shared_config.ipp>

#endif
