// Shows: the minimal call. One client, one co_await, the default token (errors throw
// ba::error_with_diagnostics). Region, endpoint and credentials come from the environment
// (AWS_REGION, AWS_ENDPOINT_URL_BEDROCK_AGENT, AWS_ACCESS_KEY_ID, ...).
// Leaves out: error handling beyond the catch, timeouts, concurrency (see the other examples).
#include <bedrock_agent/bedrock_agent.hpp>

#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include <iostream>

namespace asio = boost::asio;
namespace ba = bedrock_agent;

asio::awaitable<void> run(ba::client& client)
{
    ba::stop_ingestion_job_request req{"KB12345678", "DS12345678", "IJ12345678"};
    ba::stop_ingestion_job_response resp = co_await client.stop_ingestion_job(req);
    std::cout << "job " << resp.ingestion_job.ingestion_job_id << " is now " << resp.ingestion_job.status << "\n";
}

int main()
{
    asio::io_context io;
    ba::client client(io.get_executor(), ba::client_params{});
    int rc = 1;
    asio::co_spawn(io, run(client), [&](std::exception_ptr e) {
        if (!e) {
            rc = 0;
            return;
        }
        try {
            std::rethrow_exception(e);
        } catch (const ba::error_with_diagnostics& err) {
            std::cerr << "failed: " << err.what() << "\n";
        }
    });
    io.run();
    return rc;
}
