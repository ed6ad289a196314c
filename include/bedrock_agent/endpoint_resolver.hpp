#ifndef BEDROCK_AGENT_ENDPOINT_RESOLVER_HPP
#define BEDROCK_AGENT_ENDPOINT_RESOLVER_HPP

// Endpoint resolution for bedrock-agent with the semantics of the service's endpoint rule set
// (endpoint-rule-set-1.json) and the partitions of partitions.json. Sans-io.

#include <bedrock_agent/detail/config.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace bedrock_agent {

/// The rule set's parameters (Region, UseFIPS, UseDualStack, Endpoint).
struct endpoint_params {
    std::optional<std::string> region{};
    bool use_fips = false;
    bool use_dual_stack = false;
    std::optional<std::string> endpoint{};  ///< a custom endpoint, used verbatim
};

/// One AWS partition's outputs.
struct partition {
    std::string_view id;
    std::string_view dns_suffix;
    std::string_view dual_stack_dns_suffix;
    bool supports_fips;
    bool supports_dual_stack;
};

/// aws.partition(region): the partition whose regions list names it, else the first whose
/// regionRegex matches, else "aws".
BEDROCK_AGENT_DECL const partition& partition_for(std::string_view region);

/// Applies the rule set. Returns true and sets `url`, or false and sets `error` to the rule set's
/// own message (e.g. "Invalid Configuration: Missing Region").
BEDROCK_AGENT_DECL bool resolve_endpoint(const endpoint_params& params, std::string& url, std::string& error);

}  // namespace bedrock_agent

#ifdef BEDROCK_AGENT_HEADER_ONLY
#include <bedrock_agent/impl/endpoint_resolver.ipp>
#endif

#endif
