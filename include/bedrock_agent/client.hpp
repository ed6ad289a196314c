#ifndef BEDROCK_AGENT_CLIENT_HPP
#define BEDROCK_AGENT_CLIENT_HPP

#include <bedrock_agent/client_params.hpp>
#include <bedrock_agent/detail/config.hpp>
#include <bedrock_agent/diagnostics.hpp>
#include <bedrock_agent/error.hpp>
#include <bedrock_agent/error_with_diagnostics.hpp>
#include <bedrock_agent/stop_ingestion_job.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/associator.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <chrono>
#include <cstdint>
#include <exception>
#include <memory>

namespace bedrock_agent {

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

/// The default completion token of client::stop_ingestion_job: makes the call an
/// asio::awaitable that returns the response or throws error_with_diagnostics.
struct awaitable_with_diagnostics_t {};
inline constexpr awaitable_with_diagnostics_t awaitable_with_diagnostics{};

namespace detail {
class client_impl;
/// The one compiled body of every stop_ingestion_job call, whatever the token. The response
/// goes into *response, which the completion handler's wrapper owns: the coroutine's result
/// is only an error code, cheap to pass through co_spawn's completion (a response object moved
/// five times on the way cost ~140 ns a call).
/// `submitted`: when a queued call was made (its wait counts against its timeouts); a
/// default-constructed time for a call that starts at once.
BEDROCK_AGENT_DECL boost::asio::awaitable<boost::system::error_code> run_stop_ingestion_job(
    std::shared_ptr<client_impl> impl, stop_ingestion_job_request req, diagnostics* diag,
    stop_ingestion_job_response* response, std::chrono::steady_clock::time_point submitted);

/// A call that waits, before any coroutine of its own exists, until the client may run it (at
/// most pool_params::max_connections calls run at once; the others queue here, FIFO). A queued
/// call costs this node: its handler, its request and a few pointers.
struct queued_call {
    stop_ingestion_job_request req;
    diagnostics* diag = nullptr;
    std::chrono::steady_clock::time_point submitted;  ///< when the call was made
    std::chrono::steady_clock::time_point deadline;   ///< to start by (attempt/operation timeout)
    queued_call* prev = nullptr;
    queued_call* next = nullptr;
    /// Names the call to a cancellation that arrives through the executor (32 bits: two queued
    /// calls could share one only after 2^32 queueings with the first still waiting).
    std::uint32_t id = 0;
    /// Set by the cancellation handler when the signal is emitted: a call started before the
    /// posted cancel runs sees it, and ends instead of running. (Beside id: the node keeps its size.)
    bool cancelled = false;

    queued_call(const stop_ingestion_job_request& r, diagnostics* d) : req(r), diag(d) {}
    virtual ~queued_call() = default;
    /// Runs the call (the node is gone afterwards).
    virtual void start(const std::shared_ptr<client_impl>& impl) = 0;
    /// Completes the call with `ec` through its executor, without running it (the node is gone
    /// afterwards).
    virtual void fail(boost::system::error_code ec) = 0;
    /// Installs a cancellation handler on the handler's slot: through the client's executor (as
    /// co_spawn does), cancel(impl, id) takes the call out of the queue if it is still there.
    virtual void connect_cancellation(void (*cancel)(client_impl&, std::uint32_t), const std::shared_ptr<client_impl>& impl) = 0;
};

/// Starts the call now, or queues it (on the client's executor).
BEDROCK_AGENT_DECL void submit(const std::shared_ptr<client_impl>& impl, queued_call* call);
/// True if this thread runs the client's executor (an io_context's, or a strand of one) and the
/// call may run now (counted as running): the caller starts it without a queue node.
BEDROCK_AGENT_DECL bool admit_here(const std::shared_ptr<client_impl>& impl) noexcept;

// Turns co_spawn's (exception_ptr, error_code) into the (error_code, response) users see; it
// owns the response the call fills.
template <class Handler>
struct unpack_handler {
    Handler handler;
    std::unique_ptr<stop_ingestion_job_response> response = std::make_unique<stop_ingestion_job_response>();

    void operator()(std::exception_ptr ep, boost::system::error_code ec)
    {
        if (ep) std::rethrow_exception(ep);  // only std::bad_alloc can get here
        std::move(handler)(ec, std::move(*response));
    }
};

/// co_spawns the call's coroutine with `handler` as its completion.
template <class Handler>
void spawn_call(const boost::asio::any_io_executor& ex, const std::shared_ptr<client_impl>& impl,
                stop_ingestion_job_request req, diagnostics* diag, Handler&& handler,
                std::chrono::steady_clock::time_point submitted = {})
{
    unpack_handler<std::decay_t<Handler>> h{std::forward<Handler>(handler)};
    auto* response = h.response.get();
    boost::asio::co_spawn(ex, run_stop_ingestion_job(impl, std::move(req), diag, response, submitted), std::move(h));
}

template <class Handler>
struct queued_call_impl final : queued_call {
    Handler handler;

    queued_call_impl(Handler&& h, const stop_ingestion_job_request& r, diagnostics* d)
        : queued_call(r, d), handler(std::move(h))
    {
    }

    void start(const std::shared_ptr<client_impl>& impl) override
    {
        disconnect();
        std::unique_ptr<queued_call_impl> self(this);
        spawn_call(executor, impl, std::move(req), diag, std::move(handler), submitted);
    }

