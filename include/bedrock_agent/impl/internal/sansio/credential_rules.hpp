#ifndef BEDROCK_AGENT_IMPL_INTERNAL_SANSIO_CREDENTIAL_RULES_HPP
#define BEDROCK_AGENT_IMPL_INTERNAL_SANSIO_CREDENTIAL_RULES_HPP

// The credential providers' decisions, without I/O or clocks (tests/unit/config.cpp steps them):
//   - how fresh cached credentials are at a given time (botocore credentials.py,
//     RefreshableCredentials: an advisory refresh window before expiry, in which callers keep
//     the current credentials while one refresh runs in the background, and a mandatory one at
//     expiry), and the window's jitter;
//   - what the IMDSv2 token request's outcome means (botocore utils.py,
//     InstanceMetadataFetcher._fetch_metadata_token: a 400 is refused; 403, 404 and 405, and a
//     timeout, mean IMDSv1 may be tried unless it is disabled; any other failure means there is
//     no metadata service).

#include <boost/system/error_code.hpp>

#include <chrono>
#include <optional>

namespace bedrock_agent::sansio {

using sys_time = std::chrono::system_clock::time_point;

enum class freshness {
    fresh,    ///< use them
    refresh,  ///< use them, and start a refresh (in the window before expiry)
    expired,  ///< do not use them: wait for a fetch
};

/// Credentials without an expiration are always fresh.
inline freshness freshness_at(const std::optional<sys_time>& expiration, sys_time now, std::chrono::seconds window) noexcept
{
    if (!expiration) return freshness::fresh;
    if (now >= *expiration) return freshness::expired;
    return now >= *expiration - window ? freshness::refresh : freshness::fresh;
}

/// The refresh window of one set of credentials: 5 minutes, plus up to a minute of jitter so
/// that clients started together do not refresh together. `jitter_seconds` in [0, 60].
inline std::chrono::seconds refresh_window(int jitter_seconds) noexcept
{
    return std::chrono::minutes(5) + std::chrono::seconds(jitter_seconds < 0 ? 0 : jitter_seconds > 60 ? 60 : jitter_seconds);
}

enum class imds_token_verdict {
    use_token,   ///< IMDSv2: send the token with the next requests
    refused,     ///< HTTP 400: the service refused the token request; fail
    no_service,  ///< no metadata service answered (not a timeout); fail
    v1_disabled, ///< IMDSv1 would be next, but it is disabled; fail
    try_v1,      ///< no token (403/404/405, or a timeout): go on without one
};

/// `ec`: the token request's transport error (errc::timeout for its deadline), `status` its
/// HTTP status when it was answered.
inline imds_token_verdict imds_token_outcome(const boost::system::error_code& ec, bool timed_out, unsigned status,
                                             bool v1_disabled) noexcept
{
    if (!ec && status == 200) return imds_token_verdict::use_token;
    if (!ec && status == 400) return imds_token_verdict::refused;
    if (ec && !timed_out) return imds_token_verdict::no_service;
    return v1_disabled ? imds_token_verdict::v1_disabled : imds_token_verdict::try_v1;
}

}  // namespace bedrock_agent::sansio

#endif
