#ifndef BEDROCK_AGENT_IMPL_INTERNAL_IO_CALL_BLOCK_HPP
#define BEDROCK_AGENT_IMPL_INTERNAL_IO_CALL_BLOCK_HPP

// A call's own memory, from the moment it is made to its completion: its completion handler
// (until the call runs), its operation and diagnostics, its times, its links in the admission
// queue, and, in the operation's derived block (operation.hpp, call_block_of), the copy of its
// request. A call that waits for room costs this one block and its type-erased handler; no
// coroutine exists for it yet.

#include <bedrock_agent/detail/call_initiation.hpp>
#include <bedrock_agent/impl/internal/io/connection.hpp>

#include <cstdint>
#include <memory>

namespace bedrock_agent::detail {

struct operation;

struct call_block {
    // (Constructed, never assigned: Boost 1.81's any_completion_handler move assignment wraps the
    // handler in itself and recurses.)
    call_block(call_handler h, const operation* o, diagnostics* d) noexcept : handler(std::move(h)), op(o), diag(d) {}
    call_block(const call_block&) = delete;
    call_block& operator=(const call_block&) = delete;

    call_handler handler;  ///< moved out when the call runs or fails
    const operation* op;
    diagnostics* diag;
    clock_type::time_point submitted{};  ///< when a queued call was made (its wait counts against its timeouts)
    clock_type::time_point deadline{};   ///< to start by (the attempt or the operation timeout)
    call_block* prev = nullptr;
    call_block* next = nullptr;
    /// Names the call to a cancellation that arrives through the executor (32 bits: two queued
    /// calls could share one only after 2^32 queueings with the first still waiting).
    std::uint32_t id = 0;
    /// Set by the cancellation handler when the signal is emitted: a call started before the
    /// posted cancel runs sees it, and ends instead of running.
    bool cancelled = false;

protected:
    ~call_block() = default;  // destroyed through its operation (call_block_deleter)
};

/// Destroys a block through its operation, which knows its type.
struct call_block_deleter {
    void operator()(call_block* b) const noexcept;
};
using call_ptr = std::unique_ptr<call_block, call_block_deleter>;

}  // namespace bedrock_agent::detail

#endif
