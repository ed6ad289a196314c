// The call state machine, stepped event by event on a fake clock: every step failed in turn,
// every deadline crossed, cancellation at every step, and the replay rule. No sockets, no timers.
#include <bedrock_agent/impl/internal/sansio/call_fsm.hpp>

#include <boost/asio/error.hpp>
#include <boost/asio/ssl/error.hpp>

#include <doctest/doctest.h>

namespace ba = bedrock_agent;
namespace asio = boost::asio;
namespace http = boost::beast::http;
using ba::sansio::call_action;
using ba::sansio::call_event;
using ba::sansio::call_fsm;
using ba::sansio::connection_fate;
using namespace std::chrono;
using tp = ba::sansio::call_clock::time_point;

namespace {

const tp t0 = tp{} + hours(1000);  // the fake clock's "now" when the call starts

ba::client_params params()
{
    ba::client_params p;
    p.attempt_timeout = seconds(10);
    p.operation_timeout = seconds(30);
    return p;
}

/// One call under test: its parameters, quota and diagnostics live beside the machine.
struct harness {
    ba::client_params p = params();
    ba::sansio::retry_quota quota{p.retry.quota_capacity};
    ba::diagnostics d;
    call_fsm fsm;
    explicit harness(bool needs_fetch = false, tp submitted = {}, ba::client_params pp = params())
        : p(pp), quota(pp.retry.quota_capacity), fsm(p, quota, d, "example.com:443", submitted, needs_fetch)
    {
    }
    call_action step(const call_event& e, tp now) { return fsm.resume(e, now); }
};

call_event ev(call_event::kind_t k) { return call_event{k}; }

call_event acquired(bool idle, bool cancelled = false)
{
    call_event e{call_event::connection_acquired};
    e.idle = idle;
    e.cancelled = cancelled;
    return e;
}

call_event opened(boost::system::error_code ec = {}, std::string_view why = {}, bool cancelled = false)
{
    call_event e{call_event::opened};
    e.ec = ec;
    e.random01 = 0.5;
    e.why = why;
    e.cancelled = cancelled;
    return e;
}

/// A whole answer: success (2xx, parsed) or a service error with its status and code.
call_event answer(boost::system::error_code ec = {}, unsigned status = 0, std::string_view code = {},
                  bool keep_alive = true)
{
    call_event e{call_event::exchanged};
    e.answered = true;
    e.keep_alive = keep_alive;
    e.ec = ec;
    e.http_status = status;
    e.aws_code = code;
    e.random01 = 0.5;
    return e;
}

/// An exchange that failed at `step` before a whole answer came.
call_event broken(boost::system::error_code ec, const char* step, bool got_some = false)
{
    call_event e{call_event::exchanged};
    e.ec = ec;
    e.step = step;
    e.got_some = got_some;
    e.random01 = 0.5;
    return e;
}

/// Drives a call with static credentials to its first send on a fresh connection.
call_action to_send(harness& h, tp now = t0)
{
    auto a = h.step(ev(call_event::started), now);
    REQUIRE(a.kind == call_action::acquire);
    a = h.step(acquired(false), now);
    REQUIRE(a.kind == call_action::open);
    a = h.step(opened(), now);
    REQUIRE(a.kind == call_action::send);
    return a;
}

/// Drives a call with static credentials to its first send on an idle (reused) connection.
call_action to_send_idle(harness& h, tp now = t0)
{
    auto a = h.step(ev(call_event::started), now);
    REQUIRE(a.kind == call_action::acquire);
    a = h.step(acquired(true), now);
    REQUIRE(a.kind == call_action::send);
    return a;
}

}  // namespace

