#ifndef BEDROCK_AGENT_IMPL_INTERNAL_IO_CONNECTION_HPP
#define BEDROCK_AGENT_IMPL_INTERNAL_IO_CONNECTION_HPP

// One keep-alive HTTP/1.1 connection, over TLS or plain TCP. The deadline of every step lives on
// the tcp_stream (expires_at); a passed deadline closes the socket and fails the step with
// beast::error::timeout.

#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include <openssl/ssl.h>

#include <chrono>
#include <memory>
#include <optional>

namespace bedrock_agent::detail {

namespace beast = boost::beast;
namespace asio = boost::asio;
using clock_type = std::chrono::steady_clock;

struct ssl_session_deleter {
    void operator()(SSL_SESSION* s) const noexcept { SSL_SESSION_free(s); }
};
using ssl_session_ptr = std::shared_ptr<SSL_SESSION>;

struct connection {
    using tls_stream = beast::ssl_stream<beast::tcp_stream>;

    connection(const asio::any_io_executor& ex, asio::ssl::context* ctx)
    {
        if (ctx) tls.emplace(ex, *ctx);
        else plain.emplace(ex);
    }

    beast::tcp_stream& tcp() noexcept { return tls ? beast::get_lowest_layer(*tls) : *plain; }

    void set_deadline(clock_type::time_point deadline)
    {
        if (deadline == clock_type::time_point::max()) tcp().expires_never();
        else tcp().expires_at(deadline);
    }

    /// Closes the socket at once (no TLS close_notify): pending operations fail with
    /// operation_aborted. `clean` says the exchange ended well: OpenSSL would otherwise mark the
    /// TLS session of a connection freed without a shutdown as not resumable.
    void close(bool clean = false) noexcept
    {
        if (clean && tls) SSL_set_shutdown(tls->native_handle(), SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN);
        boost::system::error_code ignored;
        tcp().socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
        tcp().socket().close(ignored);
    }

    std::optional<tls_stream> tls;
    std::optional<beast::tcp_stream> plain;
    beast::flat_buffer buffer;
    clock_type::time_point idle_since{};
    bool reused = false;          ///< has served a request before
    bool session_saved = false;   ///< its TLS session went into the pool's cache
};

}  // namespace bedrock_agent::detail

#endif
