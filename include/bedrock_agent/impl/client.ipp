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

inline std::string ms_text(std::chrono::milliseconds ms) { return std::to_string(ms.count()) + " ms"; }

// (Coroutines here use named functions, not lambdas: a lambda in an inline coroutine's frame
// has no linkage, which GCC warns about in header-only mode.)
inline clock_type::time_point step_deadline(clock_type::time_point deadline, std::chrono::milliseconds limit)
{
    if (limit.count() == 0) return deadline;
    return std::min(deadline, clock_type::now() + limit);
}

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

inline std::string op_timeout_message(std::chrono::milliseconds limit, const char* where, unsigned attempts)
{
    return "operation_timeout (" + ms_text(limit) + ") passed " + where + " after " + std::to_string(attempts) +
           " attempt(s)";
}

inline void fail_queued(queued_call* c, error_code ec, std::string_view why)
{
    if (c->diag) {
        c->diag->clear();
        c->diag->set_client_message(why);
    }
    c->fail(ec);
}

inline std::string waited_too_long(const client_params& p, const pool& pl)
{
    if (!pl.full())
        return "timed out waiting for a free connection (" + std::to_string(pl.stats().opening) +
               " being opened, the most at once: pool_params::max_opening)";
    return "timed out waiting for a free connection (all " + std::to_string(p.pool.max_connections) + " in use)";
}

