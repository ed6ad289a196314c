#ifndef BEDROCK_AGENT_TESTS_COMMON_IO_UTIL_HPP
#define BEDROCK_AGENT_TESTS_COMMON_IO_UTIL_HPP

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

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

}  // namespace test_util

#endif
