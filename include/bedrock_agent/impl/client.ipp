#ifndef BEDROCK_AGENT_IMPL_CLIENT_IPP
#define BEDROCK_AGENT_IMPL_CLIENT_IPP

#include <bedrock_agent/client.hpp>
#include <bedrock_agent/impl/internal/io/client_impl.hpp>
#include <bedrock_agent/impl/internal/settings.hpp>

#include <boost/asio/ip/address.hpp>
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


inline bool is_ip_literal(const std::string& host)
{
    error_code ec;
    asio::ip::make_address(host, ec);
    return !ec;
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

inline std::string_view to_std(boost::beast::string_view v) { return {v.data(), v.size()}; }

// The head of a message for debug output, secrets replaced.
template <class Header>
std::string redacted_head(const char* what, const Header& h, const std::string& first_line)
{
    std::string out = std::string(what) + "\n" + first_line + "\n";
    for (const auto& f : h) {
        std::string_view name = to_std(f.name_string());
        bool secret = sigv4::detail::iequals(name, "authorization") || sigv4::detail::iequals(name, "x-amz-security-token");
        out.append(name).append(": ").append(secret ? std::string_view("<redacted>") : to_std(f.value())).append("\n");
    }
    return out;
}

inline std::string op_timeout_message(std::chrono::milliseconds limit, const char* where, unsigned attempts)
{
    return "operation_timeout (" + ms_text(limit) + ") passed " + where + " after " + std::to_string(attempts) +
           " attempt(s)";
}

BEDROCK_AGENT_DECL client_impl::client_impl(asio::any_io_executor ex, asio::ssl::context* user_ctx,
                                            const client_params& p)
    : ex_(std::move(ex)), params_(p), pool_(ex_, params_.pool), quota_(p.retry.quota_capacity),
      rng_(std::random_device{}())
{
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

BEDROCK_AGENT_DECL void client_impl::shutdown()
{
    pool_.shutdown();
    if (creds_cache_) creds_cache_->shutdown();
    for (auto* t : sleeping_) t->cancel();
}

BEDROCK_AGENT_DECL asio::awaitable<error_code> client_impl::open(connection& c, clock_type::time_point deadline, diagnostics& d)
{
    using asio::ip::tcp;
    ++pool_.connections_opened;
    auto connect_deadline = step_deadline(deadline, params_.pool.connect_timeout);
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
            auto [ec, results] =
                co_await resolver->async_resolve(ep_.host, std::to_string(ep_.port), asio::as_tuple(asio::use_awaitable));
            bool timed_out = t.expiry() <= clock_type::now();
            t.cancel();
            if (ec) {
                if (timed_out && ec == asio::error::operation_aborted) {
                    d.set_client_message("resolving " + ep_.host + " timed out");
                    co_return make_error_code(errc::timeout);
                }
                d.set_client_message("resolving " + ep_.host + ": " + ec.message());
                co_return ec;
            }
            resolved_ = results;
        }
    }
    c.set_deadline(connect_deadline);
    auto [cec, ep] = co_await c.tcp().async_connect(resolved_, asio::as_tuple(asio::use_awaitable));
    if (cec) {
        resolved_ = {};  // look the name up again next time
        if (cec == beast::error::timeout) {
            d.set_client_message("connecting to " + hostport(ep_) + " timed out");
            co_return make_error_code(errc::timeout);
        }
        d.set_client_message("connecting to " + hostport(ep_) + ": " + cec.message());
        co_return cec;
    }
    error_code ignored;
    c.tcp().socket().set_option(tcp::no_delay(true), ignored);
    if (!c.tls) co_return error_code{};

    SSL* ssl = c.tls->native_handle();
    if (!is_ip_literal(ep_.host)) SSL_set_tlsext_host_name(ssl, ep_.host.c_str());  // SNI (not for IPs: RFC 6066)
    if (params_.verify_tls) {
        c.tls->set_verify_mode(asio::ssl::verify_peer);
        c.tls->set_verify_callback(asio::ssl::host_name_verification(ep_.host));
    }
    if (pool_.tls_session) SSL_set_session(ssl, pool_.tls_session.get());
    c.set_deadline(step_deadline(deadline, params_.pool.tls_handshake_timeout));
    auto [hec] = co_await c.tls->async_handshake(asio::ssl::stream_base::client, asio::as_tuple(asio::use_awaitable));
    if (hec) {
        if (hec == beast::error::timeout) {
            d.set_client_message("TLS handshake with " + hostport(ep_) + " timed out");
            co_return make_error_code(errc::timeout);
        }
        std::string msg = "TLS handshake with " + hostport(ep_) + ": " + hec.message();
        long vr = SSL_get_verify_result(ssl);
        if (vr != X509_V_OK) msg += std::string(" (") + X509_verify_cert_error_string(vr) + ")";
        d.set_client_message(std::move(msg));
        co_return hec;
    }
    ++pool_.tls_handshakes;
    if (SSL_session_reused(ssl)) ++pool_.tls_sessions_resumed;
    co_return error_code{};
}

