#ifndef BEDROCK_AGENT_IMPL_INTERNAL_SANSIO_ADMISSION_HPP
#define BEDROCK_AGENT_IMPL_INTERNAL_SANSIO_ADMISSION_HPP

// The pool's bookkeeping, without I/O: which calls may run, which wait (and until when), and
// which idle connection a call gets. Time is a parameter; the pool (io/pool.hpp) owns the
// sockets and the one timer that acts on the deadlines these structures report. Tests drive
// both with a fake clock (tests/unit/admission.cpp).
//
// Admission: at most max_connections calls run at once (each holds at most one connection:
// idle, in use, or being opened), and a call starts only if it will find an idle connection or
// may open one (at most max_opening being opened at once, when that is not 0). The others wait
// in a FIFO of intrusive nodes (prev, next, deadline, id).

#include <bedrock_agent/pool_params.hpp>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>

namespace bedrock_agent::sansio {

template <class Node, class Clock = std::chrono::steady_clock>
class admission {
public:
    explicit admission(const pool_params& p) noexcept : params_(p) {}

    /// A new call may run now (counted as running and starting): nobody is queued before it,
    /// and there is room with `idle` connections idle.
    bool admit(std::size_t idle) noexcept
    {
        if (head_ || !room(idle)) return false;
        ++running_;
        ++starting_;
        return true;
    }
    /// max_connections calls run (else what holds the queue is max_opening).
    bool at_call_limit() const noexcept { return running_ >= std::max<std::size_t>(1, params_.max_connections); }
    /// A running call asks for its first connection: it no longer counts as starting.
    void first_acquire(bool& starting) noexcept
    {
        if (starting) {
            starting = false;
            --starting_;
        }
    }
    /// A running call ended (`starting`: before its first acquire).
    void call_done(bool starting) noexcept
    {
        --running_;
        if (starting) --starting_;
    }
    void opening_started() noexcept { ++opening_; }
    void opening_ended() noexcept { --opening_; }

    // --- the queue ---
    void enqueue(Node* c) noexcept
    {
        c->prev = tail_;
        c->next = nullptr;
        (tail_ ? tail_->next : head_) = c;
        tail_ = c;
        ++queued_;
    }
    void unlink(Node* c) noexcept
    {
        (c->prev ? c->prev->next : head_) = c->next;
        (c->next ? c->next->prev : tail_) = c->prev;
        c->prev = c->next = nullptr;
        --queued_;
    }
    /// The queued call with this id, if it is still queued (a linear scan: cancellations only).
    Node* find(std::uint32_t id) const noexcept
    {
        for (Node* c = head_; c; c = c->next)
            if (c->id == id) return c;
        return nullptr;
    }
    Node* pop_front() noexcept
    {
        Node* c = head_;
        if (c) unlink(c);
        return c;
    }
    /// The next queued call that may run now (counted as running and starting), if any.
    Node* next_to_run(std::size_t idle) noexcept
    {
        if (!head_ || !room(idle)) return nullptr;
        ++running_;
        ++starting_;
        return pop_front();
    }
    /// The first queued call whose deadline is at or before `now` (unlinked), if any. Deadlines
    /// grow along the queue (each is its wait's start plus the same timeouts), so only the head
    /// is looked at.
    Node* pop_expired(typename Clock::time_point now) noexcept
    {
        return head_ && head_->deadline <= now ? pop_front() : nullptr;
    }
    /// The earliest queued deadline, if anyone waits.
    const Node* front() const noexcept { return head_; }

    std::size_t waiting() const noexcept { return queued_; }
    std::size_t running() const noexcept { return running_; }
    std::size_t opening() const noexcept { return opening_; }

private:
    /// Room for one more call: fewer than max_connections run, and the calls admitted but not yet
    /// at their first acquire (starting_) will each find an idle connection or may open one.
    bool room(std::size_t idle) const noexcept
    {
        if (at_call_limit()) return false;
        if (params_.max_opening == 0) return true;
        std::size_t may_open = params_.max_opening > opening_ ? params_.max_opening - opening_ : 0;
        return idle + may_open > starting_;
    }

    const pool_params& params_;
    std::size_t running_ = 0, starting_ = 0, opening_ = 0, queued_ = 0;
    Node* head_ = nullptr;
    Node* tail_ = nullptr;
};

/// The idle connections, most recently used last. A connection is fit for reuse while it has
/// been idle less than idle_timeout (0: no limit) and `fit` says so (the pool asks whether the
/// peer spoke while it sat idle); the others are handed to `discard`.
template <class Conn, class Clock = std::chrono::steady_clock>
class idle_set {
public:
    explicit idle_set(const pool_params& p) noexcept : params_(p) {}

    void put(std::unique_ptr<Conn> c, typename Clock::time_point now)
    {
        c->idle_since = now;
        idle_.push_back(std::move(c));
    }
    /// Most recently used first: it is the least likely to have been closed by the server.
    template <class Fit, class Discard>
    std::unique_ptr<Conn> take(typename Clock::time_point now, Fit&& fit, Discard&& discard)
    {
        while (!idle_.empty()) {
            auto c = std::move(idle_.back());
            idle_.pop_back();
            if ((params_.idle_timeout.count() == 0 || now - c->idle_since < params_.idle_timeout) && fit(*c)) return c;
            discard(std::move(c));
        }
        return nullptr;
    }
    std::size_t size() const noexcept { return idle_.size(); }
    /// Empties the set, handing each connection to `f`.
    template <class F>
    void clear(F&& f)
    {
        for (auto& c : idle_) f(std::move(c));
        idle_.clear();
    }

private:
    const pool_params& params_;
    std::deque<std::unique_ptr<Conn>> idle_;
};

}  // namespace bedrock_agent::sansio

#endif
