// Shows: errors without exceptions. asio::as_tuple gives [ec, response]; ba::diagnostics carries
// the AWS error code, the server's message, the request id, the HTTP status and the attempts;
// error conditions group codes the way callers decide (retryable, throttling, timeout).
// Stopping the same job twice makes the second call fail with ConflictException.
// Leaves out: timeouts and cancellation (example 03).
#include <bedrock_agent/bedrock_agent.hpp>

#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include <iostream>

namespace asio = boost::asio;
namespace ba = bedrock_agent;

asio::awaitable<int> run(ba::client& client)
{
    ba::stop_ingestion_job_request req{"KB12345678", "DS12345678", "IJ12345678"};
    int conflicts = 0;
    for (int i = 0; i < 2; ++i) {
        ba::diagnostics diag;
        auto [ec, resp] = co_await client.stop_ingestion_job(req, diag, asio::as_tuple(asio::use_awaitable));
        if (!ec) {
            std::cout << "stopped: " << resp.ingestion_job.status << " (request id " << diag.request_id() << ")\n";
        } else if (ec == ba::errc::conflict) {
            ++conflicts;
            std::cout << "conflict, as expected: " << diag.aws_error_code() << ": " << diag.message()
                      << " (HTTP " << diag.http_status() << ", " << diag.attempts() << " attempt(s))\n";
        } else if (ec == ba::condition::retryable) {
            std::cout << "gave up on a retryable error after " << diag.attempts() << " attempts: " << ec.message() << "\n";
        } else {
            std::cout << "failed: " << ec.message() << "; " << diag.client_message() << "\n";
        }
    }
    // A request that fails validation never leaves the process.
    ba::diagnostics diag;
    ba::stop_ingestion_job_request bad{"not-an-id", "DS12345678", "IJ12345678"};
    auto [ec, resp] = co_await client.stop_ingestion_job(bad, diag, asio::as_tuple(asio::use_awaitable));
    std::cout << "invalid request: " << (ec == ba::errc::invalid_request) << ": " << diag.client_message() << "\n";
    co_return conflicts == 1 && ec == ba::errc::invalid_request ? 0 : 1;
}

int main()
{
    asio::io_context io;
    ba::client client(io.get_executor(), ba::client_params{});
    int rc = 1;
    asio::co_spawn(io, run(client), [&](std::exception_ptr, int r) { rc = r; });
    io.run();
    return rc;
}
