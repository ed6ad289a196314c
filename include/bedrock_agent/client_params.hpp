#ifndef BEDROCK_AGENT_CLIENT_PARAMS_HPP
#define BEDROCK_AGENT_CLIENT_PARAMS_HPP

#include <bedrock_agent/credentials.hpp>
#include <bedrock_agent/pool_params.hpp>
#include <bedrock_agent/retry_params.hpp>

#include <chrono>
#include <cstddef>
#include <functional>
#include <string_view>
#include <optional>
#include <string>

namespace bedrock_agent {

/// Everything a client needs. An aggregate: set what you need, the rest has these defaults.
struct client_params {
    /// The region to sign for and, without endpoint_url, to send to. Empty: AWS_REGION, then
    /// AWS_DEFAULT_REGION, then the profile's `region`.
    std::string region{};
    /// Used verbatim ("https://host[:port][/prefix]" or "http://..."). Empty:
    /// AWS_ENDPOINT_URL_BEDROCK_AGENT, AWS_ENDPOINT_URL, the config file's services section, the
    /// profile's endpoint_url, else the region's endpoint (endpoint rule set).
    std::optional<std::string> endpoint_url{};
    /// Static credentials. Empty: the default chain (environment, then the profile).
    std::optional<bedrock_agent::credentials> credentials{};
    /// The shared config profile. Empty: AWS_PROFILE, AWS_DEFAULT_PROFILE, then "default". A
    /// profile named here skips the environment's keys, as `aws --profile` does.
    std::optional<std::string> profile{};
    /// FIPS and dual-stack endpoints. Empty: AWS_USE_FIPS_ENDPOINT / AWS_USE_DUALSTACK_ENDPOINT,
    /// then the profile's use_fips_endpoint / use_dualstack_endpoint, else false.
    std::optional<bool> use_fips{};
    std::optional<bool> use_dual_stack{};
    /// PEM file of trusted CA certificates. Empty: AWS_CA_BUNDLE, the profile's ca_bundle, else
    /// the system trust store.
    std::optional<std::string> ca_file{};
    /// Verify the server's certificate and host name. Setting false is UNSAFE: anyone on the path
    /// can read and change your traffic. Only for local testing.
    bool verify_tls = true;
    pool_params pool{};
    retry_params retry{};
    /// Bound on one HTTP attempt (waiting for a connection, connecting, sending, reading the
    /// response). Zero means none.
    std::chrono::milliseconds attempt_timeout{60'000};
    /// Bound on the whole call, all attempts and backoff included. Zero means none.
    std::chrono::milliseconds operation_timeout{0};
    /// Largest accepted response header block and body; beyond them the call fails with
    /// errc::response_too_large.
    std::size_t max_response_header_bytes = 64 * 1024;
    std::size_t max_response_body_bytes = 1024 * 1024;
    /// When set, receives the head of every request sent and response received (for --debug
    /// output), with Authorization and X-Amz-Security-Token replaced by "<redacted>". Called on
    /// the client's executor.
    std::function<void(std::string_view)> debug_log{};
};

}  // namespace bedrock_agent

#endif
