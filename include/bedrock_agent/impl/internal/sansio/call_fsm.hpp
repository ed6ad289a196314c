#ifndef BEDROCK_AGENT_IMPL_INTERNAL_SANSIO_CALL_FSM_HPP
#define BEDROCK_AGENT_IMPL_INTERNAL_SANSIO_CALL_FSM_HPP

// One call, from its admission to its result, as a state machine. The I/O layer reports what
// happened (an event) and the time; the machine answers with the next thing to do (an action).
// Every decision of a call is made here:
//   - the deadlines: the operation's (from when the call was made, a queued call's wait
//     included) and each attempt's (the first from when the call was made, the others from
//     when they begin), and which of them a timeout is reported against;
//   - which error an attempt ended with: cancelled, timed out, a response over our limits, a
//     transport failure at a named step, or the service's answer;
//   - whether the connection goes back to the idle set, is closed, or is replaced;
//   - the replay rule: a request sent on a reused idle connection that failed before any byte
//     of a response came back is resent once on a fresh connection, without spending an attempt
//     (the server closed the idle connection as we wrote to it);
//   - retries and backoff (retry_fsm, AWS standard mode), with the randomness as an input.
// No sockets, no clocks, no allocation on a call that succeeds: tests step it with a fake clock
// (tests/unit/call_fsm.cpp).

#include <bedrock_agent/client_params.hpp>
#include <bedrock_agent/diagnostics.hpp>
#include <bedrock_agent/error.hpp>
#include <bedrock_agent/impl/internal/sansio/error_classifier.hpp>
#include <bedrock_agent/impl/internal/sansio/retry_fsm.hpp>

#include <boost/beast/http/error.hpp>

#include <algorithm>
#include <chrono>
#include <string>
#include <string_view>

namespace bedrock_agent::sansio {

using call_clock = std::chrono::steady_clock;

/// What happened: the outcome of the last action.
struct call_event {
    enum kind_t : unsigned char {
        started,              ///< the call runs (admitted); `now` is when
        credentials_ready,    ///< fetch_credentials ended: ec and why say why not
        connection_acquired,  ///< acquire ended: an idle connection (idle), a permit to open one, or ec
        opened,               ///< open ended (resolve, connect, TLS handshake): ec and why on failure
        exchanged,            ///< send ended: the request written, the response read and parsed
        slept,                ///< the backoff timer fired
    } kind = started;
    bool cancelled = false;  ///< the call was cancelled, or the client shut down, meanwhile
    bool idle = false;       ///< connection_acquired: an idle connection was taken
    // exchanged:
    bool answered = false;     ///< a whole response arrived (ec is then the parser's verdict)
    bool timed_out = false;    ///< the deadline watch closed the connection during the step
    bool got_some = false;     ///< some bytes of a response arrived
    bool keep_alive = false;   ///< the response allows reuse of the connection
    bool holds_input = false;  ///< bytes beyond the response are buffered (the connection is unfit)
    bool clock_skew_corrected = false;  ///< the answer corrected the client's clock offset
    boost::system::error_code ec{};
    std::string_view why{};     ///< credentials_ready / opened: the failure in words (ours)
    const char* step = "";      ///< exchanged, not answered: where the exchange failed
    unsigned http_status = 0;   ///< exchanged: the answer's status when it is not a 2xx
    std::string_view aws_code{};  ///< exchanged: the answer's AWS error code
    double random01 = 0;        ///< opened, exchanged with ec: a uniform number in [0, 1), the backoff's jitter
};

/// What to do with the call's connection (or its permit to open one) before the next action.
enum class connection_fate : unsigned char {
    keep,     ///< nothing (the call holds no connection, or keeps the one it has)
    to_idle,  ///< fit for reuse: back to the idle set
    close,    ///< answered, but unfit for reuse: close it and give its slot back
    drop,     ///< failed or abandoned: close it (or the permit's unopened one), give the slot back
    replace,  ///< close it, keep the slot: the next action opens a fresh one in its place
};

/// What to do next.
struct call_action {
    enum kind_t : unsigned char {
        fetch_credentials,  ///< get credentials for this attempt, by `deadline`
        acquire,            ///< take an idle connection or a permit to open one
        open,               ///< open a connection (resolve, connect, TLS) by `deadline`
        send,               ///< sign and write attempt `attempt`, read and parse its answer, by `deadline`
        sleep,              ///< wait until `deadline` (backoff)
        finish,             ///< the call ends with `ec`
    } kind = finish;
    connection_fate fate = connection_fate::keep;
    bool replay = false;  ///< open: a replay (count it)
    unsigned attempt = 0;
    call_clock::time_point deadline{};
    boost::system::error_code ec{};
};

class call_fsm {
public:
    /// `submitted`: when a queued call was made (its wait counts against its timeouts); a
    /// default time for a call that runs at once. `needs_fetch`: credentials come from a cache
    /// (each attempt asks it); else they are static. `host` names the endpoint in messages.
    call_fsm(const client_params& p, retry_quota& quota, diagnostics& d, std::string_view host,
             call_clock::time_point submitted, bool needs_fetch) noexcept
        : p_(p), retry_(p.retry, quota), d_(d), host_(host), submitted_(submitted), needs_fetch_(needs_fetch)
    {
    }

