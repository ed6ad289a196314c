#ifndef BEDROCK_AGENT_IMPL_ENDPOINT_RESOLVER_IPP
#define BEDROCK_AGENT_IMPL_ENDPOINT_RESOLVER_IPP

#include <bedrock_agent/endpoint_resolver.hpp>

#include <array>
#include <initializer_list>

namespace bedrock_agent {
namespace detail {

struct partition_entry {
    partition p;
    /// regionRegex, which in partitions.json is always ^(P1|P2|...)\-\w+\-\d+$: the region
    /// names that start with one of these prefixes (each with its dash) and go on as
    /// region_rest_matches() says.
    std::initializer_list<std::string_view> region_prefixes;
    std::initializer_list<std::string_view> regions;
};

/// The part of regionRegex after its prefix: \w+\-\d+$ (\w is [A-Za-z0-9_], which has no dash,
/// so the one dash splits the two runs).
constexpr bool region_rest_matches(std::string_view rest)
{
    auto dash = rest.find('-');
    if (dash == 0 || dash == std::string_view::npos || dash + 1 == rest.size()) return false;
    for (char c : rest.substr(0, dash))
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_')) return false;
    for (char c : rest.substr(dash + 1))
        if (c < '0' || c > '9') return false;
    return true;
}

// partitions.json (botocore@HEAD, shared/testdata/models/common), in file order.
inline const std::array<partition_entry, 8>& partition_table()
{
    static const std::array<partition_entry, 8> table{{
        {{"aws", "amazonaws.com", "api.aws", true, true}, {"us-", "eu-", "ap-", "sa-", "ca-", "me-", "af-", "il-", "mx-"},
         {"af-south-1", "ap-east-1", "ap-east-2", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3",
          "ap-south-1", "ap-south-2", "ap-southeast-1", "ap-southeast-2", "ap-southeast-3", "ap-southeast-4",
          "ap-southeast-5", "ap-southeast-6", "ap-southeast-7", "aws-global", "ca-central-1", "ca-west-1",
          "eu-central-1", "eu-central-2", "eu-north-1", "eu-south-1", "eu-south-2", "eu-west-1", "eu-west-2",
          "eu-west-3", "il-central-1", "me-central-1", "me-south-1", "mx-central-1", "sa-east-1", "us-east-1",
          "us-east-2", "us-west-1", "us-west-2"}},
        {{"aws-cn", "amazonaws.com.cn", "api.amazonwebservices.com.cn", true, true}, {"cn-"},
         {"aws-cn-global", "cn-north-1", "cn-northwest-1"}},
        {{"aws-eusc", "amazonaws.eu", "api.amazonwebservices.eu", true, true}, {"eusc-de-"},
         {"eusc-de-east-1"}},
        {{"aws-iso", "c2s.ic.gov", "api.aws.ic.gov", true, true}, {"us-iso-"},
         {"aws-iso-global", "us-iso-east-1", "us-iso-west-1"}},
        {{"aws-iso-b", "sc2s.sgov.gov", "api.aws.scloud", true, true}, {"us-isob-"},
         {"aws-iso-b-global", "us-isob-east-1", "us-isob-west-1"}},
        {{"aws-iso-e", "cloud.adc-e.uk", "api.cloud-aws.adc-e.uk", true, true}, {"eu-isoe-"},
         {"aws-iso-e-global", "eu-isoe-west-1"}},
        {{"aws-iso-f", "csp.hci.ic.gov", "api.aws.hci.ic.gov", true, true}, {"us-isof-"},
         {"aws-iso-f-global", "us-isof-east-1", "us-isof-south-1"}},
        {{"aws-us-gov", "amazonaws.com", "api.aws", true, true}, {"us-gov-"},
         {"aws-us-gov-global", "us-gov-east-1", "us-gov-west-1"}},
    }};
    return table;
}

}  // namespace detail

BEDROCK_AGENT_COLD BEDROCK_AGENT_DECL const partition& partition_for(std::string_view region)
{
    const auto& table = detail::partition_table();
    for (const auto& e : table)
        for (auto r : e.regions)
            if (r == region) return e.p;
    for (const auto& e : table)
        for (auto prefix : e.region_prefixes)
            if (region.starts_with(prefix) && detail::region_rest_matches(region.substr(prefix.size()))) return e.p;
    return table[0].p;
}

BEDROCK_AGENT_COLD BEDROCK_AGENT_DECL bool resolve_endpoint(const endpoint_params& p, std::string& url, std::string& error)
{
    if (p.endpoint) {
        if (p.use_fips) {
            error = "Invalid Configuration: FIPS and custom endpoint are not supported";
            return false;
        }
        if (p.use_dual_stack) {
            error = "Invalid Configuration: Dualstack and custom endpoint are not supported";
            return false;
        }
        url = *p.endpoint;
        return true;
    }
    if (!p.region) {
        error = "Invalid Configuration: Missing Region";
        return false;
    }
    const partition& part = partition_for(*p.region);
    const std::string& region = *p.region;
    if (p.use_fips && p.use_dual_stack) {
        if (!(part.supports_fips && part.supports_dual_stack)) {
            error = "FIPS and DualStack are enabled, but this partition does not support one or both";
            return false;
        }
        url = "https://bedrock-agent-fips." + region + "." + std::string(part.dual_stack_dns_suffix);
        return true;
    }
    if (p.use_fips) {
        if (!part.supports_fips) {
            error = "FIPS is enabled but this partition does not support FIPS";
            return false;
        }
        url = "https://bedrock-agent-fips." + region + "." + std::string(part.dns_suffix);
        return true;
    }
    if (p.use_dual_stack) {
        if (!part.supports_dual_stack) {
            error = "DualStack is enabled but this partition does not support DualStack";
            return false;
        }
        url = "https://bedrock-agent." + region + "." + std::string(part.dual_stack_dns_suffix);
        return true;
    }
    url = "https://bedrock-agent." + region + "." + std::string(part.dns_suffix);
    return true;
}

}  // namespace bedrock_agent

#endif