template <class Stream>
asio::awaitable<std::pair<error_code, const char*>> exchange(Stream& s, connection& c,
                                                              const sansio::http_request& req, response_parser& p)
{
    auto [wec, wn] = co_await http::async_write(s, req, asio::as_tuple(asio::use_awaitable));
    if (wec) co_return std::pair{wec, "sending the request"};
    auto [rec, rn] = co_await http::async_read(s, c.buffer, p, asio::as_tuple(asio::use_awaitable));
    co_return std::pair{rec, "reading the response"};
}

BEDROCK_AGENT_DECL asio::awaitable<attempt_result> client_impl::attempt(const stop_ingestion_job_request& req,
                                                                        const credentials& creds, unsigned n, std::string_view invocation_id,
                                                                        clock_type::time_point deadline, diagnostics& d)
{
    attempt_result r;
    auto lease = co_await pool_.acquire(deadline);
    if (lease.ec) {
        r.ec = lease.ec;
        if (lease.ec == errc::timeout)
            d.set_client_message("timed out waiting for a free connection (all " +
                                 std::to_string(params_.pool.max_connections) + " in use)");
        else if (lease.ec == asio::error::no_buffer_space)
            d.set_client_message("too many calls waiting for a connection (pool_params::max_waiting)");
        co_return r;
    }
    std::unique_ptr<connection> conn = std::move(lease.conn);
    bool replayed = false;
    for (;;) {
        if (!conn) {
            conn = std::make_unique<connection>(ex_, ep_.tls ? ctx_ : nullptr);
            pool_.track(conn.get());
            error_code ec = co_await open(*conn, deadline, d);
            pool_.untrack(conn.get());
            if (ec) {
                pool_.release(nullptr, false);
                r.ec = ec;
                co_return r;
            }
        }
        auto http_req = sansio::build_stop_ingestion_job(
            req, {ep_, creds, region_, std::chrono::system_clock::now(), invocation_id, n,
                  std::max(1u, *params_.retry.max_attempts), &keys_});
        response_parser parser;
        parser.header_limit(static_cast<std::uint32_t>(std::min<std::size_t>(params_.max_response_header_bytes, UINT32_MAX)));
        parser.body_limit(params_.max_response_body_bytes);
        if (params_.debug_log)
            params_.debug_log(redacted_head("request:", http_req,
                                            "POST " + std::string(to_std(http_req.target())) + " HTTP/1.1 (" +
                                                (ep_.tls ? "https://" : "http://") + hostport(ep_) + ")"));
        conn->set_deadline(deadline);
        pool_.track(conn.get());
        auto [ec, step] = conn->tls ? co_await exchange(*conn->tls, *conn, http_req, parser)
                                    : co_await exchange(*conn->plain, *conn, http_req, parser);
        pool_.untrack(conn.get());
        if (!ec || std::string_view(step) != "sending the request") ++pool_.requests_sent;
        auto cs = co_await asio::this_coro::cancellation_state;
        bool cancelled = cs.cancelled() != asio::cancellation_type::none || pool_.closed();
        if (ec && !cancelled && conn->reused && !replayed && !parser.got_some() && conn->buffer.size() == 0 &&
            sansio::classify(ec) == sansio::error_class::transient) {
            // The server closed the connection while it sat idle: resend once on a fresh one,
            // in the same slot, without spending a retry attempt.
            conn->close();
            conn.reset();
            replayed = true;
            ++pool_.replays;
            continue;
        }
        if (ec) {
            conn->close();
            pool_.release(nullptr, false);
            if (cancelled) {
                r.ec = asio::error::operation_aborted;
            } else if (ec == beast::error::timeout) {
                r.ec = make_error_code(errc::timeout);
                d.set_client_message(std::string("attempt ") + std::to_string(n) + " timed out " + step);
            } else if (ec == http::error::body_limit || ec == http::error::header_limit) {
                r.ec = make_error_code(errc::response_too_large);
                d.set_client_message(ec == http::error::body_limit
                                         ? "the response body is larger than " +
                                               std::to_string(params_.max_response_body_bytes) + " bytes"
                                         : "the response headers are larger than " +
                                               std::to_string(params_.max_response_header_bytes) + " bytes");
            } else {
                r.ec = ec;
                d.set_client_message(std::string(step) + " (" + hostport(ep_) + "): " + ec.message());
            }
            co_return r;
        }
        auto& res = parser.get();
        if (params_.debug_log)
            params_.debug_log(redacted_head("response:", res,
                                            "HTTP/1.1 " + std::to_string(res.result_int()) + " " +
                                                std::string(to_std(res.reason()))) +
                              "body: " + std::to_string(res.body().size()) + " bytes\n");
        if (conn->tls && !conn->session_saved) {
            // TLS 1.3 tickets arrive after the handshake; by the first response they are in.
            conn->session_saved = true;
            SSL_SESSION* s = SSL_get1_session(conn->tls->native_handle());
            if (s && SSL_SESSION_is_resumable(s)) pool_.tls_session.reset(s, ssl_session_deleter{});
            else if (s) SSL_SESSION_free(s);
        }
        bool reusable = res.keep_alive() && conn->buffer.size() == 0;
        if (!reusable) conn->close(/*clean=*/true);
        pool_.release(std::move(conn), reusable);

        unsigned status = res.result_int();
        d.set_http_status(status);
        auto rid = res.find("x-amzn-RequestId");
        if (rid != res.end()) d.set_request_id(std::string(rid->value()));
        if (status / 100 == 2) {
            r.ec = parse_stop_ingestion_job_response(res.body(), r.response, d);
        } else {
            auto et = res.find("X-Amzn-Errortype");
            r.ec = parse_error_response({status, to_std(res.reason()), et == res.end() ? std::string_view{} : to_std(et->value()),
                                         rid == res.end() ? std::string_view{} : to_std(rid->value()), res.body()},
                                        d);
            r.http_status = status;
        }
        co_return r;
    }
}