    call_action resume(const call_event& ev, call_clock::time_point now)
    {
        switch (ev.kind) {
        case call_event::started: return on_started(now);
        case call_event::credentials_ready: return on_credentials(ev, now);
        case call_event::connection_acquired: return on_acquired(ev);
        case call_event::opened: return on_opened(ev, now);
        case call_event::exchanged: return on_exchanged(ev, now);
        case call_event::slept: return on_slept(ev, now);
        }
        return finish(connection_fate::keep, make_error_code(errc::invalid_response));
    }

    /// Attempts begun so far.
    unsigned attempts() const noexcept { return retry_.attempts(); }
    call_clock::time_point operation_deadline() const noexcept { return op_deadline_; }
    call_clock::time_point attempt_deadline() const noexcept { return attempt_deadline_; }

private:
    call_action on_started(call_clock::time_point now)
    {
        call_start_ = submitted_ == call_clock::time_point{} ? now : submitted_;
        op_deadline_ = p_.operation_timeout.count() ? call_start_ + p_.operation_timeout : call_clock::time_point::max();
        return begin_attempt(retry_.start().attempt, call_start_, connection_fate::keep);
    }

    /// An attempt begins: its clock starts at `from` (the call's start for the first).
    call_action begin_attempt(unsigned attempt, call_clock::time_point from, connection_fate fate)
    {
        attempt_ = attempt;
        replayed_ = false;
        attempt_deadline_ = op_deadline_;
        if (p_.attempt_timeout.count()) attempt_deadline_ = std::min(op_deadline_, from + p_.attempt_timeout);
        if (needs_fetch_) return {call_action::fetch_credentials, fate, false, attempt_, attempt_deadline_};
        return acquire(fate);
    }

    call_action acquire(connection_fate fate)
    {
        // Each attempt reports only its own outcome.
        d_.set_aws_error_code({});
        d_.set_message({});
        d_.set_request_id({});
        d_.set_http_status(0);
        d_.set_field_list({});
        d_.set_client_message({});
        return {call_action::acquire, fate, false, attempt_, attempt_deadline_};
    }

    call_action on_credentials(const call_event& ev, call_clock::time_point now)
    {
        boost::system::error_code ec = ev.ec;
        std::string_view why = ev.why;
        if (!ec && now >= attempt_deadline_) {
            ec = make_error_code(errc::timeout);
            why = "timed out waiting for credentials";
        }
        if (!ec) return acquire(connection_fate::keep);
        // (The cache has already refused empty keys and control characters.)
        d_.set_client_message(why);
        d_.set_attempts(attempt_ - 1);
        if (ev.cancelled) return finish(connection_fate::keep, boost::asio::error::operation_aborted);
        if (ec == errc::timeout && attempt_deadline_ == op_deadline_)
            d_.set_client_message(op_timeout_message("waiting for credentials"));
        return finish(connection_fate::keep, ec);
    }

    call_action on_acquired(const call_event& ev)
    {
        if (ev.ec) {  // the client shut down: no connection, no permit
            d_.set_attempts(attempt_);
            return finish(connection_fate::keep, boost::asio::error::operation_aborted);
        }
        if (!ev.idle) {
            reused_ = false;
            return {call_action::open, connection_fate::keep, false, attempt_, attempt_deadline_};
        }
        reused_ = true;
        return send_or_abandon(ev);
    }

    call_action on_opened(const call_event& ev, call_clock::time_point now)
    {
        reused_ = false;
        if (!ev.ec) return send_or_abandon(ev);
        d_.set_client_message(ev.why);
        return end_attempt(ev, ev.ec, connection_fate::drop, now);
    }

    /// Cancelled (or shut down) while the connection was found or opened: nothing is sent.
    call_action send_or_abandon(const call_event& ev)
    {
        if (ev.cancelled) {
            d_.set_attempts(attempt_);
            return finish(connection_fate::drop, boost::asio::error::operation_aborted);
        }
        return {call_action::send, connection_fate::keep, false, attempt_, attempt_deadline_};
    }