BEDROCK_AGENT_COLD BEDROCK_AGENT_DECL client_impl::client_impl(asio::any_io_executor ex, asio::ssl::context* user_ctx,
                                            const client_params& p)
    : ex_(std::move(ex)), params_(p), pool_(ex_, params_.pool), quota_(p.retry.quota_capacity),
      rng_(std::random_device{}())
{
    pool_.on_queue_timeout = [](queued_call* c, void* self) {
        auto* impl = static_cast<client_impl*>(self);
        fail_queued(c, make_error_code(errc::timeout), waited_too_long(impl->params_, impl->pool_));
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

BEDROCK_AGENT_DECL bool admit_here(const std::shared_ptr<client_impl>& impl) noexcept
{
    // The admission count belongs to the client's executor: touch it only from its thread.
    bool here = false;
    if (const auto* e = impl->ex_.target<asio::io_context::executor_type>()) here = e->running_in_this_thread();
    else if (const auto* st = impl->ex_.target<asio::strand<asio::io_context::executor_type>>())
        here = st->running_in_this_thread();
    return here && impl->pool_.admit();
}

BEDROCK_AGENT_DECL void submit(const std::shared_ptr<client_impl>& impl, queued_call* call)
{
    // On the client's executor (a strand, when calls come from several threads).
    asio::dispatch(impl->ex_, [impl, call] { impl->admit(impl, call); });
}

BEDROCK_AGENT_DECL void client_impl::admit(const std::shared_ptr<client_impl>& self, queued_call* call)
{
    if (pool_.admit()) {
        call->start(self);
        return;
    }
    if (pool_.waiting() >= params_.pool.max_waiting) {
        fail_queued(call, asio::error::no_buffer_space, "too many calls waiting for a connection (pool_params::max_waiting)");
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
    call->connect_cancellation(
        [](client_impl& impl, std::uint32_t id) {
            if (auto* c = impl.pool_.find_queued(id)) {
                impl.pool_.unlink(c);
                fail_queued(c, asio::error::operation_aborted, "cancelled while waiting for a connection");
            }
        },
        self);
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
        next->start(self);
    }
}

BEDROCK_AGENT_DECL bool client_impl::end_abandoned(queued_call* call)
{
    // Its cancel was emitted (the posted work that would take it out of the queue has not run
    // yet), or the client shut down: it ends here, without running, and gives back its room.
    if (!call->cancelled && !pool_.closed()) return false;
    pool_.call_done(/*starting=*/true);
    fail_queued(call, asio::error::operation_aborted,
                call->cancelled ? "cancelled while waiting for a connection" : "the client was destroyed");
    return true;
}

BEDROCK_AGENT_DECL void client_impl::start_or_fail(const std::shared_ptr<client_impl>& self, queued_call* call)
{
    if (end_abandoned(call)) start_queued(self);
    else call->start(self);
}

BEDROCK_AGENT_DECL void client_impl::shutdown()
{
    pool_.shutdown();
    while (auto* c = pool_.pop_queued()) fail_queued(c, asio::error::operation_aborted, "the client was destroyed");
    if (creds_cache_) creds_cache_->shutdown();
    for (auto* t : sleeping_) t->cancel();
}

BEDROCK_AGENT_DECL asio::awaitable<error_code> client_impl::open(connection& c, clock_type::time_point deadline, diagnostics& d)
{
    using asio::ip::tcp;
    ++pool_.connections_opened;
    auto connect_deadline = step_deadline(deadline, params_.pool.connect_timeout);
    // An IP literal is "resolved" once and for all; a name's answer is kept for dns_ttl.
    if (!resolved_.empty() && !is_ip_literal(ep_.host) && clock_type::now() - resolved_at_ >= params_.pool.dns_ttl)
        resolved_ = {};
    if (resolved_.empty()) {
        if (is_ip_literal(ep_.host)) {
            resolved_ = tcp::resolver::results_type::create(
                tcp::endpoint(asio::ip::make_address(ep_.host), ep_.port), ep_.host, std::to_string(ep_.port));
        } else {
            // DNS has no deadline of its own: a timer cancels the lookup.
            auto resolver = std::make_shared<tcp::resolver>(ex_);
            asio::steady_timer t(ex_);
            t.expires_at(connect_deadline);
            t.async_wait([resolver](error_code ec) {
                if (!ec) resolver->cancel();
            });
            ++pool_.name_lookups;
            auto [ec, results] =
                co_await resolver->async_resolve(ep_.host, std::to_string(ep_.port), asio::as_tuple(asio::use_awaitable));
            bool timed_out = t.expiry() <= clock_type::now();
            t.cancel();
            // The lookup cannot be cancelled through the call's slot: a cancel or a shutdown that
            // came meanwhile ends the opening here, before any connection is made.
            auto cs = co_await asio::this_coro::cancellation_state;
            if (cs.cancelled() != asio::cancellation_type::none || pool_.closed()) co_return asio::error::operation_aborted;
            if (ec) {
                if (timed_out && ec == asio::error::operation_aborted) {
                    d.set_client_message("resolving " + ep_.host + " timed out");
                    co_return make_error_code(errc::timeout);
                }
                d.set_client_message("resolving " + ep_.host + ": " + ec.message());
                co_return ec;
            }
            resolved_ = results;
            resolved_at_ = clock_type::now();
        }
    }
    pool_.set_deadline(&c, connect_deadline);
    // Once the deadline watch has closed the socket, the other addresses are not tried.
    auto [cec, ep] = co_await asio::async_connect(
        c.socket(), resolved_, connect_condition{&c}, asio::as_tuple(asio::use_awaitable));
    if (cec || c.timed_out) {
        resolved_ = {};  // look the name up again next time
        if (c.timed_out) {
            d.set_client_message("connecting to " + hostport(ep_) + " timed out");
            co_return make_error_code(errc::timeout);
        }
        d.set_client_message("connecting to " + hostport(ep_) + ": " + cec.message());
        co_return cec;
    }
    error_code ignored;
    c.socket().set_option(tcp::no_delay(true), ignored);
    error_code aec;
    c.attach(aec);
    if (aec) {
        d.set_client_message("setting up the connection to " + hostport(ep_) + ": " + aec.message());
        co_return aec;
    }
    if (!c.is_tls()) co_return error_code{};

    if (!prepare_tls(c, ep_.host, params_.verify_tls)) {
        d.set_client_message("cannot verify the host name " + ep_.host);
        co_return make_error_code(errc::invalid_configuration);
    }
    SSL* ssl = c.ssl.get();
    if (pool_.tls_session) SSL_set_session(ssl, pool_.tls_session.get());
    pool_.set_deadline(&c, step_deadline(deadline, params_.pool.tls_handshake_timeout));
    error_code hec = co_await tls_handshake(c);
    if (hec || c.timed_out) {
        if (c.timed_out) {
            d.set_client_message("TLS handshake with " + hostport(ep_) + " timed out");
            co_return make_error_code(errc::timeout);
        }
        d.set_client_message("TLS handshake with " + hostport(ep_) + ": " + handshake_failure(c, hec));
        co_return hec;
    }
    ++pool_.tls_handshakes;
    if (SSL_session_reused(ssl)) ++pool_.tls_sessions_resumed;
    co_return error_code{};
}

BEDROCK_AGENT_DECL void client_impl::prepare_request(connection& conn, const stop_ingestion_job_request& req,
                                                     const credentials& creds, unsigned n, std::string_view invocation_id,
                                                     clock_type::time_point deadline)
{
    writer_.write(conn.out, req,
                  {ep_, creds, region_, std::chrono::system_clock::now() + clock_offset_, invocation_id, n,
                   std::max(1u, *params_.retry.max_attempts), &keys_});
    if (params_.debug_log) params_.debug_log(redacted_request(conn.out, ep_));
    conn.response.keep_fields = static_cast<bool>(params_.debug_log);
    conn.deadline = deadline;
    pool_.track(&conn);
}

BEDROCK_AGENT_DECL error_code client_impl::finish_attempt(std::unique_ptr<connection> conn, const exchange_result& x,
                                                          bool cancelled, unsigned n, stop_ingestion_job_response& out,
                                                          unsigned& http_status, bool& skew_corrected, diagnostics& d)
{
    error_code ec = x.ec;
    const std::string_view step = x.step;
    if (ec) {
        conn->close();
        pool_.release(nullptr, false);
        if (cancelled) {
            return asio::error::operation_aborted;
        } else if (conn->timed_out) {
            d.set_client_message(std::string("attempt ") + std::to_string(n) + " timed out " + std::string(step));
            return make_error_code(errc::timeout);
        } else if (ec == http::error::body_limit || ec == http::error::header_limit) {
            d.set_client_message(ec == http::error::body_limit
                                     ? "the response body is larger than " +
                                           std::to_string(params_.max_response_body_bytes) + " bytes"
                                     : "the response headers (interim responses, chunk-size lines, chunk extensions and "
                                       "trailers included) are larger than " +
                                           std::to_string(params_.max_response_header_bytes) + " bytes");
            return make_error_code(errc::response_too_large);
        }
        d.set_client_message(std::string(step) + " (" + hostport(ep_) + "): " + ec.message());
        return ec;
    }
    const auto& res = conn->response;
    if (params_.debug_log) params_.debug_log(redacted_response(res));
    if (conn->is_tls() && !conn->session_saved) {
        // TLS 1.3 tickets arrive after the handshake; by the first response they are in.
        conn->session_saved = true;
        SSL_SESSION* s = SSL_get1_session(conn->ssl.get());
        if (s && SSL_SESSION_is_resumable(s)) pool_.tls_session.reset(s, ssl_session_deleter{});
        else if (s) SSL_SESSION_free(s);
    }
    // The response is parsed before the connection goes back: its buffers are the
    // connection's.
    http_status = res.status;
    d.set_http_status(res.status);
    d.set_request_id(res.request_id);
    if (res.status / 100 == 2) {
        ec = parse_stop_ingestion_job_response(res.body, out, d);
        http_status = 0;
    } else {
        ec = parse_error_response({res.status, res.reason, res.error_type, res.request_id, res.body}, d);
        if (auto offset = sansio::clock_skew_offset(d.aws_error_code(), res.date, std::chrono::system_clock::now())) {
            clock_offset_ = *offset;
            skew_corrected = true;
        }
    }
    bool reusable = x.keep_alive && !conn->holds_input() && !conn->timed_out;
    if (!reusable) conn->close(/*clean=*/true);
    pool_.release(std::move(conn), reusable);
    return ec;
}

// What a call ends with: its error, and the response (the completion handler's) it fills.
struct call_outcome {
    error_code ec;
    stop_ingestion_job_response& response;
};

struct running_call {
    std::shared_ptr<client_impl> impl;
    bool starting = true;  ///< admitted, not yet at its first pool acquire
    ~running_call() { impl->call_done(impl, starting); }
};

BEDROCK_AGENT_DECL asio::awaitable<error_code> run_stop_ingestion_job(std::shared_ptr<client_impl> impl,
                                                                     stop_ingestion_job_request req, diagnostics* diag,
                                                                     stop_ingestion_job_response* response,
                                                                     clock_type::time_point submitted)
{
    // However it ends, the next queued call may run.
    running_call running{impl};
    // A cancelled coroutine must not throw from its next co_await: every outcome is an error code.
    co_await asio::this_coro::throw_if_cancelled(false);
    diagnostics local;
    diagnostics& d = diag ? *diag : local;
    d.clear();
    call_outcome out{{}, *response};
    client_impl& c = *impl;

    error_code early = c.config_ec_;
    if (early) d.set_client_message(c.config_msg_);
    else if (c.pool_.closed()) early = asio::error::operation_aborted;
    else early = validate(req, d);
    if (early) {
        // Never complete inline: go through the executor first.
        co_await asio::post(c.ex_, asio::use_awaitable);
        co_return early;
    }

    const auto& p = c.params_;
    const auto began = clock_type::now();
    // A queued call's clocks started when it was made.
    const auto start = submitted == clock_type::time_point{} ? began : submitted;
    const auto op_deadline = p.operation_timeout.count() ? start + p.operation_timeout : clock_type::time_point::max();

    const sansio::uuid_text invocation_id = sansio::make_uuid_v4(c.rng_(), c.rng_());
    std::uniform_real_distribution<double> uniform(0.0, 1.0);
    sansio::retry_fsm fsm(p.retry, c.quota_);

    for (auto action = fsm.start();;) {
        if (action.kind == sansio::retry_action::send) {
            // (The first attempt starts with the call's coroutine, one clock read fewer; its
            // timeout also counts the call's wait in the queue, began - start.)
            const bool first = action.attempt == 1;
            const auto attempt_start = first && !c.creds_cache_ ? began : clock_type::now();
            const auto timed_from = first ? attempt_start - (began - start) : attempt_start;
            auto attempt_deadline = op_deadline;
            if (p.attempt_timeout.count()) attempt_deadline = std::min(op_deadline, timed_from + p.attempt_timeout);
            // Credentials for this attempt: static ones, or the cache's current ones, read again
            // for every attempt (as botocore's signer reads them), so a retry after a refresh
            // signs with the new ones. Waiting for a fetch counts against the attempt's deadline;
            // the deadline is checked again before anything is written.
            const credentials* creds = &c.creds_;
            std::shared_ptr<const credentials> held;
            auto acquire_at = attempt_start;
            if (c.creds_cache_) {
                held = c.creds_cache_->current();
                if (!held) {
                    auto got = co_await credentials_cache::get(c.creds_cache_, attempt_deadline);
                    acquire_at = clock_type::now();
                    if (!got.ec && acquire_at >= attempt_deadline) {
                        got.ec = make_error_code(errc::timeout);
                        got.why = "timed out waiting for credentials";
                    }
                    if (got.ec) {  // the cache has already refused empty keys and control characters
                        d.set_client_message(std::move(got.why));
                        d.set_attempts(action.attempt - 1);
                        auto cs = co_await asio::this_coro::cancellation_state;
                        out.ec = cs.cancelled() != asio::cancellation_type::none || c.pool_.closed()
                                     ? error_code(asio::error::operation_aborted)
                                     : got.ec;
                        if (out.ec == errc::timeout && attempt_deadline == op_deadline)
                            d.set_client_message(op_timeout_message(p.operation_timeout, "waiting for credentials", fsm.attempts()));
                        break;
                    }
                    held = std::move(got.creds);
                }
                creds = held.get();
            }
            // Each attempt reports only its own outcome.
            d.set_aws_error_code({});
            d.set_message({});
            d.set_request_id({});
            d.set_http_status(0);
            d.set_field_list({});
            d.set_client_message({});
            unsigned http_status = 0;
            bool skew_corrected = false;
            error_code ec;
            {
                // One attempt, inline (one coroutine frame fewer per call): a connection from the
                // pool (opened if need be), the request, the response into out.response (2xx) or
                // into d (an error; http_status set).
                lease l = c.pool_.acquire(acquire_at, running.starting);
                std::unique_ptr<connection> conn = std::move(l.conn);
                bool replayed = false;
                while (!l.ec) {
                    if (!conn) {
                        conn = std::make_unique<connection>(c.ex_, c.ep_.tls ? c.ctx_ : nullptr);
                        c.pool_.track(conn.get());
                        c.pool_.opening_started();
                        error_code oec = co_await c.open(*conn, attempt_deadline, d);
                        c.pool_.opening_ended();
                        c.pool_.untrack(conn.get());
                        c.start_queued(impl);  // room to open another
                        if (oec) {
                            c.pool_.release(nullptr, false);
                            ec = oec;
                            break;
                        }
                    }
                    if (auto cs = co_await asio::this_coro::cancellation_state;
                        cs.cancelled() != asio::cancellation_type::none || c.pool_.closed()) {
                        // Cancelled, or the client shut down, while the connection was found or
                        // opened: nothing is sent.
                        conn->close();
                        c.pool_.release(nullptr, false);
                        ec = asio::error::operation_aborted;
                        break;
                    }
                    c.prepare_request(*conn, req, *creds, action.attempt,
                                      std::string_view(invocation_id.data(), invocation_id.size()), attempt_deadline);
                    auto header_limit =
                        static_cast<std::uint32_t>(std::min<std::size_t>(c.params_.max_response_header_bytes, UINT32_MAX));
                    // The exchange: send conn->out, read the response into conn->response,
                    // parsing bytes as they arrive.
                    exchange_result x;
                    co_await exchange(*conn, x, header_limit, c.params_.max_response_body_bytes);
                    c.pool_.untrack(conn.get());
                    if (x.sent) ++c.pool_.requests_sent;
                    auto ccs = co_await asio::this_coro::cancellation_state;
                    bool cancelled = ccs.cancelled() != asio::cancellation_type::none || c.pool_.closed();
                    if (x.ec && !cancelled && !conn->timed_out && conn->reused && !replayed && !x.got_some &&
                        !conn->holds_input() && sansio::classify(x.ec) == sansio::error_class::transient) {
                        // The server closed the connection while it sat idle: resend once on a
                        // fresh one, in the same slot, without spending a retry attempt.
                        conn->close();
                        conn.reset();
                        replayed = true;
                        ++c.pool_.replays;
                        continue;
                    }
                    ec = c.finish_attempt(std::move(conn), x, cancelled, action.attempt, out.response, http_status,
                                          skew_corrected, d);
                    c.start_queued(impl);  // the connection may be idle now
                    break;
                }
                if (l.ec) ec = l.ec;  // the client is shutting down
            }
            d.set_attempts(action.attempt);
            auto cs = co_await asio::this_coro::cancellation_state;
            if (cs.cancelled() != asio::cancellation_type::none || c.pool_.closed()) {
                out.ec = asio::error::operation_aborted;
                break;
            }
            if (ec == errc::timeout && attempt_deadline == op_deadline && clock_type::now() >= op_deadline) {
                out.ec = make_error_code(errc::timeout);
                d.set_client_message(op_timeout_message(p.operation_timeout, "during an attempt", fsm.attempts()));
                break;
            }
            action = fsm.resume({ec, http_status, d.aws_error_code(), skew_corrected}, uniform(c.rng_));
        } else if (action.kind == sansio::retry_action::sleep) {
            auto wake = clock_type::now() + std::chrono::duration_cast<clock_type::duration>(action.delay);
            asio::steady_timer t(c.ex_);
            t.expires_at(std::min(wake, op_deadline));
            c.sleeping_.push_back(&t);
            auto [ec] = co_await t.async_wait(asio::as_tuple(asio::use_awaitable));
            std::erase(c.sleeping_, &t);
            if (ec || c.pool_.closed()) {
                out.ec = asio::error::operation_aborted;
                break;
            }
            if (wake > op_deadline) {
                out.ec = make_error_code(errc::timeout);
                d.set_client_message(op_timeout_message(p.operation_timeout, "during backoff", fsm.attempts()));
                break;
            }
            action = fsm.resume_after_sleep();
        } else {
            out.ec = action.ec;
            if (action.quota_exhausted)
                d.set_client_message(d.client_message() + (d.client_message().empty() ? "" : "; ") +
                                     "not retried: the client's retry quota is exhausted");
            break;
        }
    }
    if (out.ec) out.response = {};
    co_return out.ec;
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

BEDROCK_AGENT_DECL client::executor_type client::executor_of(const std::shared_ptr<detail::client_impl>& impl) noexcept
{
    return impl->ex_;
}

BEDROCK_AGENT_DECL pool_stats client::pool_stats() const { return impl_->pool_.stats(); }

BEDROCK_AGENT_DECL const std::string& client::region() const noexcept { return impl_->region_; }

BEDROCK_AGENT_DECL std::string client::endpoint_url() const { return impl_->endpoint_url_; }

}  // namespace bedrock_agent

#endif