    void fail(boost::system::error_code ec) override
    {
        disconnect();
        std::unique_ptr<queued_call_impl> self(this);
        auto ex = boost::asio::get_associated_executor(handler, executor);
        boost::asio::post(ex, [h = std::move(handler), ec]() mutable { std::move(h)(ec, stop_ingestion_job_response{}); });
    }

    void connect_cancellation(void (*cancel)(client_impl&, std::uint32_t), const std::shared_ptr<client_impl>& impl) override
    {
        auto slot = boost::asio::get_associated_cancellation_slot(handler);
        if (slot.is_connected())
            slot.assign([node = this, ex = executor, cancel, weak = std::weak_ptr<client_impl>(impl),
                         id = id](boost::asio::cancellation_type t) {
                if (t == boost::asio::cancellation_type::none) return;
                node->cancelled = true;  // the node lives while this handler is installed
                // Posted, not dispatched: taking the call out of the queue clears this slot,
                // which must not happen while this handler runs.
                boost::asio::post(ex, [cancel, weak, id] {
                    if (auto p = weak.lock()) cancel(*p, id);
                });
            });
    }

    /// The client's executor, captured when queued (the default for the handler's).
    boost::asio::any_io_executor executor;

private:
    void disconnect()
    {
        auto slot = boost::asio::get_associated_cancellation_slot(handler);
        if (slot.is_connected()) slot.clear();
    }
};
}  // namespace detail

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
        return boost::asio::async_initiate<CompletionToken,
                                           void(boost::system::error_code, stop_ingestion_job_response)>(
            initiation{impl_}, token, req, &diag);
    }

    /// StopIngestionJob, without a diagnostics object of your own.
    template <class CompletionToken = awaitable_with_diagnostics_t>
    auto stop_ingestion_job(const stop_ingestion_job_request& req, CompletionToken&& token = {})
    {
        return boost::asio::async_initiate<CompletionToken,
                                           void(boost::system::error_code, stop_ingestion_job_response)>(
            initiation{impl_}, token, req, static_cast<diagnostics*>(nullptr));
    }

    /// Open, idle, in-use and waiting counts, plus counters (call on the client's executor).
    BEDROCK_AGENT_DECL bedrock_agent::pool_stats pool_stats() const;

    /// The region requests are signed for, and the endpoint they go to (after resolution).
    BEDROCK_AGENT_DECL const std::string& region() const noexcept;
    BEDROCK_AGENT_DECL std::string endpoint_url() const;

private:
    struct initiation {
        std::shared_ptr<detail::client_impl> impl;
        template <class Handler>
        void operator()(Handler&& handler, const stop_ingestion_job_request& req, diagnostics* diag) const
        {
            if (detail::admit_here(impl)) {
                detail::spawn_call(executor_of(impl), impl, req, diag, std::forward<Handler>(handler));
                return;
            }
            using node = detail::queued_call_impl<std::decay_t<Handler>>;
            auto* call = new node(std::decay_t<Handler>(std::forward<Handler>(handler)), req, diag);
            call->executor = executor_of(impl);
            detail::submit(impl, call);
        }
    };
    BEDROCK_AGENT_DECL static executor_type executor_of(const std::shared_ptr<detail::client_impl>& impl) noexcept;

    std::shared_ptr<detail::client_impl> impl_;
};

}  // namespace bedrock_agent

namespace boost::asio {

// unpack_handler keeps the associated executor, allocator and cancellation slot of the handler
// it wraps.
template <template <class, class> class Associator, class Handler, class Default>
struct associator<Associator, bedrock_agent::detail::unpack_handler<Handler>, Default> {
    using type = typename Associator<Handler, Default>::type;
    static type get(const bedrock_agent::detail::unpack_handler<Handler>& h) noexcept
    {
        return Associator<Handler, Default>::get(h.handler);
    }
    static type get(const bedrock_agent::detail::unpack_handler<Handler>& h, const Default& d) noexcept
    {
        return Associator<Handler, Default>::get(h.handler, d);
    }
};

template <>
class async_result<bedrock_agent::awaitable_with_diagnostics_t,
                   void(boost::system::error_code, bedrock_agent::stop_ingestion_job_response)> {
public:
    using return_type = awaitable<bedrock_agent::stop_ingestion_job_response>;

    template <class Initiation>
    static return_type initiate(Initiation init, bedrock_agent::awaitable_with_diagnostics_t,
                                bedrock_agent::stop_ingestion_job_request req, bedrock_agent::diagnostics* diag)
    {
        bedrock_agent::diagnostics local;
        bedrock_agent::diagnostics* d = diag ? diag : &local;
        auto [ec, resp] = co_await async_initiate<const as_tuple_t<use_awaitable_t<>>&,
                                                  void(boost::system::error_code,
                                                       bedrock_agent::stop_ingestion_job_response)>(
            std::move(init), as_tuple(use_awaitable), std::move(req), d);
        if (ec) throw bedrock_agent::error_with_diagnostics(ec, *d);
        co_return std::move(resp);
    }
};

}  // namespace boost::asio

#ifdef BEDROCK_AGENT_HEADER_ONLY
#include <bedrock_agent/impl/client.ipp>
#endif

#endif
