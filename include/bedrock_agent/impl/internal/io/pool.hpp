#ifndef BEDROCK_AGENT_IMPL_INTERNAL_IO_POOL_HPP
#define BEDROCK_AGENT_IMPL_INTERNAL_IO_POOL_HPP

// The connection pool of one endpoint, and the admission of calls. The bookkeeping (who may run,
// who waits until when, which idle connection is fit) is sans-io (sansio/admission.hpp); this
// layer owns the connections and the one timer (the deadline watch) that serves the deadlines
// of connections in use and of queued calls. Everything here runs on the client's executor.

#include <bedrock_agent/client.hpp>
#include <bedrock_agent/pool_params.hpp>
#include <bedrock_agent/impl/internal/operation.hpp>
#include <bedrock_agent/impl/internal/sansio/admission.hpp>
#include <bedrock_agent/impl/internal/io/connection.hpp>

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include <deque>
#include <memory>

namespace bedrock_agent::detail {

class pool {
public:
    /// What acquire() gives: a connection to use, or (conn == nullptr, no error) a permit to open
    /// a new one, which the caller must give back with release() whatever happens.
    struct acquired {
        boost::system::error_code ec;
        std::unique_ptr<connection> conn;
    };

    pool(const asio::any_io_executor& ex, const pool_params& params) : ex_(ex), admission_(params), idle_(params) {}
    pool(const pool&) = delete;
    pool& operator=(const pool&) = delete;
    ~pool()
    {
        // Calls still queued when the client goes (its io_context stopped first): their handlers
        // are destroyed, never invoked.
        while (auto* c = admission_.pop_front()) call_block_deleter{}(c);
    }

    // --- Admission (sansio::admission) ---

    /// A new call may run now (it is counted as running and starting).
    bool admit() noexcept { return admission_.admit(idle_.size()); }
    std::size_t waiting() const noexcept { return admission_.waiting(); }
    /// max_connections calls run (else what holds the queue is max_opening).
    bool at_call_limit() const noexcept { return admission_.at_call_limit(); }
    void enqueue(call_block* c)
    {
        admission_.enqueue(c);
        watch(c->deadline);
    }
    void unlink(call_block* c) noexcept { admission_.unlink(c); }
    call_block* find_queued(std::uint32_t id) noexcept { return admission_.find(id); }
    call_block* pop_queued() noexcept { return admission_.pop_front(); }
    /// A running call ended (`starting`: before its first acquire()).
    void call_done(bool starting) noexcept { admission_.call_done(starting); }
    /// The next queued call that may run now (already admitted), if any. Asked after each event
    /// that can make room: a call ended, a connection came back, an opening finished.
    call_block* next_to_run() noexcept { return closed_ ? nullptr : admission_.next_to_run(idle_.size()); }
    /// Called with each queued call whose deadline passed (unlinked first).
    void (*on_queue_timeout)(call_block*, void*) = nullptr;
    void* on_queue_timeout_arg = nullptr;

    /// A connection for a running call: an idle one, or a permit to open one (conn == nullptr,
    /// no error), which the caller must give back with release() whatever happens. Admission
    /// keeps running calls <= max_connections and a call holds at most one connection, so a
    /// running call always finds one or the other: calls wait in the admission queue, not here.
    /// `starting` (the call's first acquire) is cleared. (A retry's acquire may open beyond
    /// max_opening: the limit is on admission.)
    acquired acquire(clock_type::time_point now, bool& starting)
    {
        admission_.first_acquire(starting);
        acquired a;
        if (closed_) a.ec = asio::error::operation_aborted;
        else if (auto c = take_idle(now)) a.conn = std::move(c);
        else ++open_;  // a permit: the caller opens the connection
        return a;
    }

    /// An opening (TCP connect, then the TLS handshake) starts, and ends (either way).
    void opening_started() noexcept { admission_.opening_started(); }
    void opening_ended() noexcept { admission_.opening_ended(); }

    /// Gives a connection (or a permit) back. A connection comes back only if it is fit for
    /// reuse; otherwise pass nullptr and it is counted as closed.
    void release(std::unique_ptr<connection> conn, bool reusable)
    {
        if (conn && reusable && !closed_) {
            conn->reused = true;
            idle_.put(std::move(conn), clock_type::now());
            return;
        }
        if (conn) conn->close();
        --open_;
    }

