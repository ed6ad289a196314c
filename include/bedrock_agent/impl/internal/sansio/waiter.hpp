#ifndef BEDROCK_AGENT_IMPL_INTERNAL_SANSIO_WAITER_HPP
#define BEDROCK_AGENT_IMPL_INTERNAL_SANSIO_WAITER_HPP

// The waiters' decisions, without I/O or clocks (tests/unit/waiter.cpp):
//   - the delay before each poll, from the Smithy waiter specification ("Waiter retries",
//     smithy.io/2.0/additional-specs/waiters.html): attemptCeiling = log2(maxDelay / minDelay) + 1;
//     the bound is maxDelay past it, else minDelay x 2^(attempt - 1); the delay is drawn
//     uniformly from [minDelay, bound]. When what would remain after it is minDelay or less, the
//     delay is the remaining time, so the last poll comes at maxWait, not before and never after
//     (smithy-rs aws-smithy-runtime client/waiters/backoff.rs does the same, and says why it
//     departs from the specification's "remainingTime - minDelay"); none remains: stop;
//   - what a job's status means to each waiter (its acceptors).

#include <bedrock_agent/stop_ingestion_job.hpp>
#include <bedrock_agent/waiter_params.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <optional>

namespace bedrock_agent::sansio {

/// The delay before poll `attempt` + 1 (`attempt` polls made, 1-based), `elapsed` after the
/// waiter began; nullopt when max_wait has been reached. `pick(lo, hi)` draws a duration in
/// [lo, hi] (uniformly, in the I/O layer; tests pass their own).
template <class Pick>
std::optional<std::chrono::milliseconds> waiter_delay(const waiter_params& p, unsigned attempt,
                                                      std::chrono::milliseconds elapsed, Pick&& pick)
{
    using std::chrono::milliseconds;
    const milliseconds min_delay = std::max(p.min_delay, milliseconds(1));
    const milliseconds max_delay = std::max(p.max_delay, min_delay);
    if (elapsed >= p.max_wait) return std::nullopt;
    const milliseconds remaining = p.max_wait - elapsed;
    const double ceiling =
        std::log2(static_cast<double>(max_delay.count()) / static_cast<double>(min_delay.count())) + 1.0;
    milliseconds bound = max_delay;
    if (attempt <= static_cast<unsigned>(ceiling)) {
        const int shift = static_cast<int>(std::min(attempt == 0 ? 0u : attempt - 1, 62u));
        const double grown = static_cast<double>(min_delay.count()) * std::ldexp(1.0, shift);
        if (grown < static_cast<double>(max_delay.count())) bound = milliseconds(static_cast<long long>(grown));
    }
    milliseconds delay = std::clamp(milliseconds(pick(min_delay, bound)), min_delay, bound);
    if (remaining <= delay || remaining - delay <= min_delay) delay = remaining;
    return delay;
}

enum class waiter_verdict { success, retry, failure };

/// stop_ingestion_job_and_wait: the job is not running any more. STOPPED is what was asked;
/// COMPLETE and FAILED also mean it does not run (the status says which); the others keep polling.
inline waiter_verdict stopped_acceptor(ingestion_job_status s) noexcept
{
    switch (s) {
    case ingestion_job_status::stopped:
    case ingestion_job_status::complete:
    case ingestion_job_status::failed: return waiter_verdict::success;
    case ingestion_job_status::starting:
    case ingestion_job_status::in_progress:
    case ingestion_job_status::stopping: return waiter_verdict::retry;
    case ingestion_job_status::unknown: break;
    }
    return waiter_verdict::retry;  // a status this library does not know yet: keep polling until max_wait
}

/// wait_until_ingestion_job_finished: COMPLETE, FAILED or STOPPED.
inline waiter_verdict finished_acceptor(ingestion_job_status s) noexcept { return stopped_acceptor(s); }

}  // namespace bedrock_agent::sansio

#endif
