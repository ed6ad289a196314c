#ifndef BEDROCK_AGENT_IMPL_INTERNAL_IO_CONNECTION_HPP
#define BEDROCK_AGENT_IMPL_INTERNAL_IO_CONNECTION_HPP

// One keep-alive HTTP/1.1 connection, over TLS or plain TCP, with the buffers its exchanges
// reuse. Its deadline is watched by the pool's deadline watch (one timer for all
// connections), which closes the socket when it passes and sets timed_out: the pending step then
// fails and the caller reports a timeout.

#include <bedrock_agent/impl/internal/sansio/response_reader.hpp>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/beast/core/flat_buffer.hpp>

#include <openssl/ssl.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>

namespace bedrock_agent::detail {

namespace beast = boost::beast;
namespace asio = boost::asio;
using clock_type = std::chrono::steady_clock;

struct ssl_session_deleter {
    void operator()(SSL_SESSION* s) const noexcept { SSL_SESSION_free(s); }
};
using ssl_session_ptr = std::shared_ptr<SSL_SESSION>;

struct connection {
    using socket_type = asio::ip::tcp::socket;
    using tls_stream = asio::ssl::stream<socket_type>;

    connection(const asio::any_io_executor& ex, asio::ssl::context* ctx)
    {
        if (ctx) tls.emplace(ex, *ctx);
        else plain.emplace(ex);
    }

    socket_type& socket() noexcept { return tls ? tls->next_layer() : *plain; }

    /// Closes the socket at once (no TLS close_notify): pending operations fail with
    /// operation_aborted. `clean` says the exchange ended well: OpenSSL would otherwise mark the
    /// TLS session of a connection freed without a shutdown as not resumable.
    void close(bool clean = false) noexcept
    {
        if (clean && tls) SSL_set_shutdown(tls->native_handle(), SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN);
        boost::system::error_code ignored;
        socket().shutdown(socket_type::shutdown_both, ignored);
        socket().close(ignored);
    }

    std::optional<tls_stream> tls;
    std::optional<socket_type> plain;
    beast::flat_buffer buffer;       ///< bytes read and not yet parsed
    std::string out;                 ///< the request being sent
    sansio::response_data response;  ///< the last response read
    clock_type::time_point deadline = clock_type::time_point::max();  ///< of the step under way
    bool timed_out = false;          ///< the pool's deadline watch closed it
    std::size_t watch_index = 0;     ///< its place in the pool's in-use list
    clock_type::time_point idle_since{};
    bool reused = false;          ///< has served a request before
    bool session_saved = false;   ///< its TLS session went into the pool's cache
};

}  // namespace bedrock_agent::detail

#endif
