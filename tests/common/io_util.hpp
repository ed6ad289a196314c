#ifndef BEDROCK_AGENT_TESTS_COMMON_IO_UTIL_HPP
#define BEDROCK_AGENT_TESTS_COMMON_IO_UTIL_HPP

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <doctest/doctest.h>

#include <chrono>
#include <exception>

namespace test_util {

/// Runs `fn(io)` (a coroutine) on a fresh io_context until it finishes, at most 30 s; rethrows
/// what it threw.
template <class Fn>
void run(Fn fn)
{
    boost::asio::io_context io;
    std::exception_ptr ep;
    bool done = false;
    boost::asio::co_spawn(io, fn(io), [&](std::exception_ptr e) {
        ep = e;
        done = true;
    });
    io.run_for(std::chrono::seconds(30));
    REQUIRE(done);
    if (ep) std::rethrow_exception(ep);
}

/// Waits, polling every 5 ms, until `cond()` holds or `limit` passes; returns cond(). For a
/// verdict that an event happened: it does not depend on how fast the machine is, only on the
/// event happening within the (generous) limit.
template <class Cond>
boost::asio::awaitable<bool> eventually(boost::asio::io_context& io, Cond cond,
                                        std::chrono::milliseconds limit = std::chrono::seconds(10))
{
    const auto end = std::chrono::steady_clock::now() + limit;
    boost::asio::steady_timer t(io);
    while (!cond() && std::chrono::steady_clock::now() < end) {
        t.expires_after(std::chrono::milliseconds(5));
        co_await t.async_wait(boost::asio::use_awaitable);
    }
    co_return cond();
}

}  // namespace test_util

#endif
