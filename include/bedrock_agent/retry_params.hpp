#ifndef BEDROCK_AGENT_RETRY_PARAMS_HPP
#define BEDROCK_AGENT_RETRY_PARAMS_HPP

#include <chrono>
#include <optional>

namespace bedrock_agent {

enum class retry_mode {
    standard,  ///< AWS "standard" mode (botocore retries/standard.py)
    /// AWS "adaptive" mode: standard plus a client-side rate limiter. Reserved: the retry state
    /// machine has the seam for the limiter (botocore/retries/adaptive.py) but it is not built yet, and
    /// choosing it behaves as standard.
    adaptive,
};

/// Retry settings. Defaults are AWS standard mode's (botocore/retries/standard.py).
struct retry_params {
    /// Total attempts, the first one included. 1 disables retries. Empty: AWS_MAX_ATTEMPTS, the
    /// profile's max_attempts, else 3.
    std::optional<unsigned> max_attempts{};
    /// Backoff before retry n is random() * min(2^(n-1) * base_delay, max_backoff).
    std::chrono::milliseconds base_delay{1000};
    std::chrono::milliseconds max_backoff{20000};
    /// Empty: AWS_RETRY_MODE, the profile's retry_mode, else standard ("legacy" is served as
    /// standard).
    std::optional<retry_mode> mode{};
    /// The retry quota (token bucket) of the client: a retry takes retry_cost tokens
    /// (timeout_retry_cost after a timeout), a success gives back no_retry_increment, or what its
    /// own retries took. With the bucket empty, errors are not retried.
    unsigned quota_capacity = 500;
    unsigned retry_cost = 5;
    unsigned timeout_retry_cost = 10;
    unsigned no_retry_increment = 1;
};

}  // namespace bedrock_agent

#endif
