#ifndef BEDROCK_AGENT_IMPL_INTERNAL_IO_CONNECTOR_HPP
#define BEDROCK_AGENT_IMPL_INTERNAL_IO_CONNECTOR_HPP

// Opening a connection, for every client of the library: the calls (client_impl::open) and the
// credential endpoints (simple_request). Resolve (or reuse a cached answer), connect, and for
// TLS set up SNI and verification and hand shake, each step within the opening's deadline and,
// for connect and the handshake, within its own limit.
//
// Deadlines: the connector says when each step must end (watch(c, deadline)); whoever owns the
// connection closes its socket when that passes and sets connection::timed_out (the pool's
// deadline watch, or simple_request's timer). The name lookup, which has no socket, has a timer
// of its own here.

#include <bedrock_agent/error.hpp>
#include <bedrock_agent/impl/internal/io/connection.hpp>
#include <bedrock_agent/impl/internal/io/exchange.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <chrono>
#include <memory>
#include <string>

namespace bedrock_agent::detail {

/// A name's last answer, kept for `ttl` (an IP literal's forever).
struct resolve_cache {
    asio::ip::tcp::resolver::results_type results;
    clock_type::time_point at{};
};

/// Where to connect, and how.
struct connect_spec {
    const std::string& host;     ///< a name or an IP literal (IPv6 without brackets)
    std::uint16_t port;
    std::string_view host_text;  ///< host[:port], as messages name it
    bool verify = true;          ///< TLS: verify the peer's certificate and name
    std::chrono::milliseconds connect_timeout{0};    ///< 0: only the opening's deadline
    std::chrono::milliseconds handshake_timeout{0};  ///< 0: only the opening's deadline
    std::chrono::milliseconds dns_ttl{0};            ///< how long a cached answer is used
};

/// What an opening did (for the pool's counters).
struct open_report {
    bool looked_up = false;  ///< asked DNS
    bool handshaken = false; ///< completed a TLS handshake
    bool resumed = false;    ///< ... resuming an earlier session
};

/// The owner of the connection's deadlines: watch() registers the deadline of the step under
/// way; abandoned() says whether the opening should stop (the call was cancelled, or the client
/// shut down) once the name lookup, which the connection's close cannot stop, has ended.
struct connect_owner {
    virtual void watch(connection& c, clock_type::time_point deadline) = 0;
    virtual bool abandoned() { return false; }

protected:
    ~connect_owner() = default;
};

inline clock_type::time_point step_deadline(clock_type::time_point deadline, std::chrono::milliseconds limit)
{
    if (limit.count() == 0) return deadline;
    return std::min(deadline, clock_type::now() + limit);
}

/// Opens `c` (its TLS stream set up if it has one) by `deadline`. `cache` may be null (no
/// caching); `session` may be null, else the session it holds when the handshake starts (it may
/// change meanwhile: other connections finish theirs) is offered for resumption. On failure `why` names the step.
/// (A named function, not a lambda, in a coroutine: header-only mode would warn.)
inline asio::awaitable<error_code> open_connection(connection& c, const connect_spec& to, clock_type::time_point deadline,
                                                   connect_owner& owner, resolve_cache* cache, const ssl_session_ptr* session,
                                                   open_report& report, std::string& why)
{
    using asio::ip::tcp;
    const auto connect_deadline = step_deadline(deadline, to.connect_timeout);
    resolve_cache local;
    resolve_cache& rc = cache ? *cache : local;
    const bool literal = is_ip_literal(to.host);
    if (!rc.results.empty() && !literal && clock_type::now() - rc.at >= to.dns_ttl) rc.results = {};
    if (rc.results.empty()) {
        if (literal) {
            rc.results = tcp::resolver::results_type::create(tcp::endpoint(asio::ip::make_address(to.host), to.port),
                                                             to.host, std::to_string(to.port));
        } else {
            // DNS has no deadline of its own: a timer cancels the lookup.
            auto ex = co_await asio::this_coro::executor;
            auto resolver = std::make_shared<tcp::resolver>(ex);
            asio::steady_timer t(ex);
            t.expires_at(connect_deadline);
            t.async_wait([resolver](error_code ec) {
                if (!ec) resolver->cancel();
            });
            report.looked_up = true;
            auto [ec, results] =
                co_await resolver->async_resolve(to.host, std::to_string(to.port), asio::as_tuple(asio::use_awaitable));
            const bool timed_out = t.expiry() <= clock_type::now();
            t.cancel();
            if (owner.abandoned()) co_return asio::error::operation_aborted;
            if (ec) {
                if (timed_out && ec == asio::error::operation_aborted) {
                    why = "resolving " + to.host + " timed out";
                    co_return make_error_code(errc::timeout);
                }
                why = "resolving " + to.host + ": " + ec.message();
                co_return ec;
            }
            rc.results = results;
            rc.at = clock_type::now();
        }
    }
    owner.watch(c, connect_deadline);
    // Once the deadline has closed the socket, the other addresses are not tried.
    auto [connect_ec, ep] = co_await asio::async_connect(c.socket(), rc.results, connect_condition{&c},
                                                  asio::as_tuple(asio::use_awaitable));
    if (connect_ec || c.timed_out) {
        rc.results = {};  // look the name up again next time
        if (c.timed_out) {
            why = "connecting to " + std::string(to.host_text) + " timed out";
            co_return make_error_code(errc::timeout);
        }
        why = "connecting to " + std::string(to.host_text) + ": " + connect_ec.message();
        co_return connect_ec;
    }
    error_code ignored;
    c.socket().set_option(tcp::no_delay(true), ignored);
    error_code setup_ec;
    c.attach(setup_ec);
    if (setup_ec) {
        why = "setting up the connection to " + std::string(to.host_text) + ": " + setup_ec.message();
        co_return setup_ec;
    }
    if (!c.is_tls()) co_return error_code{};

    if (!prepare_tls(c, to.host, to.verify)) {
        why = "cannot verify the host name " + to.host;
        co_return make_error_code(errc::invalid_configuration);
    }
    if (session && *session) SSL_set_session(c.ssl.get(), session->get());
    owner.watch(c, step_deadline(deadline, to.handshake_timeout));
    error_code handshake_ec = co_await tls_handshake(c);
    if (handshake_ec || c.timed_out) {
        if (c.timed_out) {
            why = "TLS handshake with " + std::string(to.host_text) + " timed out";
            co_return make_error_code(errc::timeout);
        }
        why = "TLS handshake with " + std::string(to.host_text) + ": " + handshake_failure(c, handshake_ec);
        co_return handshake_ec;
    }
    report.handshaken = true;
    report.resumed = SSL_session_reused(c.ssl.get()) != 0;
    co_return error_code{};
}

}  // namespace bedrock_agent::detail

#endif