    call_action on_exchanged(const call_event& ev, call_clock::time_point now)
    {
        if (ev.answered) {
            const bool reusable = ev.keep_alive && !ev.holds_input && !ev.timed_out;
            return end_attempt(ev, ev.ec, reusable ? connection_fate::to_idle : connection_fate::close, now);
        }
        if (!ev.cancelled && !ev.timed_out && reused_ && !replayed_ && !ev.got_some && !ev.holds_input &&
            classify(ev.ec) == error_class::transient) {
            // The server closed the connection while it sat idle: resend once on a fresh one,
            // in the same slot, without spending a retry attempt.
            replayed_ = true;
            reused_ = false;
            return {call_action::open, connection_fate::replace, true, attempt_, attempt_deadline_};
        }
        namespace http = boost::beast::http;
        boost::system::error_code ec = ev.ec;
        if (ev.cancelled) {
            ec = boost::asio::error::operation_aborted;
        } else if (ev.timed_out) {
            d_.set_client_message("attempt " + std::to_string(attempt_) + " timed out " + ev.step);
            ec = make_error_code(errc::timeout);
        } else if (ec == http::error::body_limit) {
            d_.set_client_message("the response body is larger than " + std::to_string(p_.max_response_body_bytes) +
                                  " bytes");
            ec = make_error_code(errc::response_too_large);
        } else if (ec == http::error::header_limit) {
            d_.set_client_message("the response headers (interim responses, chunk-size lines, chunk extensions and "
                                  "trailers included) are larger than " +
                                  std::to_string(p_.max_response_header_bytes) + " bytes");
            ec = make_error_code(errc::response_too_large);
        } else {
            d_.set_client_message(std::string(ev.step) + " (" + std::string(host_) + "): " + ec.message());
        }
        return end_attempt(ev, ec, connection_fate::drop, now);
    }

    /// An attempt ended with `ec` (none: success): finish, retry at once, or back off.
    call_action end_attempt(const call_event& ev, boost::system::error_code ec, connection_fate fate,
                            call_clock::time_point now)
    {
        d_.set_attempts(attempt_);
        if (ev.cancelled) return finish(fate, boost::asio::error::operation_aborted);
        if (ec == errc::timeout && attempt_deadline_ == op_deadline_ && now >= op_deadline_) {
            d_.set_client_message(op_timeout_message("during an attempt"));
            return finish(fate, ec);
        }
        const retry_action r = retry_.resume(
            {ec, ev.kind == call_event::exchanged && ev.answered ? ev.http_status : 0u, ev.aws_code,
             ev.clock_skew_corrected},
            ev.random01);
        switch (r.kind) {
        case retry_action::send: return begin_attempt(r.attempt, now, fate);
        case retry_action::sleep: {
            const auto wake = now + std::chrono::duration_cast<call_clock::duration>(r.delay);
            sleep_past_deadline_ = wake > op_deadline_;
            return {call_action::sleep, fate, false, attempt_, std::min(wake, op_deadline_)};
        }
        case retry_action::done: break;
        }
        if (r.quota_exhausted) {
            std::string m = d_.get().client_message();
            d_.set_client_message(m + (m.empty() ? "" : "; ") + "not retried: the client's retry quota is exhausted");
        }
        return finish(fate, r.ec);
    }

    call_action on_slept(const call_event& ev, call_clock::time_point now)
    {
        if (ev.cancelled || ev.ec) return finish(connection_fate::keep, boost::asio::error::operation_aborted);
        if (sleep_past_deadline_) {
            d_.set_client_message(op_timeout_message("during backoff"));
            return finish(connection_fate::keep, make_error_code(errc::timeout));
        }
        return begin_attempt(retry_.resume_after_sleep().attempt, now, connection_fate::keep);
    }

    static call_action finish(connection_fate fate, boost::system::error_code ec) noexcept
    {
        call_action a{call_action::finish, fate};
        a.ec = ec;
        return a;
    }

    std::string op_timeout_message(const char* where) const
    {
        return "operation_timeout (" + std::to_string(p_.operation_timeout.count()) + " ms) passed " + where +
               " after " + std::to_string(retry_.attempts()) + " attempt(s)";
    }

    const client_params& p_;
    retry_fsm retry_;
    bedrock_agent::detail::diagnostics_writer d_;
    std::string_view host_;
    call_clock::time_point submitted_;
    call_clock::time_point call_start_{};
    call_clock::time_point op_deadline_ = call_clock::time_point::max();
    call_clock::time_point attempt_deadline_ = call_clock::time_point::max();
    unsigned attempt_ = 0;
    bool needs_fetch_;
    bool reused_ = false;    ///< the connection in use came from the idle set
    bool replayed_ = false;  ///< this attempt was replayed once already
    bool sleep_past_deadline_ = false;
};

}  // namespace bedrock_agent::sansio

#endif
