#ifndef BEDROCK_AGENT_CLIENT_HPP
#define BEDROCK_AGENT_CLIENT_HPP

#include <bedrock_agent/client_params.hpp>
#include <bedrock_agent/detail/config.hpp>
#include <bedrock_agent/diagnostics.hpp>
#include <bedrock_agent/error.hpp>
#include <bedrock_agent/error_with_diagnostics.hpp>
#include <bedrock_agent/get_ingestion_job.hpp>
#include <bedrock_agent/stop_ingestion_job.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/ssl/context.hpp>
// What callers use with the client's operations (they were always reachable from here).
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <cstdint>
#include <memory>
#include <string>

namespace bedrock_agent {

/// The default completion token of the client's operations: makes a call an asio::awaitable that
/// returns the response or throws error_with_diagnostics.
struct awaitable_with_diagnostics_t {};
inline constexpr awaitable_with_diagnostics_t awaitable_with_diagnostics{};

namespace detail {  // (defined in detail/call_initiation.hpp, included at the end)
class client_impl;
template <class Request, class Response>
struct call_initiation;
}  // namespace detail

/// What the pool holds right now, and what it did so far.
struct pool_stats {
    std::size_t open = 0;     ///< connections open or being opened (idle + in use)
    std::size_t idle = 0;     ///< open, ready for reuse
    std::size_t in_use = 0;   ///< lent to a call (or being opened for one)
    std::size_t waiting = 0;  ///< calls waiting for a connection
    std::size_t opening = 0;  ///< connections being opened (TCP connect and TLS handshake)
    std::uint64_t connections_opened = 0;   ///< TCP connections made since the start
    std::uint64_t tls_handshakes = 0;       ///< TLS handshakes completed
    std::uint64_t tls_sessions_resumed = 0; ///< ... of which resumed an earlier session
    std::uint64_t replays = 0;  ///< requests resent once after a reused connection turned out closed
    std::uint64_t requests_sent = 0;  ///< HTTP requests written in full (retries and replays included)
    std::uint64_t name_lookups = 0;   ///< DNS lookups of the endpoint's host (see pool_params::dns_ttl)
    /// Idle connections dropped when a call came for them: too old, or the peer had sent
    /// something (an unsolicited response, a close) while they sat idle.
    std::uint64_t closed_while_idle = 0;
};

/// An asynchronous Bedrock Agent client: one endpoint, one connection pool, one retry quota.
///
/// Thread safety: like every Asio I/O object, a client is used from one thread at a time. To
/// share one across the threads of a multi-threaded io_context, construct it with a strand
/// (asio::make_strand(io)): every call then runs on that strand, and calls may be started from
/// any thread.
///
/// Lifetime: destroying the client closes every connection; calls in flight complete with
/// asio::error::operation_aborted. Destroy it on its executor's thread.
class client {
public:
    using executor_type = boost::asio::any_io_executor;

    /// Creates its own TLS context: TLS 1.2+, the system trust store (or params.ca_file), peer
    /// and host name verification unless params.verify_tls is false. A configuration error
    /// (bad endpoint URL, unreadable CA file, no region, no credentials) does not throw: each
    /// call then fails with it (errc::invalid_configuration or errc::no_credentials), and
    /// diagnostics::client_message() says what is wrong.
    BEDROCK_AGENT_DECL client(executor_type ex, const client_params& params);
    /// Uses the caller's TLS context, which must outlive the client. Host name verification and
    /// SNI are still set per connection unless params.verify_tls is false.
    BEDROCK_AGENT_DECL client(executor_type ex, boost::asio::ssl::context& ctx, const client_params& params);
    BEDROCK_AGENT_DECL ~client();
    client(client&&) noexcept = default;
    client& operator=(client&&) noexcept = default;
    client(const client&) = delete;
    client& operator=(const client&) = delete;

    BEDROCK_AGENT_DECL executor_type get_executor() const noexcept;

    /// StopIngestionJob.
    ///
    /// Completion signature: void(boost::system::error_code, stop_ingestion_job_response).
    /// The default token makes this an awaitable that throws error_with_diagnostics.
    /// Errors: errc::invalid_request before any I/O; the service's errors (errc::conflict ...);
    /// errc::timeout; network errors; asio::error::operation_aborted when cancelled.
    /// Retries: AWS standard mode (params.retry), on timers, never blocking a thread.
    /// Cancellation: terminal, through the token's cancellation slot, while waiting for a
    /// connection, mid-request or during backoff; the connection in use is closed.
    /// Executor: the handler's associated executor, else the client's. Never completes inline.
    /// `req` is copied; `diag` must live until completion and is filled in either way.
    template <class CompletionToken = awaitable_with_diagnostics_t>
    auto stop_ingestion_job(const stop_ingestion_job_request& req, diagnostics& diag, CompletionToken&& token = {})
    {
        return initiate<stop_ingestion_job_response, CompletionToken>(req, &diag, token);
    }

    /// StopIngestionJob, without a diagnostics object of your own.
    template <class CompletionToken = awaitable_with_diagnostics_t>
    auto stop_ingestion_job(const stop_ingestion_job_request& req, CompletionToken&& token = {})
    {
        return initiate<stop_ingestion_job_response, CompletionToken>(req, nullptr, token);
    }

    /// GetIngestionJob: the job's current state. Completion signature:
    /// void(boost::system::error_code, get_ingestion_job_response). Errors, retries, cancellation,
    /// executor and lifetimes as for stop_ingestion_job.
    template <class CompletionToken = awaitable_with_diagnostics_t>
    auto get_ingestion_job(const get_ingestion_job_request& req, diagnostics& diag, CompletionToken&& token = {})
    {
        return initiate<get_ingestion_job_response, CompletionToken>(req, &diag, token);
    }

    /// GetIngestionJob, without a diagnostics object of your own.
    template <class CompletionToken = awaitable_with_diagnostics_t>
    auto get_ingestion_job(const get_ingestion_job_request& req, CompletionToken&& token = {})
    {
        return initiate<get_ingestion_job_response, CompletionToken>(req, nullptr, token);
    }

    /// Open, idle, in-use and waiting counts, plus counters (call on the client's executor).
    BEDROCK_AGENT_DECL pool_stats connection_pool_stats() const;

    /// The region requests are signed for, and the endpoint they go to (after resolution).
    BEDROCK_AGENT_DECL const std::string& region() const noexcept;
    BEDROCK_AGENT_DECL std::string endpoint_url() const;

private:
    // Every operation: a small initiation over the one compiled entry point, detail::async_call
    // (detail/call_initiation.hpp).
    // (CompletionToken as the operation deduced it: a reference for an lvalue token.)
    template <class Response, class CompletionToken, class Request>
    auto initiate(const Request& req, diagnostics* diag, CompletionToken& token)
    {
        return boost::asio::async_initiate<CompletionToken, void(boost::system::error_code, Response)>(
            detail::call_initiation<Request, Response>{impl_}, token, req, diag);
    }

    std::shared_ptr<detail::client_impl> impl_;
};

}  // namespace bedrock_agent

// How the operations above reach the compiled call path.
#include <bedrock_agent/detail/call_initiation.hpp>

#ifdef BEDROCK_AGENT_HEADER_ONLY
#include <bedrock_agent/impl/client.ipp>
#endif

#endif
