#ifndef BEDROCK_AGENT_WAITER_PARAMS_HPP
#define BEDROCK_AGENT_WAITER_PARAMS_HPP

#include <chrono>

namespace bedrock_agent {

/// How a waiter polls (Smithy waiter semantics): the delay before poll n is drawn from
/// [min_delay, min(max_delay, min_delay x 2^(n-1))], and the waiter never sleeps past max_wait.
struct waiter_params {
    std::chrono::milliseconds min_delay{2'000};
    std::chrono::milliseconds max_delay{120'000};
    std::chrono::milliseconds max_wait{600'000};
};

}  // namespace bedrock_agent

#endif
