#ifndef BEDROCK_AGENT_IMPL_INTERNAL_IO_QUEUED_CALL_HPP
#define BEDROCK_AGENT_IMPL_INTERNAL_IO_QUEUED_CALL_HPP

// A call that waits, before any coroutine of its own exists, until the client may run it (at
// most pool_params::max_connections calls run at once; the others queue, FIFO). A queued call
// costs this node: its completion handler, pointers to its operation, data and diagnostics, its
// times and its links.

#include <bedrock_agent/detail/call_initiation.hpp>
#include <bedrock_agent/impl/internal/io/connection.hpp>
#include <bedrock_agent/impl/internal/operation.hpp>

#include <cstdint>

namespace bedrock_agent::detail {

struct queued_call {
    // (Constructed, never assigned: Boost 1.81's any_completion_handler move assignment wraps the
    // handler in itself and recurses.)
    queued_call(call_handler h, const operation* o, void* d, diagnostics* dg) noexcept
        : handler(std::move(h)), op(o), data(d), diag(dg)
    {
    }

    call_handler handler;
    const operation* op = nullptr;
    void* data = nullptr;
    diagnostics* diag = nullptr;
    clock_type::time_point submitted;  ///< when the call was made (its wait counts against its timeouts)
    clock_type::time_point deadline;   ///< to start by (the attempt or the operation timeout)
    queued_call* prev = nullptr;
    queued_call* next = nullptr;
    /// Names the call to a cancellation that arrives through the executor (32 bits: two queued
    /// calls could share one only after 2^32 queueings with the first still waiting).
    std::uint32_t id = 0;
    /// Set by the cancellation handler when the signal is emitted: a call started before the
    /// posted cancel runs sees it, and ends instead of running. (Beside id: the node keeps its size.)
    bool cancelled = false;
};

}  // namespace bedrock_agent::detail

#endif
