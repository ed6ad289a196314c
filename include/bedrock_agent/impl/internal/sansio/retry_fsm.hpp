#ifndef BEDROCK_AGENT_IMPL_INTERNAL_SANSIO_RETRY_FSM_HPP
#define BEDROCK_AGENT_IMPL_INTERNAL_SANSIO_RETRY_FSM_HPP

// The attempt loop of AWS standard retry mode as a resume()-style state machine. It decides;
// the I/O layer acts (sends, sleeps on a timer) and reports back. Clock-free, and the random
// number for the jitter is an input, so tests can step it exactly.

#include <bedrock_agent/retry_params.hpp>
#include <bedrock_agent/impl/internal/sansio/error_classifier.hpp>

#include <boost/system/error_code.hpp>

#include <algorithm>
#include <chrono>
#include <ostream>
#include <string_view>

namespace bedrock_agent::sansio {

/// The client's retry quota (botocore RetryQuota). Shared by every call of one client.
class retry_quota {
public:
    explicit retry_quota(unsigned capacity = 500) : max_(capacity), available_(capacity) {}
    bool acquire(unsigned n) noexcept
    {
        if (n > available_) return false;
        available_ -= n;
        return true;
    }
    void release(unsigned n) noexcept { available_ = std::min(max_, available_ + n); }
    unsigned available() const noexcept { return available_; }

private:
    unsigned max_;
    unsigned available_;
};

/// How an attempt ended: no error, or the error and, for a service answer, its status and code.
struct attempt_outcome {
    boost::system::error_code ec{};
    unsigned http_status = 0;       ///< 0 when no response was received
    std::string_view aws_code{};    ///< the sanitised AWS error code, if any
    /// The answer said the signature's time was off, and the client corrected its clock offset
    /// (sansio/clock_skew.hpp): worth one immediate retry, signed with the corrected time.
    bool clock_skew_corrected = false;
};

struct retry_action {
    enum kind_t { send, sleep, done } kind;
    unsigned attempt = 0;                   ///< send: the attempt number to send (1-based)
    std::chrono::nanoseconds delay{0};      ///< sleep: how long
    boost::system::error_code ec{};         ///< done: the final result
    bool quota_exhausted = false;           ///< done: a retryable error was not retried for lack of quota
};

inline std::ostream& operator<<(std::ostream& os, const retry_action& a)
{
    switch (a.kind) {
    case retry_action::send: return os << "action{send, attempt=" << a.attempt << "}";
    case retry_action::sleep:
        return os << "action{sleep, " << std::chrono::duration_cast<std::chrono::microseconds>(a.delay).count()
                  << "us}";
    case retry_action::done: return os << "action{done, " << a.ec.message() << "}";
    }
    return os;
}

class retry_fsm {
public:
    retry_fsm(const retry_params& params, retry_quota& quota) noexcept : params_(params), quota_(quota) {}

    /// The first action: send attempt 1.
    retry_action start() noexcept
    {
        attempt_ = 1;
        return {retry_action::send, attempt_};
    }

    /// An attempt ended. `random01` is a uniform number in [0, 1) for the backoff jitter.
    retry_action resume(const attempt_outcome& o, double random01) noexcept
    {
        if (!o.ec) {
            quota_.release(last_cost_ ? last_cost_ : params_.no_retry_increment);
            return done({});
        }
        const unsigned max_attempts = std::max(1u, params_.max_attempts.value_or(3));
        if (o.clock_skew_corrected && !skew_retried_ && attempt_ < max_attempts) {
            // Once per call, at once, at no quota cost: the error was the client's clock, which
            // is now corrected, not the service's state.
            skew_retried_ = true;
            return {retry_action::send, ++attempt_};
        }
        error_class cls = o.http_status != 0 ? classify(o.http_status, o.aws_code) : classify(o.ec);
        if (cls == error_class::not_retryable || attempt_ >= max_attempts) return done(o.ec);
        unsigned cost = cls == error_class::timeout ? params_.timeout_retry_cost : params_.retry_cost;
        if (!quota_.acquire(cost)) {
            retry_action a = done(o.ec);
            a.quota_exhausted = true;
            return a;
        }
        last_cost_ = cost;
        // Seam for adaptive mode: its rate limiter would be told about the throttle here
        // (cls == error_class::throttling) and asked for a send token before the next attempt.
        using namespace std::chrono;
        const double cap = static_cast<double>(duration_cast<nanoseconds>(params_.max_backoff).count());
        double base = static_cast<double>(duration_cast<nanoseconds>(params_.base_delay).count());
        double exp = base * static_cast<double>(1ull << std::min(attempt_ - 1, 62u));
        double r = std::clamp(random01, 0.0, 1.0);
        return {retry_action::sleep, attempt_, nanoseconds(static_cast<long long>(r * std::min(exp, cap)))};
    }

    /// The backoff sleep ended: send the next attempt.
    retry_action resume_after_sleep() noexcept { return {retry_action::send, ++attempt_}; }

    /// Attempts started so far.
    unsigned attempts() const noexcept { return attempt_; }

private:
    retry_action done(boost::system::error_code ec) noexcept
    {
        retry_action a{retry_action::done, attempt_};
        a.ec = ec;
        return a;
    }

    const retry_params& params_;
    retry_quota& quota_;
    unsigned attempt_ = 0;
    unsigned last_cost_ = 0;
    bool skew_retried_ = false;
};

}  // namespace bedrock_agent::sansio

#endif
