// Shows: bounding a call. operation_timeout caps a whole call (retries included) and ends it with
// ba::errc::timeout; per-call cancellation goes through Asio cancellation slots, here with
// awaitable operators (call || timer) and with an explicit cancellation_signal. A cancelled call
// ends with asio::error::operation_aborted, and the connection it used is closed.
// The local endpoint for this example answers after a delay (--latency-ms).
// Leaves out: retries tuning (client_params::retry).
#include <bedrock_agent/bedrock_agent.hpp>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <iostream>

namespace asio = boost::asio;
namespace ba = bedrock_agent;
using namespace std::chrono_literals;
using namespace asio::experimental::awaitable_operators;

asio::awaitable<int> run()
{
    auto ex = co_await asio::this_coro::executor;
    ba::stop_ingestion_job_request req{"KB12345678", "DS12345678", "IJ12345678"};
    int ok = 0;

    // 1. A deadline for the whole call.
    ba::client_params p;
    p.operation_timeout = 100ms;
    ba::client bounded(ex, p);
    ba::diagnostics d;
    auto [ec, resp] = co_await bounded.stop_ingestion_job(req, d, asio::as_tuple(asio::use_awaitable));
    std::cout << "1. timeout: " << ec.message() << " (condition::timeout: " << (ec == ba::condition::timeout) << "); "
              << d.client_message() << "\n";
    ok += ec == ba::errc::timeout;

    // 2. Racing a timer: whichever finishes first cancels the other.
    ba::client client(ex, ba::client_params{});
    asio::steady_timer timer(ex, 100ms);
    auto winner = co_await (client.stop_ingestion_job(req) || timer.async_wait(asio::use_awaitable));
    std::cout << "2. the " << (winner.index() == 1 ? "timer" : "call") << " won\n";
    ok += winner.index() == 1;

    // 3. An explicit cancellation signal.
    asio::cancellation_signal sig;
    asio::steady_timer later(ex, 50ms);
    later.async_wait([&](boost::system::error_code) { sig.emit(asio::cancellation_type::terminal); });
    auto [ec3, resp3] = co_await client.stop_ingestion_job(
        req, asio::bind_cancellation_slot(sig.slot(), asio::as_tuple(asio::use_awaitable)));
    std::cout << "3. cancelled: " << ec3.message() << "; open connections now: " << client.connection_pool_stats().open << "\n";
    ok += ec3 == asio::error::operation_aborted;
    co_return ok == 3 ? 0 : 1;
}

int main()
{
    asio::io_context io;
    int rc = 1;
    asio::co_spawn(io, run(), [&](std::exception_ptr e, int r) { rc = e ? 1 : r; });
    io.run();
    return rc;
}
