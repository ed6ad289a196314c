#ifndef BEDROCK_AGENT_IMPL_CLIENT_IPP
#define BEDROCK_AGENT_IMPL_CLIENT_IPP

#include <bedrock_agent/client.hpp>
#include <bedrock_agent/impl/internal/io/client_impl.hpp>
#include <bedrock_agent/impl/internal/settings.hpp>

#include <boost/asio/ip/address.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/append.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <cstdlib>

namespace bedrock_agent {
namespace detail {

BEDROCK_AGENT_DECL bool is_valid_region(std::string_view r)
{
    // A DNS label (botocore validates the region the same way before using it in a host name).
    if (r.empty() || r.size() > 63 || r.front() == '-' || r.back() == '-') return false;
    for (char c : r)
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-')) return false;
    return true;
}


inline std::string hostport(const endpoint& ep) { return ep.host_header.empty() ? ep.host : ep.host_header; }


// (Coroutines here use named functions, not lambdas: a lambda in an inline coroutine's frame
// has no linkage, which GCC warns about in header-only mode.)

// A request's head for debug output (its wire bytes), secrets replaced.
BEDROCK_AGENT_COLD inline std::string redacted_request(std::string_view wire, const endpoint& ep)
{
    std::string out = "request:\n";
    bool first = true;
    for (std::size_t pos = 0; pos < wire.size();) {
        std::size_t eol = wire.find("\r\n", pos);
        if (eol == std::string_view::npos || eol == pos) break;
        std::string_view line = wire.substr(pos, eol - pos);
        pos = eol + 2;
        if (first) {
            out.append(line).append(ep.tls ? " (https://" : " (http://").append(hostport(ep)).append(")\n");
            first = false;
            continue;
        }
        std::string_view name = line.substr(0, line.find(':'));
        bool secret = sigv4::detail::iequals(name, "authorization") || sigv4::detail::iequals(name, "x-amz-security-token");
        if (secret) out.append(name).append(": <redacted>\n");
        else out.append(line).append("\n");
    }
    return out;
}

BEDROCK_AGENT_COLD inline std::string redacted_response(const sansio::response_data& r)
{
    std::string out = "response:\nHTTP/1.1 " + std::to_string(r.status) + " " + r.reason + "\n";
    for (const auto& [name, value] : r.fields) {
        bool secret = sigv4::detail::iequals(name, "authorization") || sigv4::detail::iequals(name, "x-amz-security-token");
        out.append(name).append(": ").append(secret ? std::string_view("<redacted>") : std::string_view(value)).append("\n");
    }
    return out + "body: " + std::to_string(r.body.size()) + " bytes\n";
}

/// Ends a call that never ran (queued, or refused at the door) with `ec`: through the handler's
/// executor, never inline. The block is gone afterwards.
inline void fail_queued(const std::shared_ptr<client_impl>& impl, call_block* c, error_code ec, std::string_view why)
{
    call_ptr block(c);
    if (c->diag) {
        c->diag->clear();
        detail::diag(*c->diag).set_client_message(why);
    }
    auto slot = asio::get_associated_cancellation_slot(c->handler);
    if (slot.is_connected()) slot.clear();
    asio::post(impl->ex_, asio::append(std::move(c->handler), ec, static_cast<void*>(nullptr)));
}

/// What a call's coroutine ends with: its error, and the response it parsed (owned; null if none).
struct call_result {
    error_code ec;
    void* response = nullptr;
};

/// co_spawn's completion: (exception_ptr, call_result) to the call's handler, whose executor,
/// allocator and cancellation slot it carries; the response is freed once the handler has
/// moved it out.
struct spawn_completion {
    call_handler handler;
    const operation* op;
    void operator()(std::exception_ptr ep, call_result r)
    {
        response_ptr response(r.response, response_deleter{op});
        if (ep) std::rethrow_exception(ep);  // only std::bad_alloc can get here
        std::move(handler)(r.ec, r.ec ? nullptr : r.response);
    }
    using cancellation_slot_type = asio::cancellation_slot;
    cancellation_slot_type get_cancellation_slot() const noexcept { return handler.get_cancellation_slot(); }
    using allocator_type = call_handler::allocator_type;
    allocator_type get_allocator() const noexcept { return handler.get_allocator(); }
    // (No executor: co_spawn completes on the client's, and the handler's own wrapper,
    // detail::call_completion, goes on to the handler's associated executor if it has one.)
};

inline std::string waited_too_long(const client_params& p, const pool& pl)
{
    if (!pl.at_call_limit())
        return "timed out waiting for a free connection (" + std::to_string(pl.stats().opening) +
               " being opened, the most at once: pool_params::max_opening)";
    return "timed out waiting for a free connection (all " + std::to_string(p.pool.max_connections) + " in use)";
}

BEDROCK_AGENT_COLD BEDROCK_AGENT_DECL client_impl::client_impl(asio::any_io_executor ex, asio::ssl::context* user_ctx,
                                            const client_params& p)
    : ex_(std::move(ex)), params_(p), pool_(ex_, params_.pool), quota_(p.retry.quota_capacity),
      rng_(std::random_device{}())
{
    pool_.on_queue_timeout = [](call_block* c, void* self) {
        auto* impl = static_cast<client_impl*>(self);
        fail_queued(impl->shared_from_this(), c, make_error_code(errc::timeout), waited_too_long(impl->params_, impl->pool_));
    };
    pool_.on_queue_timeout_arg = this;
    // Region, endpoint, retries, CA bundle and credentials: explicit params, then the
    // environment, then the shared config files.
    auto st = resolve_settings(params_, environment::process());
    if (st.ec) fail_config(st.ec, st.why);
    region_ = st.region;
    params_.retry.max_attempts = st.max_attempts;
    params_.retry.mode = st.mode;
    if (!st.ca_file.empty()) params_.ca_file = st.ca_file;
    if (!config_ec_ && region_.empty())
        fail_config(make_error_code(errc::invalid_configuration),
                    "no region: set client_params::region, AWS_REGION, AWS_DEFAULT_REGION or the profile's region");
    else if (!config_ec_ && !is_valid_region(region_))
        fail_config(make_error_code(errc::invalid_configuration),
                    "invalid region \"" + region_ + "\": expected letters, digits and '-'");
    endpoint_url_ = st.endpoint_url;
    if (!config_ec_) {
        std::string why;
        if (auto ec = parse_endpoint(endpoint_url_, ep_, why)) fail_config(ec, why);
    }
    host_text_ = hostport(ep_);
    header_limit_ = static_cast<std::uint32_t>(std::min<std::size_t>(params_.max_response_header_bytes, UINT32_MAX));
    if (st.creds) {
        creds_ = *st.creds;
    } else if (!config_ec_) {
        // credential_process, the container endpoint and instance metadata need I/O: they run at
        // the first call, behind a cache.
        creds_cache_ = std::make_shared<credentials_cache>(ex_, make_chain_config(st, environment::process()),
                                                           st.providers_tried);
    }
    if (!config_ec_ && !creds_cache_)
        if (auto fault = credentials_fault(creds_); !fault.empty())
            fail_config(make_error_code(errc::no_credentials), std::move(fault));

    // TLS.
    if (user_ctx) {
        ctx_ = user_ctx;
    } else if (ep_.tls) {
        own_ctx_ = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_client);
        SSL_CTX_set_min_proto_version(own_ctx_->native_handle(), TLS1_2_VERSION);
        error_code ec;
        if (params_.verify_tls) {
            own_ctx_->set_verify_mode(asio::ssl::verify_peer);
            std::string ca = params_.ca_file.value_or("");
            if (!ca.empty()) {
                own_ctx_->load_verify_file(ca, ec);
                if (ec) fail_config(make_error_code(errc::invalid_configuration),
                                    "cannot load the CA file \"" + ca + "\": " + ec.message());
            } else {
                own_ctx_->set_default_verify_paths(ec);
            }
        } else {
            own_ctx_->set_verify_mode(asio::ssl::verify_none);
        }
        ctx_ = own_ctx_.get();
    }
}

/// True if this thread runs the client's executor (an io_context's, or a strand of one): the
/// admission count may be touched here, and a call admitted here starts without a queue node.
inline bool on_client_executor(const client_impl& impl) noexcept
{
    if (const auto* e = impl.ex_.target<asio::io_context::executor_type>()) return e->running_in_this_thread();
    if (const auto* st = impl.ex_.target<asio::strand<asio::io_context::executor_type>>())
        return st->running_in_this_thread();
    return false;
}

BEDROCK_AGENT_DECL asio::awaitable<call_result> run_call(std::shared_ptr<client_impl> impl, call_ptr call);

/// Runs an admitted call: its coroutine (which owns the block), completing its handler.
inline void spawn_call(const std::shared_ptr<client_impl>& impl, call_ptr call)
{
    call_handler handler(std::move(call->handler));
    const operation* op = call->op;
    auto run = run_call(impl, std::move(call));
    asio::co_spawn(impl->ex_, std::move(run), spawn_completion{std::move(handler), op});
}

BEDROCK_AGENT_DECL void client_impl::start_call(const std::shared_ptr<client_impl>& self, call_block* call)
{
    auto slot = asio::get_associated_cancellation_slot(call->handler);
    if (slot.is_connected()) slot.clear();
    spawn_call(self, call_ptr(call));
}

BEDROCK_AGENT_DECL void async_call(const std::shared_ptr<client_impl>& impl, operation_id id, const void* request,
                                   diagnostics* diag, call_handler handler)
{
    const operation& op = operation_of(id);
    call_ptr block(op.make_call(std::move(handler), &op, request, diag));
    if (on_client_executor(*impl) && impl->pool_.admit()) {
        spawn_call(impl, std::move(block));
        return;
    }
    auto* call = block.release();
    // On the client's executor (a strand, when calls come from several threads).
    asio::dispatch(impl->ex_, [impl, call] { impl->admit(impl, call); });
}

BEDROCK_AGENT_DECL void client_impl::admit(const std::shared_ptr<client_impl>& self, call_block* call)
{
    if (pool_.admit()) {
        start_call(self, call);
        return;
    }
    if (pool_.waiting() >= params_.pool.max_waiting) {
        fail_queued(self, call, asio::error::no_buffer_space, "too many calls waiting for a connection (pool_params::max_waiting)");
        return;
    }
    // The wait counts against the first attempt's timeout and the operation's: the call's
    // clocks start at `submitted`.
    const auto now = clock_type::now();
    call->submitted = now;
    call->deadline = clock_type::time_point::max();
    for (auto limit : {params_.attempt_timeout, params_.operation_timeout})
        if (limit.count()) call->deadline = std::min(call->deadline, now + limit);
    pool_.enqueue(call);
    call->id = ++queued_ids_;
    // A cancellation takes the call out of the queue, through the client's executor (as co_spawn
    // does), if it is still there.
    auto slot = asio::get_associated_cancellation_slot(call->handler);
    if (slot.is_connected())
        slot.assign([node = call, ex = ex_, weak = std::weak_ptr<client_impl>(self), id = call->id](asio::cancellation_type t) {
            if (t == asio::cancellation_type::none) return;
            node->cancelled = true;  // the node lives while this handler is installed
            // Posted, not dispatched: taking the call out of the queue clears this slot, which
            // must not happen while this handler runs.
            asio::post(ex, [weak, id] {
                auto impl = weak.lock();
                if (!impl) return;
                if (auto* c = impl->pool_.find_queued(id)) {
                    impl->pool_.unlink(c);
                    fail_queued(impl, c, asio::error::operation_aborted, "cancelled while waiting for a connection");
                }
            });
        });
}

BEDROCK_AGENT_DECL void client_impl::call_done(const std::shared_ptr<client_impl>& self, bool starting)
{
    pool_.call_done(starting);
    start_queued(self);
}

BEDROCK_AGENT_DECL void client_impl::start_queued(const std::shared_ptr<client_impl>& self)
{
    // The first call is started here, inline: co_spawn (Boost 1.81) dispatches its first step,
    // so it runs inside the caller's frame until it first suspends (its request written, its
    // response awaited), one handler fewer per queued call than a post. A call that ends before
    // it suspends (a credential chain with no provider that needs I/O; other failures before
    // any I/O post first) calls back here from inside that start: any call started from there
    // is posted, so the stack never holds more than one inline start however long the queue.
    while (auto* next = pool_.next_to_run()) {
        if (end_abandoned(next)) continue;
        if (starting_inline_) {
            asio::post(ex_, [self, next] { self->start_or_fail(self, next); });
            continue;
        }
        starting_inline_ = true;
        struct reset {
            bool& flag;
            ~reset() { flag = false; }
        } guard{starting_inline_};
        start_call(self, next);
    }
}

BEDROCK_AGENT_DECL bool client_impl::end_abandoned(call_block* call)
{
    // Its cancel was emitted (the posted work that would take it out of the queue has not run
    // yet), or the client shut down: it ends here, without running, and gives back its room.
    if (!call->cancelled && !pool_.closed()) return false;
    pool_.call_done(/*starting=*/true);
    fail_queued(shared_from_this(), call, asio::error::operation_aborted,
                call->cancelled ? "cancelled while waiting for a connection" : "the client was destroyed");
    return true;
}

BEDROCK_AGENT_DECL void client_impl::start_or_fail(const std::shared_ptr<client_impl>& self, call_block* call)
{
    if (end_abandoned(call)) start_queued(self);
    else start_call(self, call);
}

BEDROCK_AGENT_DECL void client_impl::shutdown()
{
    pool_.shutdown();
    auto self = shared_from_this();
    while (auto* c = pool_.pop_queued()) fail_queued(self, c, asio::error::operation_aborted, "the client was destroyed");
    if (creds_cache_) creds_cache_->shutdown();
    for (auto* t : sleeping_) t->cancel();
}

/// The calls' side of an opening: the pool's deadline watch closes the connection at each
/// step's deadline; a cancelled call, or a client shut down, stops it after the name lookup.
/// Whether a call should stop: it was cancelled, or the client shut down (its pool closed).
inline bool call_cancelled(const asio::cancellation_state& cs, const pool& p) noexcept
{
    return cs.cancelled() != asio::cancellation_type::none || p.closed();
}

struct call_connect_owner final : connect_owner {
    pool& p;
    asio::cancellation_state cs;
    call_connect_owner(pool& pl, asio::cancellation_state s) : p(pl), cs(s) {}
    void watch(connection& c, clock_type::time_point deadline) override { p.set_deadline(&c, deadline); }
    bool abandoned() override { return call_cancelled(cs, p); }
};

BEDROCK_AGENT_DECL asio::awaitable<error_code> client_impl::open(connection& c, clock_type::time_point deadline, std::string& why)
{
    ++pool_.connections_opened;
    call_connect_owner owner(pool_, co_await asio::this_coro::cancellation_state);
    const connect_spec to{ep_.host, ep_.port, host_text_, params_.verify_tls, params_.pool.connect_timeout,
                          params_.pool.tls_handshake_timeout, params_.pool.dns_ttl};
    open_report report;
    error_code ec = co_await open_connection(c, to, deadline, owner, &resolved_, &pool_.tls_session, report, why);
    if (report.looked_up) ++pool_.name_lookups;
    if (report.handshaken) ++pool_.tls_handshakes;
    if (report.resumed) ++pool_.tls_sessions_resumed;
    co_return ec;
}

BEDROCK_AGENT_DECL void client_impl::write_request(connection& conn, const call_block& call,
                                                   const credentials& creds, unsigned attempt,
                                                   std::string_view invocation_id, clock_type::time_point deadline)
{
    call.op->write(writer_, conn.out, call,
             {ep_, creds, region_, std::chrono::system_clock::now() + clock_offset_, invocation_id, attempt,
              std::max(1u, *params_.retry.max_attempts), &keys_});
    if (params_.debug_log) params_.debug_log(redacted_request(conn.out, ep_));
    conn.response.keep_fields = static_cast<bool>(params_.debug_log);
    conn.deadline = deadline;
    pool_.track(&conn);
}

BEDROCK_AGENT_DECL void client_impl::read_answer(connection& conn, const operation& op, void*& response, diagnostics& d,
                                                 sansio::call_event& ev)
{
    const auto& res = conn.response;
    if (params_.debug_log) params_.debug_log(redacted_response(res));
    if (conn.is_tls() && !conn.session_saved) {
        // TLS 1.3 tickets arrive after the handshake; by the first response they are in.
        conn.session_saved = true;
        SSL_SESSION* s = SSL_get1_session(conn.ssl.get());
        if (s && SSL_SESSION_is_resumable(s)) pool_.tls_session.reset(s, ssl_session_deleter{});
        else if (s) SSL_SESSION_free(s);
    }
    // Parsed before the connection goes back: the response's buffers are the connection's.
    detail::diag(d).set_http_status(res.status);
    detail::diag(d).set_request_id(res.request_id);
    if (res.status / 100 == 2) {
        ev.ec = op.parse(res.body, response, d);
        return;
    }
    ev.http_status = res.status;
    ev.ec = parse_error_response({res.status, res.reason, res.error_type, res.request_id, res.body}, d);
    ev.aws_code = d.aws_error_code();
    if (auto offset = sansio::clock_skew_offset(d.aws_error_code(), res.date, std::chrono::system_clock::now())) {
        clock_offset_ = *offset;
        ev.clock_skew_corrected = true;
    }
}

BEDROCK_AGENT_DECL void client_impl::settle(const std::shared_ptr<client_impl>& self, std::unique_ptr<connection>& conn,
                                            sansio::connection_fate fate)
{
    using sansio::connection_fate;
    switch (fate) {
    case connection_fate::keep: return;
    case connection_fate::to_idle: pool_.release(std::move(conn), true); break;
    case connection_fate::close:
        conn->close(/*clean=*/true);
        pool_.release(std::move(conn), false);
        break;
    case connection_fate::drop:
        if (conn) conn->close();
        conn.reset();
        pool_.release(nullptr, false);
        break;
    case connection_fate::replace:
        conn->close();
        conn.reset();
        return;  // the slot stays the call's: it opens a fresh connection next
    }
    start_queued(self);  // a connection is idle, or there is room to open one
}

/// A running call: however it ends, the next queued call may run.
struct running_call {
    std::shared_ptr<client_impl> impl;
    bool starting = true;  ///< admitted, not yet at its first pool acquire
    ~running_call() { impl->call_done(impl, starting); }
};

BEDROCK_AGENT_DECL asio::awaitable<call_result> run_call(std::shared_ptr<client_impl> impl, call_ptr call)
{
    const operation& op = *call->op;
    diagnostics* const diag = call->diag;
    running_call running{impl};
    // A cancelled coroutine must not throw from its next co_await: every outcome is an error code.
    co_await asio::this_coro::throw_if_cancelled(false);
    const asio::cancellation_state cs = co_await asio::this_coro::cancellation_state;
    diagnostics local;
    diagnostics& d = diag ? *diag : local;
    d.clear();
    client_impl& c = *impl;

    error_code refused = c.config_ec_;
    if (refused) detail::diag(d).set_client_message(c.config_msg_);
    else if (c.pool_.closed()) refused = asio::error::operation_aborted;
    else refused = op.validate(*call, d);
    if (refused) {
        // Never complete inline: go through the executor first.
        co_await asio::post(c.ex_, asio::use_awaitable);
        co_return call_result{refused};
    }

    // The I/O of the call: one case per action of the state machine (sansio/call_fsm.hpp), which
    // makes every decision. Each step reports whether the call was cancelled (or the client shut
    // down) meanwhile.
    const sansio::uuid_text invocation_id = sansio::make_uuid_v4(c.rng_(), c.rng_());
    std::uniform_real_distribution<double> uniform(0.0, 1.0);
    sansio::call_fsm fsm(c.params_, c.quota_, d, c.host_text_, call->submitted, c.creds_cache_ != nullptr);
    response_ptr response(nullptr, response_deleter{&op});  // created by the first 2xx answer parsed
    std::unique_ptr<connection> conn;
    const credentials* creds = &c.creds_;
    std::shared_ptr<const credentials> held;  // the cache's, for this attempt
    std::string why;                          // a failed step's words (credentials, opening)
    sansio::call_event ev;                    // started
    for (;;) {
        const auto now = clock_type::now();
        const sansio::call_action a = fsm.resume(ev, now);
        c.settle(impl, conn, a.fate);
        ev = {};
        switch (a.kind) {
        case sansio::call_action::fetch_credentials: {
            // Read again for every attempt (as botocore's signer reads them), so a retry after a
            // refresh signs with the new ones.
            ev.kind = sansio::call_event::credentials_ready;
            held = c.creds_cache_->current();
            if (!held) {
                auto got = co_await credentials_cache::get(c.creds_cache_, a.deadline);
                ev.ec = got.ec;
                why = std::move(got.why);
                ev.why = why;
                held = std::move(got.creds);
            }
            creds = held.get();
            ev.cancelled = call_cancelled(cs, c.pool_);
            break;
        }
        case sansio::call_action::acquire: {
            ev.kind = sansio::call_event::connection_acquired;
            pool::acquired got = c.pool_.acquire(now, running.starting);
            ev.ec = got.ec;
            conn = std::move(got.conn);
            ev.idle = conn != nullptr;
            ev.cancelled = call_cancelled(cs, c.pool_);
            break;
        }
        case sansio::call_action::open: {
            if (a.replay) ++c.pool_.replays;
            conn = std::make_unique<connection>(c.ex_, c.ep_.tls ? c.ctx_ : nullptr);
            c.pool_.track(conn.get());
            c.pool_.opening_started();
            ev.kind = sansio::call_event::opened;
            ev.ec = co_await c.open(*conn, a.deadline, why);
            ev.why = why;
            c.pool_.opening_ended();
            c.pool_.untrack(conn.get());
            c.start_queued(impl);  // room to open another
            ev.cancelled = call_cancelled(cs, c.pool_);
            break;
        }
        case sansio::call_action::send: {
            // Sign and write the request, read the response into conn->response (parsing bytes
            // as they arrive), then parse the answer into the call's response or into d.
            c.write_request(*conn, *call, *creds, a.attempt,
                            std::string_view(invocation_id.data(), invocation_id.size()), a.deadline);
            exchange_result x;
            co_await exchange(*conn, x, c.header_limit_, c.params_.max_response_body_bytes);
            c.pool_.untrack(conn.get());
            if (x.sent) ++c.pool_.requests_sent;
            ev.kind = sansio::call_event::exchanged;
            ev.ec = x.ec;
            ev.step = x.step;
            ev.got_some = x.got_some;
            ev.keep_alive = x.keep_alive;
            ev.timed_out = conn->timed_out;
            ev.holds_input = conn->holds_input();
            ev.cancelled = call_cancelled(cs, c.pool_);
            if (!x.ec) {
                ev.answered = true;
                void* parsed = response.release();
                c.read_answer(*conn, op, parsed, d, ev);
                response.reset(parsed);
            }
            break;
        }
        case sansio::call_action::sleep: {
            asio::steady_timer t(c.ex_);
            t.expires_at(a.deadline);
            c.sleeping_.push_back(&t);
            auto [ec] = co_await t.async_wait(asio::as_tuple(asio::use_awaitable));
            std::erase(c.sleeping_, &t);
            ev.kind = sansio::call_event::slept;
            ev.ec = ec;
            ev.cancelled = call_cancelled(cs, c.pool_);
            break;
        }
        case sansio::call_action::finish:
            if (conn) c.settle(impl, conn, sansio::connection_fate::drop);  // (the machine settles it first)
            co_return call_result{a.ec, a.ec ? nullptr : response.release()};
        }
        if (ev.ec) ev.random01 = uniform(c.rng_);  // the backoff's jitter, should the step end the attempt
    }
}

}  // namespace detail

BEDROCK_AGENT_DECL client::client(executor_type ex, const client_params& params)
    : impl_(std::make_shared<detail::client_impl>(std::move(ex), nullptr, params))
{
}

BEDROCK_AGENT_DECL client::client(executor_type ex, boost::asio::ssl::context& ctx, const client_params& params)
    : impl_(std::make_shared<detail::client_impl>(std::move(ex), &ctx, params))
{
}

BEDROCK_AGENT_DECL client::~client()
{
    if (impl_) impl_->shutdown();
}

BEDROCK_AGENT_DECL client::executor_type client::get_executor() const noexcept { return impl_->ex_; }


BEDROCK_AGENT_DECL pool_stats client::connection_pool_stats() const { return impl_->pool_.stats(); }

BEDROCK_AGENT_DECL const std::string& client::region() const noexcept { return impl_->region_; }

BEDROCK_AGENT_DECL std::string client::endpoint_url() const { return impl_->endpoint_url_; }

}  // namespace bedrock_agent

#endif
