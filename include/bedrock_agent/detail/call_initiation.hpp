#ifndef BEDROCK_AGENT_DETAIL_CALL_INITIATION_HPP
#define BEDROCK_AGENT_DETAIL_CALL_INITIATION_HPP

// How a client::<operation>(req, [diag], token) call reaches the compiled call path: the user's
// handler is wrapped so that it receives (error_code, response), and the wrapper goes,
// type-erased as an asio::any_completion_handler, with the operation and a pointer to the
// request, to one compiled entry point (async_call). The compiled side copies the request, runs
// or queues the call, and completes the wrapper with the error and a pointer to the response it
// parsed (valid during the completion). The queue, the coroutine and the state machine are all
// behind that function (impl/client.ipp).

#include <bedrock_agent/detail/config.hpp>
#include <bedrock_agent/diagnostics.hpp>
#include <bedrock_agent/error_with_diagnostics.hpp>
#include <bedrock_agent/get_ingestion_job.hpp>
#include <bedrock_agent/stop_ingestion_job.hpp>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/append.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/associator.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/system/error_code.hpp>

#include <memory>
#include <type_traits>
#include <utility>

namespace bedrock_agent {

struct awaitable_with_diagnostics_t;  // client.hpp

namespace detail {

class client_impl;

/// The operations the compiled call path knows (impl/internal/operation.hpp maps each to its
/// descriptor).
enum class operation_id : unsigned char { stop_ingestion_job, get_ingestion_job };

/// Each request type names its operation.
template <class Request>
struct operation_id_of;
template <>
struct operation_id_of<stop_ingestion_job_request> {
    static constexpr operation_id value = operation_id::stop_ingestion_job;
};
template <>
struct operation_id_of<get_ingestion_job_request> {
    static constexpr operation_id value = operation_id::get_ingestion_job;
};

/// A call's completion, type-erased: the error, and the operation's response (null when the
/// call failed), owned by the call path and valid while the handler runs.
using call_handler = boost::asio::any_completion_handler<void(boost::system::error_code, void*)>;

/// The one compiled entry point of every call: copies `*request`, validates it, runs the call now
/// or queues it, and completes `handler` (never inline). `diag` (may be null) must live until then.
BEDROCK_AGENT_DECL void async_call(const std::shared_ptr<client_impl>& impl, operation_id op, const void* request,
                                   diagnostics* diag, call_handler handler);

/// Stands for "no executor of its own" when asking a handler type for its associated executor.
struct no_associated_executor {};

/// Completes the user's handler with (error_code, response). It is invoked on the client's
/// executor; a handler with an associated executor of its own (a strand, a coroutine's
/// executor) is dispatched to it, which runs it at once when that is where this runs. Which of
/// the two is known from the handler's type, so a plain callback costs no executor at all.
template <class Response, class Handler>
struct call_completion {
    Handler handler;

    void operator()(boost::system::error_code ec, void* response)
    {
        Response r = ec || !response ? Response{} : std::move(*static_cast<Response*>(response));
        using own = boost::asio::associated_executor_t<Handler, no_associated_executor>;
        if constexpr (std::is_same_v<own, no_associated_executor>) {
            std::move(handler)(ec, std::move(r));
        } else {
            auto ex = boost::asio::get_associated_executor(handler);
            boost::asio::dispatch(ex, boost::asio::append(std::move(handler), ec, std::move(r)));
        }
    }
};

template <class Request, class Response>
struct call_initiation {
    std::shared_ptr<client_impl> impl;

    template <class Handler>
    void operator()(Handler&& handler, const Request& req, diagnostics* diag) const
    {
        async_call(impl, operation_id_of<Request>::value, &req, diag, call_completion<Response, std::decay_t<Handler>>{std::forward<Handler>(handler)});
    }
};

}  // namespace detail
}  // namespace bedrock_agent

namespace boost::asio {

// The wrapper keeps the associated executor, allocator and cancellation slot of the handler it
// wraps.
template <template <class, class> class Associator, class Response, class Handler, class Default>
struct associator<Associator, bedrock_agent::detail::call_completion<Response, Handler>, Default> {
    using type = typename Associator<Handler, Default>::type;
    static type get(const bedrock_agent::detail::call_completion<Response, Handler>& h) noexcept
    {
        return Associator<Handler, Default>::get(h.handler);
    }
    static type get(const bedrock_agent::detail::call_completion<Response, Handler>& h, const Default& d) noexcept
    {
        return Associator<Handler, Default>::get(h.handler, d);
    }
};

// awaitable_with_diagnostics: the call as an awaitable that throws error_with_diagnostics.
template <class Response>
class async_result<bedrock_agent::awaitable_with_diagnostics_t, void(boost::system::error_code, Response)> {
public:
    using return_type = awaitable<Response>;

    template <class Initiation, class Request>
    static return_type initiate(Initiation init, bedrock_agent::awaitable_with_diagnostics_t, Request req,
                                bedrock_agent::diagnostics* diag)
    {
        bedrock_agent::diagnostics local;
        bedrock_agent::diagnostics* d = diag ? diag : &local;
        auto [ec, resp] = co_await async_initiate<const as_tuple_t<use_awaitable_t<>>&,
                                                  void(boost::system::error_code, Response)>(
            std::move(init), as_tuple(use_awaitable), std::move(req), d);
        if (ec) throw bedrock_agent::error_with_diagnostics(ec, *d);
        co_return std::move(resp);
    }
};

}  // namespace boost::asio

#endif