BEDROCK_AGENT_DECL asio::awaitable<op_result> run_stop_ingestion_job(std::shared_ptr<client_impl> impl,
                                                                    stop_ingestion_job_request req, diagnostics* diag)
{
    // A cancelled coroutine must not throw from its next co_await: every outcome is an error code.
    co_await asio::this_coro::throw_if_cancelled(false);
    diagnostics local;
    diagnostics& d = diag ? *diag : local;
    d.clear();
    op_result out;
    client_impl& c = *impl;

    error_code early = c.config_ec_;
    if (early) d.set_client_message(c.config_msg_);
    else if (c.pool_.closed()) early = asio::error::operation_aborted;
    else early = validate(req, d);
    if (early) {
        // Never complete inline: go through the executor first.
        co_await asio::post(c.ex_, asio::use_awaitable);
        out.ec = early;
        co_return out;
    }

    const auto& p = c.params_;
    const auto start = clock_type::now();
    const auto op_deadline = p.operation_timeout.count() ? start + p.operation_timeout : clock_type::time_point::max();

    // Credentials: static ones, or the chain's (cached, fetched once for concurrent callers).
    credentials creds = c.creds_;
    if (c.creds_cache_) {
        auto fetch_deadline = std::min(op_deadline, clock_type::now() + std::chrono::seconds(60));
        auto fr = co_await credentials_cache::get(c.creds_cache_, fetch_deadline);
        if (fr.ec) {  // the cache has already refused empty keys and control characters
            out.ec = fr.ec;
            d.set_client_message(fr.why);
            co_return out;
        }
        creds = std::move(fr.creds);
    }
    const std::string invocation_id = sansio::format_uuid_v4(c.rng_(), c.rng_());
    std::uniform_real_distribution<double> uniform(0.0, 1.0);
    sansio::retry_fsm fsm(p.retry, c.quota_);

    for (auto action = fsm.start();;) {
        if (action.kind == sansio::retry_action::send) {
            auto attempt_deadline = op_deadline;
            if (p.attempt_timeout.count())
                attempt_deadline = std::min(op_deadline, clock_type::now() + p.attempt_timeout);
            // Each attempt reports only its own outcome.
            d.set_aws_error_code({});
            d.set_message({});
            d.set_request_id({});
            d.set_http_status(0);
            d.set_field_list({});
            d.set_client_message({});
            auto res = co_await c.attempt(req, creds, action.attempt, invocation_id, attempt_deadline, d);
            d.set_attempts(action.attempt);
            auto cs = co_await asio::this_coro::cancellation_state;
            if (cs.cancelled() != asio::cancellation_type::none || c.pool_.closed()) {
                out.ec = asio::error::operation_aborted;
                break;
            }
            if (res.ec == errc::timeout && attempt_deadline == op_deadline && clock_type::now() >= op_deadline) {
                out.ec = make_error_code(errc::timeout);
                d.set_client_message(op_timeout_message(p.operation_timeout, "during an attempt", fsm.attempts()));
                break;
            }
            if (!res.ec) out.response = std::move(res.response);
            action = fsm.resume({res.ec, res.http_status, d.aws_error_code()}, uniform(c.rng_));
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
    co_return out;
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
