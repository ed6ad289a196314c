#ifndef BEDROCK_AGENT_BLOCKING_CLIENT_HPP
#define BEDROCK_AGENT_BLOCKING_CLIENT_HPP

#include <bedrock_agent/client.hpp>

#include <boost/asio/io_context.hpp>

#include <type_traits>

namespace bedrock_agent {

/// A synchronous client on the same code path as `client`: it owns an io_context and a client,
/// and runs the io_context until the call completes. Pooling, retries and timeouts are the same.
///
/// Thread safety: one call at a time. For many threads, give each thread its own
/// blocking_client (each then has its own pool), or use `client` on an io_context.
class blocking_client {
public:
    explicit blocking_client(const client_params& params) : client_(io_.get_executor(), params) {}

    /// Throws error_with_diagnostics on failure.
    stop_ingestion_job_response stop_ingestion_job(const stop_ingestion_job_request& req) { return or_throw<stop_ingestion_job_response>(req); }
    /// Does not throw (except std::bad_alloc); ec and diag say how it went.
    stop_ingestion_job_response stop_ingestion_job(const stop_ingestion_job_request& req,
                                                   boost::system::error_code& ec, diagnostics& diag)
    {
        return run<stop_ingestion_job_response>(req, ec, diag);
    }

    /// Throws error_with_diagnostics on failure.
    get_ingestion_job_response get_ingestion_job(const get_ingestion_job_request& req) { return or_throw<get_ingestion_job_response>(req); }
    /// Does not throw (except std::bad_alloc); ec and diag say how it went.
    get_ingestion_job_response get_ingestion_job(const get_ingestion_job_request& req, boost::system::error_code& ec,
                                                 diagnostics& diag)
    {
        return run<get_ingestion_job_response>(req, ec, diag);
    }

    bedrock_agent::pool_stats connection_pool_stats() const { return client_.connection_pool_stats(); }
    std::string endpoint_url() const { return client_.endpoint_url(); }
    const std::string& region() const noexcept { return client_.region(); }

private:
    // One call on the client, the io_context run until it completes.
    template <class Response, class Request>
    Response run(const Request& req, boost::system::error_code& ec, diagnostics& diag)
    {
        Response out;
        bool done = false;
        auto done_with = [&](boost::system::error_code e, Response r) {
            ec = e;
            out = std::move(r);
            done = true;
        };
        if constexpr (std::is_same_v<Request, stop_ingestion_job_request>) client_.stop_ingestion_job(req, diag, done_with);
        else client_.get_ingestion_job(req, diag, done_with);
        io_.restart();
        while (!done) io_.run_one();
        return out;
    }
    template <class Response, class Request>
    Response or_throw(const Request& req)
    {
        diagnostics d;
        boost::system::error_code ec;
        Response r = run<Response>(req, ec, d);
        throw_on_error(ec, d);
        return r;
    }

    boost::asio::io_context io_{1};
    client client_;
};

}  // namespace bedrock_agent

#endif
