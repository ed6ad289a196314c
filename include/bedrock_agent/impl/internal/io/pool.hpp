#ifndef BEDROCK_AGENT_IMPL_INTERNAL_IO_POOL_HPP
#define BEDROCK_AGENT_IMPL_INTERNAL_IO_POOL_HPP

// The connection pool of one endpoint, and the admission of calls: at most max_connections calls
// run at once (each holds at most one connection: idle, in use, or being opened), and a call
// starts only if it will find an idle connection or may open one (at most max_opening being
// opened at once). The others wait in a FIFO queue of nodes until a call ends, a connection comes
// back or an opening finishes, or their deadline passes. One timer (the deadline watch) serves the
// deadlines of connections in use and of queued calls. Everything here runs on the client's
// executor.

#include <bedrock_agent/client.hpp>
#include <bedrock_agent/pool_params.hpp>
#include <bedrock_agent/impl/internal/io/queued_call.hpp>
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
    struct lease {
        boost::system::error_code ec;
        std::unique_ptr<connection> conn;
    };

    pool(const asio::any_io_executor& ex, const pool_params& params) : ex_(ex), params_(params) {}
    pool(const pool&) = delete;
    pool& operator=(const pool&) = delete;
    ~pool()
    {
        // Calls still queued when the client goes (its io_context stopped first): their handlers
        // are destroyed, never invoked.
        while (auto* c = pop_queued()) delete c;
    }

    // --- Admission: at most max_connections calls run at once, and a call starts only when it
    // will find a connection (idle, or one it may open); the others queue, FIFO. ---

    /// A new call may run now (it is counted as running and starting): nobody is queued before
    /// it, and there is room.
    bool admit() noexcept
    {
        if (q_head_ || !room()) return false;
        ++running_;
        ++starting_;
        return true;
    }
    std::size_t waiting() const noexcept { return queued_; }
    /// max_connections calls run (else what holds the queue is max_opening).
    bool full() const noexcept { return running_ >= std::max<std::size_t>(1, params_.max_connections); }
    void enqueue(queued_call* c)
    {
        c->prev = q_tail_;
        c->next = nullptr;
        (q_tail_ ? q_tail_->next : q_head_) = c;
        q_tail_ = c;
        ++queued_;
        watch(c->deadline);
    }
    void unlink(queued_call* c) noexcept
    {
        (c->prev ? c->prev->next : q_head_) = c->next;
        (c->next ? c->next->prev : q_tail_) = c->prev;
        c->prev = c->next = nullptr;
        --queued_;
    }
    /// The queued call with this id, if it is still queued (a linear scan: cancellations only).
    queued_call* find_queued(std::uint32_t id) noexcept
    {
        for (queued_call* c = q_head_; c; c = c->next)
            if (c->id == id) return c;
        return nullptr;
    }
    queued_call* pop_queued() noexcept
    {
        queued_call* c = q_head_;
        if (c) unlink(c);
        return c;
    }
    /// A running call ended (`starting`: before its first acquire()).
    void call_done(bool starting) noexcept
    {
        --running_;
        if (starting) --starting_;
    }
    /// The next queued call that may run now (already admitted), if any. Asked after each event
    /// that can make room: a call ended, a connection came back, an opening finished.
    queued_call* next_to_run() noexcept
    {
        if (closed_ || !q_head_ || !room()) return nullptr;
        ++running_;
        ++starting_;
        return pop_queued();
    }
    /// Called with each queued call whose deadline passed (unlinked first).
    void (*on_queue_timeout)(queued_call*, void*) = nullptr;
    void* on_queue_timeout_arg = nullptr;

    /// A connection for a running call: an idle one, or a permit to open one (conn == nullptr,
    /// no error), which the caller must give back with release() whatever happens. Admission
    /// keeps running calls <= max_connections and a call holds at most one connection, so a
    /// running call always finds one or the other: calls wait in the admission queue, not here.
    /// `starting` (the call's first acquire) is cleared. (A retry's acquire may open beyond
    /// max_opening: the limit is on admission.)
    lease acquire(clock_type::time_point now, bool& starting)
    {
        if (starting) {
            starting = false;
            --starting_;
        }
        lease l;
        if (closed_) l.ec = asio::error::operation_aborted;
        else if (auto c = take_idle(now)) l.conn = std::move(c);
        else ++open_;  // a permit: the caller opens the connection
        return l;
    }

    /// An opening (TCP connect, then the TLS handshake) starts, and ends (either way).
    void opening_started() noexcept { ++opening_; }
    void opening_ended() noexcept { --opening_; }

    /// Gives a connection (or a permit) back. A connection comes back only if it is fit for
    /// reuse; otherwise pass nullptr and it is counted as closed.
    void release(std::unique_ptr<connection> conn, bool reusable)
    {
        if (conn && reusable && !closed_) {
            conn->reused = true;
            conn->idle_since = clock_type::now();
            idle_.push_back(std::move(conn));
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
        if (in_use_.empty() && !q_head_ && watch_at_ != clock_type::time_point::max() && !idle_check_posted_) {
            // Nothing left to watch: a pending wait would keep the io_context's run() going. The
            // check runs after the handlers ready now, so a caller that starts its next call
            // from its completion handler keeps the timer armed (no timerfd update per call).
            idle_check_posted_ = true;
            asio::post(ex_, [this, alive = std::weak_ptr<int>(alive_)] {
                if (alive.expired()) return;
                idle_check_posted_ = false;
                if (in_use_.empty() && !q_head_ && watch_at_ != clock_type::time_point::max()) {
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
        for (auto& c : idle_) c->close(/*clean=*/true);
        open_ -= idle_.size();
        idle_.clear();
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
        s.opening = opening_;
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
    /// Room for one more call: fewer than max_connections run, and the calls admitted but not yet
    /// at their first acquire() (starting_) will each find an idle connection or may open one.
    bool room() const noexcept
    {
        if (full()) return false;
        if (params_.max_opening == 0) return true;
        std::size_t may_open = params_.max_opening > opening_ ? params_.max_opening - opening_ : 0;
        return idle_.size() + may_open > starting_;
    }

    std::unique_ptr<connection> take_idle(clock_type::time_point now)
    {
        // Most recently used first: it is the least likely to have been closed by the server.
        while (!idle_.empty()) {
            auto c = std::move(idle_.back());
            idle_.pop_back();
            if ((params_.idle_timeout.count() == 0 || now - c->idle_since < params_.idle_timeout) &&
                !c->spoke_while_idle())
                return c;
            c->close(/*clean=*/true);
            --open_;
            ++closed_while_idle;
        }
        return nullptr;
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
        while (q_head_ && q_head_->deadline <= now) {
            queued_call* c = pop_queued();
            if (on_queue_timeout) on_queue_timeout(c, on_queue_timeout_arg);
        }
        if (q_head_) next = std::min(next, q_head_->deadline);
        if (next != clock_type::time_point::max()) watch(next);
    }

    asio::any_io_executor ex_;
    const pool_params& params_;
    asio::steady_timer watch_timer_{ex_};
    clock_type::time_point watch_at_ = clock_type::time_point::max();
    bool idle_check_posted_ = false;
    std::shared_ptr<int> alive_ = std::make_shared<int>(0);
    std::deque<std::unique_ptr<connection>> idle_;
    std::vector<connection*> in_use_;
    std::size_t open_ = 0;
    bool closed_ = false;
    std::size_t running_ = 0, starting_ = 0, opening_ = 0, queued_ = 0;
    queued_call* q_head_ = nullptr;
    queued_call* q_tail_ = nullptr;
};

}  // namespace bedrock_agent::detail

#endif
