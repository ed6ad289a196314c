// Shows: the blocking client, for code without an event loop. Same pool, retries and timeouts
// as the async client; it owns its io_context. One call at a time per blocking_client.
// Leaves out: anything async.
#include <bedrock_agent/bedrock_agent.hpp>

#include <iostream>

namespace ba = bedrock_agent;

int main()
{
    ba::blocking_client client(ba::client_params{});
    try {
        auto resp = client.stop_ingestion_job({"KB12345678", "DS12345678", "IJ12345678"});
        const ba::ingestion_job& job = resp.ingestion_job;
        std::cout << job.ingestion_job_id << ": " << job.status << "\n";
    } catch (const ba::error_with_diagnostics& e) {
        std::cerr << "failed: " << e.what() << "\n";
        return 1;
    }
    // The non-throwing overload.
    boost::system::error_code ec;
    ba::diagnostics d;
    client.stop_ingestion_job({"KB12345678", "DS12345678", "IJ12345678"}, ec, d);
    std::cout << "second stop: " << (ec ? d.aws_error_code() : "ok") << "\n";
    return ec == ba::errc::conflict ? 0 : 1;
}