TEST_SUITE("call")
{
    TEST_CASE("success on an idle connection: acquire, send, finish; the connection goes back idle")
    {
        harness h;
        auto a = h.step(ev(call_event::started), t0);
        CHECK(a.kind == call_action::acquire);
        CHECK(a.attempt == 1);
        CHECK(a.deadline == t0 + seconds(10));  // the attempt's deadline
        a = h.step(acquired(true), t0);
        CHECK(a.kind == call_action::send);
        CHECK(a.fate == connection_fate::keep);
        a = h.step(answer(), t0 + milliseconds(3));
        CHECK(a.kind == call_action::finish);
        CHECK_FALSE(a.ec);
        CHECK(a.fate == connection_fate::to_idle);
        CHECK(h.d.attempts() == 1);
        CHECK(h.fsm.operation_deadline() == t0 + seconds(30));
    }

    TEST_CASE("an answer that does not allow reuse closes the connection (Connection: close, extra bytes, timed out)")
    {
        for (int variant = 0; variant < 3; ++variant) {
            harness h;
            to_send(h);
            auto e = answer();
            if (variant == 0) e.keep_alive = false;
            if (variant == 1) e.holds_input = true;
            if (variant == 2) e.timed_out = true;
            auto a = h.step(e, t0);
            CHECK(a.kind == call_action::finish);
            CHECK_FALSE(a.ec);
            CHECK(a.fate == connection_fate::close);
        }
    }

    TEST_CASE("each step failed in turn: connect, handshake, write, read headers, read body, parse")
    {
        SUBCASE("connect refused: transient, the permit's connection dropped, backoff, then attempt 2")
        {
            harness h;
            h.step(ev(call_event::started), t0);
            h.step(acquired(false), t0);
            auto a = h.step(opened(asio::error::connection_refused, "connecting to example.com:443: Connection refused"), t0);
            CHECK(a.kind == call_action::sleep);
            CHECK(a.fate == connection_fate::drop);
            CHECK(a.deadline == t0 + milliseconds(500));  // 0.5 x min(1 s x 2^0, 20 s)
            CHECK(h.d.client_message() == "connecting to example.com:443: Connection refused");
            a = h.step(ev(call_event::slept), t0 + milliseconds(500));
            CHECK(a.kind == call_action::acquire);
            CHECK(a.attempt == 2);
            CHECK(a.deadline == t0 + milliseconds(500) + seconds(10));  // attempt 2's clock starts now
            CHECK(h.d.client_message().empty());  // each attempt reports only its own outcome
        }
        SUBCASE("TLS handshake refused (certificate): not retried")
        {
            harness h;
            h.step(ev(call_event::started), t0);
            h.step(acquired(false), t0);
            auto ec = boost::system::error_code(0x0A000086, asio::error::get_ssl_category());  // verify failed
            auto a = h.step(opened(ec, "TLS handshake with example.com:443: certificate verify failed"), t0);
            CHECK(a.kind == call_action::finish);
            CHECK(a.ec == ec);
            CHECK(a.fate == connection_fate::drop);
            CHECK(h.d.attempts() == 1);
            CHECK(h.d.client_message() == "TLS handshake with example.com:443: certificate verify failed");
        }
        SUBCASE("writing fails (broken pipe) on a fresh connection: retried after backoff, no replay")
        {
            harness h;
            to_send(h);
            auto a = h.step(broken(asio::error::broken_pipe, "sending the request"), t0);
            CHECK(a.kind == call_action::sleep);
            CHECK(a.fate == connection_fate::drop);
            CHECK(h.d.client_message().rfind("sending the request (example.com:443): ", 0) == 0);
        }
        SUBCASE("reading the headers fails (eof before any byte) on a fresh connection: retried")
        {
            harness h;
            to_send(h);
            auto a = h.step(broken(asio::error::eof, "reading the response"), t0);
            CHECK(a.kind == call_action::sleep);
            CHECK(a.fate == connection_fate::drop);
        }
        SUBCASE("reading the body fails (partial message): retried")
        {
            harness h;
            to_send(h);
            auto a = h.step(broken(http::error::partial_message, "reading the response", true), t0);
            CHECK(a.kind == call_action::sleep);
        }
        SUBCASE("the 2xx body does not parse: invalid_response, not retried, the connection stays usable")
        {
            harness h;
            to_send(h);
            auto a = h.step(answer(make_error_code(ba::errc::invalid_response)), t0);
            CHECK(a.kind == call_action::finish);
            CHECK(a.ec == ba::errc::invalid_response);
            CHECK(a.fate == connection_fate::to_idle);
        }
        SUBCASE("a response over the body limit: response_too_large, named, not retried")
        {
            harness h;
            to_send(h);
            auto a = h.step(broken(http::error::body_limit, "reading the response", true), t0);
            CHECK(a.kind == call_action::finish);
            CHECK(a.ec == ba::errc::response_too_large);
            CHECK(h.d.client_message() == "the response body is larger than " +
                                              std::to_string(h.p.max_response_body_bytes) + " bytes");
            CHECK(a.fate == connection_fate::drop);
        }
        SUBCASE("headers over the header limit: response_too_large, named")
        {
            harness h;
            to_send(h);
            auto a = h.step(broken(http::error::header_limit, "reading the response", true), t0);
            CHECK(a.ec == ba::errc::response_too_large);
            CHECK(h.d.client_message().find("response headers") != std::string::npos);
        }
        SUBCASE("a service error: throttled three times, then the error; quota spent on the retries")
        {
            harness h;
            to_send(h);
            auto a = h.step(answer(make_error_code(ba::errc::throttling), 429, "ThrottlingException"), t0);
            CHECK(a.kind == call_action::sleep);
            CHECK(a.fate == connection_fate::to_idle);
            a = h.step(ev(call_event::slept), a.deadline);
            a = h.step(acquired(true), t0 + seconds(1));
            a = h.step(answer(make_error_code(ba::errc::throttling), 429, "ThrottlingException"), t0 + seconds(1));
            CHECK(a.kind == call_action::sleep);
            CHECK(a.deadline == t0 + seconds(2));  // 0.5 x 2 s
            a = h.step(ev(call_event::slept), a.deadline);
            CHECK(a.attempt == 3);
            a = h.step(acquired(true), t0 + seconds(2));
            a = h.step(answer(make_error_code(ba::errc::throttling), 429, "ThrottlingException"), t0 + seconds(2));
            CHECK(a.kind == call_action::finish);
            CHECK(a.ec == ba::errc::throttling);
            CHECK(h.d.attempts() == 3);
            CHECK(h.quota.available() == 490);
        }
    }

    TEST_CASE("deadlines: credentials, the attempt, the operation during an attempt and during backoff, a queued wait")
    {
        SUBCASE("credentials that come after the attempt's deadline: timeout, no attempt made")
        {
            harness h(/*needs_fetch=*/true);
            auto a = h.step(ev(call_event::started), t0);
            CHECK(a.kind == call_action::fetch_credentials);
            CHECK(a.deadline == t0 + seconds(10));
            a = h.step(ev(call_event::credentials_ready), t0 + seconds(10));
            CHECK(a.kind == call_action::finish);
            CHECK(a.ec == ba::errc::timeout);
            CHECK(h.d.client_message() == "timed out waiting for credentials");
            CHECK(h.d.attempts() == 0);
        }
        SUBCASE("a credential fetch that fails: its words, no attempt made")
        {
            harness h(true);
            h.step(ev(call_event::started), t0);
            call_event e{call_event::credentials_ready};
            e.ec = make_error_code(ba::errc::no_credentials);
            e.why = "credential_process: exit status 1";
            auto a = h.step(e, t0 + milliseconds(20));
            CHECK(a.ec == ba::errc::no_credentials);
            CHECK(h.d.client_message() == "credential_process: exit status 1");
        }
        SUBCASE("credentials in time: the attempt goes on")
        {
            harness h(true);
            h.step(ev(call_event::started), t0);
            auto a = h.step(ev(call_event::credentials_ready), t0 + seconds(9));
            CHECK(a.kind == call_action::acquire);
        }
        SUBCASE("the attempt's deadline passes mid-read: timeout, named, retried at the timeout cost")
        {
            harness h;
            to_send(h);
            auto e = broken(asio::error::operation_aborted, "reading the response");
            e.timed_out = true;
            auto a = h.step(e, t0 + seconds(10));
            CHECK(a.kind == call_action::sleep);
            CHECK(a.fate == connection_fate::drop);
            CHECK(h.d.client_message() == "attempt 1 timed out reading the response");
            CHECK(h.quota.available() == 490);  // timeout_retry_cost
        }
        SUBCASE("the operation's deadline passes during an attempt: timeout, not retried")
        {
            auto p = params();
            p.attempt_timeout = seconds(0);  // the attempt's deadline is the operation's
            harness h(false, {}, p);
            auto a = to_send(h);
            CHECK(a.deadline == t0 + seconds(30));
            auto e = broken(asio::error::operation_aborted, "reading the response", true);
            e.timed_out = true;
            a = h.step(e, t0 + seconds(30));
            CHECK(a.kind == call_action::finish);
            CHECK(a.ec == ba::errc::timeout);
            CHECK(h.d.client_message() == "operation_timeout (30000 ms) passed during an attempt after 1 attempt(s)");
        }
        SUBCASE("the operation's deadline falls in a backoff: the sleep ends at it, then timeout")
        {
            auto p = params();
            p.operation_timeout = milliseconds(1200);
            harness h(false, {}, p);
            to_send(h);
            auto a = h.step(answer(make_error_code(ba::errc::service_unavailable), 503, "ServiceUnavailableException"),
                            t0 + milliseconds(1000));
            CHECK(a.kind == call_action::sleep);
            CHECK(a.deadline == t0 + milliseconds(1200));  // not 1000 + 500
            a = h.step(ev(call_event::slept), a.deadline);
            CHECK(a.kind == call_action::finish);
            CHECK(a.ec == ba::errc::timeout);
            CHECK(h.d.client_message() == "operation_timeout (1200 ms) passed during backoff after 1 attempt(s)");
        }
        SUBCASE("a queued call's wait counts against its first attempt and its operation")
        {
            harness h(false, /*submitted=*/t0 - seconds(4));
            auto a = h.step(ev(call_event::started), t0);
            CHECK(a.deadline == t0 + seconds(6));
            CHECK(h.fsm.operation_deadline() == t0 + seconds(26));
        }
        SUBCASE("the connect or TLS step's own timeout: reported as opened(timeout), retried")
        {
            harness h;
            h.step(ev(call_event::started), t0);
            h.step(acquired(false), t0);
            auto a = h.step(opened(make_error_code(ba::errc::timeout), "connecting to example.com:443 timed out"),
                            t0 + seconds(3));
            CHECK(a.kind == call_action::sleep);
            CHECK(h.d.client_message() == "connecting to example.com:443 timed out");
        }
    }

    TEST_CASE("cancellation at every step ends the call with operation_aborted and gives the connection back")
    {
        const auto aborted = make_error_code(asio::error::operation_aborted);
        SUBCASE("waiting for credentials")
        {
            harness h(true);
            h.step(ev(call_event::started), t0);
            call_event e{call_event::credentials_ready};
            e.ec = aborted;
            e.cancelled = true;
            auto a = h.step(e, t0);
            CHECK(a.kind == call_action::finish);
            CHECK(a.ec == aborted);
            CHECK(a.fate == connection_fate::keep);
        }
        SUBCASE("taking an idle connection: nothing is sent")
        {
            harness h;
            h.step(ev(call_event::started), t0);
            auto a = h.step(acquired(true, /*cancelled=*/true), t0);
            CHECK(a.kind == call_action::finish);
            CHECK(a.ec == aborted);
            CHECK(a.fate == connection_fate::drop);
        }
        SUBCASE("the client shut down: the pool gives nothing")
        {
            harness h;
            h.step(ev(call_event::started), t0);
            call_event e{call_event::connection_acquired};
            e.ec = aborted;
            e.cancelled = true;
            auto a = h.step(e, t0);
            CHECK(a.ec == aborted);
            CHECK(a.fate == connection_fate::keep);
        }
        SUBCASE("opening: the new connection is dropped, nothing is sent")
        {
            harness h;
            h.step(ev(call_event::started), t0);
            h.step(acquired(false), t0);
            auto a = h.step(opened({}, {}, /*cancelled=*/true), t0);
            CHECK(a.kind == call_action::finish);
            CHECK(a.ec == aborted);
            CHECK(a.fate == connection_fate::drop);
        }
        SUBCASE("mid-exchange: aborted, not replayed, not retried")
        {
            harness h;
            to_send_idle(h);
            auto e = broken(aborted, "reading the response");
            e.cancelled = true;
            auto a = h.step(e, t0);
            CHECK(a.kind == call_action::finish);
            CHECK(a.ec == aborted);
            CHECK(a.fate == connection_fate::drop);
        }
        SUBCASE("a whole answer that came with the cancellation: still aborted")
        {
            harness h;
            to_send(h);
            auto e = answer();
            e.cancelled = true;
            auto a = h.step(e, t0);
            CHECK(a.ec == aborted);
            CHECK(a.fate == connection_fate::to_idle);  // the connection itself is fine
        }
        SUBCASE("during backoff")
        {
            harness h;
            to_send(h);
            h.step(broken(asio::error::connection_reset, "reading the response"), t0);
            call_event e{call_event::slept};
            e.ec = aborted;
            e.cancelled = true;
            auto a = h.step(e, t0);
            CHECK(a.kind == call_action::finish);
            CHECK(a.ec == aborted);
        }
    }

    TEST_CASE("replay: once, on a reused idle connection that failed before any byte came back")
    {
        SUBCASE("replayed on a fresh connection in the same slot, without spending an attempt")
        {
            harness h;
            to_send_idle(h);
            auto a = h.step(broken(asio::error::connection_reset, "reading the response"), t0);
            CHECK(a.kind == call_action::open);
            CHECK(a.replay);
            CHECK(a.fate == connection_fate::replace);
            CHECK(a.attempt == 1);
            a = h.step(opened(), t0);
            CHECK(a.kind == call_action::send);
            CHECK(a.attempt == 1);
            // The fresh connection fails the same way: no second replay; a retry instead.
            a = h.step(broken(asio::error::connection_reset, "reading the response"), t0);
            CHECK(a.kind == call_action::sleep);
            CHECK(a.fate == connection_fate::drop);
        }
        SUBCASE("not when some of the response had come")
        {
            harness h;
            to_send_idle(h);
            auto a = h.step(broken(http::error::partial_message, "reading the response", /*got_some=*/true), t0);
            CHECK(a.kind == call_action::sleep);
        }
        SUBCASE("not on a fresh connection")
        {
            harness h;
            to_send(h);
            auto a = h.step(broken(asio::error::connection_reset, "reading the response"), t0);
            CHECK(a.kind == call_action::sleep);
        }
        SUBCASE("not after the deadline watch closed it")
        {
            harness h;
            to_send_idle(h);
            auto e = broken(asio::error::operation_aborted, "reading the response");
            e.timed_out = true;
            auto a = h.step(e, t0 + seconds(10));
            CHECK(a.kind == call_action::sleep);
        }
        SUBCASE("not when bytes were buffered beyond a response")
        {
            harness h;
            to_send_idle(h);
            auto e = broken(asio::error::connection_reset, "reading the response");
            e.holds_input = true;
            auto a = h.step(e, t0);
            CHECK(a.kind == call_action::sleep);
        }
        SUBCASE("not for an error that is not transient")
        {
            harness h;
            to_send_idle(h);
            auto ec = boost::system::error_code(0x0A000086, asio::error::get_ssl_category());
            auto a = h.step(broken(ec, "reading the response"), t0);
            CHECK(a.kind == call_action::finish);
            CHECK(a.ec == ec);
        }
        SUBCASE("once per attempt: attempt 2 may replay again")
        {
            harness h;
            to_send_idle(h);
            auto a = h.step(broken(asio::error::connection_reset, "reading the response"), t0);
            REQUIRE(a.replay);
            h.step(opened(), t0);
            a = h.step(answer(make_error_code(ba::errc::internal_server), 500, "InternalServerException"), t0);
            REQUIRE(a.kind == call_action::sleep);
            h.step(ev(call_event::slept), a.deadline);
            h.step(acquired(true), a.deadline);
            a = h.step(broken(asio::error::connection_reset, "reading the response"), a.deadline);
            CHECK(a.kind == call_action::open);
            CHECK(a.replay);
            CHECK(a.attempt == 2);
        }
    }

    TEST_CASE("a corrected clock skew is retried at once, once, at no quota cost")
    {
        harness h;
        to_send(h);
        auto e = answer(make_error_code(ba::errc::access_denied), 403, "InvalidSignatureException");
        e.clock_skew_corrected = true;
        auto a = h.step(e, t0);
        CHECK(a.kind == call_action::acquire);
        CHECK(a.attempt == 2);
        CHECK(a.fate == connection_fate::to_idle);
        CHECK(h.quota.available() == 500);
        h.step(acquired(true), t0);
        a = h.step(e, t0);
        CHECK(a.kind == call_action::finish);  // not twice (and 403 is not retryable)
    }

    TEST_CASE("an exhausted retry quota ends the call with the error, and says so")
    {
        harness h;
        h.quota.acquire(h.quota.available());
        to_send(h);
        auto a = h.step(broken(asio::error::connection_reset, "reading the response"), t0);
        CHECK(a.kind == call_action::finish);
        CHECK(a.ec == asio::error::connection_reset);
        CHECK(h.d.client_message().find("not retried: the client's retry quota is exhausted") != std::string::npos);
    }
}