    /// Connections in use register here, so that shutdown() can close them and the deadline
    /// watch can time them out (set_deadline). O(1) both ways.
    void track(connection* c)
    {
        c->timed_out = false;
        c->watch_index = in_use_.size();
        in_use_.push_back(c);
        watch(c->deadline);
    }
    void untrack(connection* c)
    {
        auto i = c->watch_index;
        in_use_[i] = in_use_.back();
        in_use_[i]->watch_index = i;
        in_use_.pop_back();
        if (in_use_.empty() && !admission_.front() && watch_at_ != clock_type::time_point::max() &&
            !idle_check_posted_) {
            // Nothing left to watch: a pending wait would keep the io_context's run() going. The
            // check runs after the handlers ready now, so a caller that starts its next call
            // from its completion handler keeps the timer armed (no timerfd update per call).
            idle_check_posted_ = true;
            asio::post(ex_, [this, alive = std::weak_ptr<int>(alive_)] {
                if (alive.expired()) return;
                idle_check_posted_ = false;
                if (in_use_.empty() && !admission_.front() && watch_at_ != clock_type::time_point::max()) {
                    watch_at_ = clock_type::time_point::max();
                    watch_timer_.cancel();
                }
            });
        }
    }
    /// The deadline of the step a tracked connection is in; when it passes, the connection is
    /// closed and its timed_out flag set.
    void set_deadline(connection* c, clock_type::time_point d)
    {
        c->deadline = d;
        watch(d);
    }

    /// Closes everything: idle connections, connections in use (their calls fail with
    /// operation_aborted); the client fails the queued calls.
    void shutdown()
    {
        closed_ = true;
        open_ -= idle_.size();
        idle_.clear([](std::unique_ptr<connection> c) { c->close(/*clean=*/true); });
        for (auto* c : in_use_) c->close();
        // Disarmed, and marked so: a step that still registers a deadline (a call finishing a
        // name lookup) arms the watch again instead of finding it "already set".
        watch_at_ = clock_type::time_point::max();
        watch_timer_.cancel();
    }

    bool closed() const noexcept { return closed_; }

    pool_stats stats() const
    {
        pool_stats s;
        s.open = open_;
        s.idle = idle_.size();
        s.in_use = open_ - idle_.size();
        s.waiting = waiting();
        s.opening = admission_.opening();
        s.connections_opened = connections_opened;
        s.tls_handshakes = tls_handshakes;
        s.tls_sessions_resumed = tls_sessions_resumed;
        s.replays = replays;
        s.requests_sent = requests_sent;
        s.name_lookups = name_lookups;
        s.closed_while_idle = closed_while_idle;
        return s;
    }

    /// The last resumable TLS session, offered on new connections.
    ssl_session_ptr tls_session;
    std::uint64_t connections_opened = 0, tls_handshakes = 0, tls_sessions_resumed = 0, replays = 0, requests_sent = 0,
                  name_lookups = 0, closed_while_idle = 0;

private:
    std::unique_ptr<connection> take_idle(clock_type::time_point now)
    {
        // Fit: not idle too long (the set's rule) and the peer said nothing while it sat idle.
        return idle_.take(
            now, [](connection& c) { return !c.spoke_while_idle(); },
            [this](std::unique_ptr<connection> c) {
                c->close(/*clean=*/true);
                --open_;
                ++closed_while_idle;
            });
    }

    // The deadline watch: one timer for every connection in use, set to the earliest deadline
    // among them when that is earlier than the one it is set to. Steps of one call add no
    // timer operation of their own.
    void watch(clock_type::time_point d)
    {
        if (d >= watch_at_) return;
        watch_at_ = d;
        watch_timer_.expires_at(d);  // a wait already pending completes with operation_aborted
        watch_timer_.async_wait([this, alive = std::weak_ptr<int>(alive_)](boost::system::error_code ec) {
            if (!ec && !alive.expired()) on_watch();
        });
    }
    void on_watch()
    {
        watch_at_ = clock_type::time_point::max();
        auto now = clock_type::now();
        auto next = clock_type::time_point::max();
        for (auto* c : in_use_) {
            if (c->deadline <= now) {
                if (!c->timed_out) {
                    c->timed_out = true;
                    c->close();
                }
            } else {
                next = std::min(next, c->deadline);
            }
        }
        while (call_block* c = admission_.pop_expired(now))
            if (on_queue_timeout) on_queue_timeout(c, on_queue_timeout_arg);
        if (const auto* head = admission_.front()) next = std::min(next, head->deadline);
        if (next != clock_type::time_point::max()) watch(next);
    }

    asio::any_io_executor ex_;
    asio::steady_timer watch_timer_{ex_};
    clock_type::time_point watch_at_ = clock_type::time_point::max();
    bool idle_check_posted_ = false;
    std::shared_ptr<int> alive_ = std::make_shared<int>(0);
    sansio::admission<call_block> admission_;
    sansio::idle_set<connection> idle_;
    std::vector<connection*> in_use_;
    std::size_t open_ = 0;
    bool closed_ = false;
};

}  // namespace bedrock_agent::detail

#endif
