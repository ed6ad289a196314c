#ifndef BEDROCK_AGENT_IMPL_INTERNAL_IO_CONNECTION_HPP
#define BEDROCK_AGENT_IMPL_INTERNAL_IO_CONNECTION_HPP

// One keep-alive HTTP/1.1 connection, over TLS or plain TCP, with the buffers its exchanges
// reuse. Its deadline is watched by the pool's deadline watch (one timer for all connections),
// which closes the socket when it passes and sets timed_out: the pending step then fails and the
// caller reports a timeout.
//
// TLS drives OpenSSL directly. It writes straight to the non-blocking socket (a socket BIO: the
// request is one write() inside SSL_write, with no handler to run afterwards), and reads through
// a BIO over the bytes that the coroutine's socket::async_read_some put in `raw` (OpenSSL asks
// for more only once it has taken them all, so `raw` is free whenever a read is started). That
// saves asio::ssl::stream's BIO pair (two 17 KiB buffers per connection, and a copy of each byte
// out), a memory BIO's buffer and copy, and several handlers per call. OpenSSL's own record
// buffers are released between records (SSL_MODE_RELEASE_BUFFERS).

#include <bedrock_agent/impl/internal/sansio/response_reader.hpp>

#include <bedrock_agent/credentials.hpp>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <sys/socket.h>

#include <array>
#include <cstdint>
#include <cstring>
#include <algorithm>
#include <cerrno>
#include <chrono>
#include <memory>
#include <string>

namespace bedrock_agent::detail {

namespace beast = boost::beast;
namespace asio = boost::asio;
using clock_type = std::chrono::steady_clock;

struct ssl_session_deleter {
    void operator()(SSL_SESSION* s) const noexcept { SSL_SESSION_free(s); }
};
using ssl_session_ptr = std::shared_ptr<SSL_SESSION>;

struct ssl_deleter {
    void operator()(SSL* s) const noexcept { SSL_free(s); }
};

/// A write-only BIO on a socket that sends with MSG_NOSIGNAL: OpenSSL's socket BIO uses write(),
/// which raises SIGPIPE when the peer has gone, and a library must not touch signal handling.
inline BIO_METHOD* nosigpipe_socket_bio()
{
    static BIO_METHOD* m = [] {
        BIO_METHOD* bm = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "bedrock_agent socket");
        BIO_meth_set_write(bm, [](BIO* b, const char* p, int n) -> int {
            BIO_clear_retry_flags(b);
            int fd = static_cast<int>(reinterpret_cast<std::intptr_t>(BIO_get_data(b)));
            ssize_t r = ::send(fd, p, static_cast<std::size_t>(n), MSG_NOSIGNAL);
            if (r < 0) {
                if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) BIO_set_retry_write(b);
                return -1;
            }
            return static_cast<int>(r);
        });
        BIO_meth_set_ctrl(bm, [](BIO*, int cmd, long, void*) -> long { return cmd == BIO_CTRL_FLUSH ? 1 : 0; });
        BIO_meth_set_create(bm, [](BIO* b) -> int {
            BIO_set_init(b, 1);
            return 1;
        });
        return bm;
    }();
    return m;
}

/// The bytes of one socket read not yet taken by OpenSSL (they live in connection::raw).
struct tls_input {
    const char* data = nullptr;
    std::size_t size = 0;
};

/// A read-only BIO over a tls_input: empty means "want more" (retry), never end of stream.
inline BIO_METHOD* input_bio()
{
    static BIO_METHOD* m = [] {
        BIO_METHOD* bm = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "bedrock_agent input");
        BIO_meth_set_read(bm, [](BIO* b, char* p, int n) -> int {
            BIO_clear_retry_flags(b);
            auto* in = static_cast<tls_input*>(BIO_get_data(b));
            if (in->size == 0 || n <= 0) {
                BIO_set_retry_read(b);
                return -1;
            }
            std::size_t k = std::min(in->size, static_cast<std::size_t>(n));
            std::memcpy(p, in->data, k);
            in->data += k;
            in->size -= k;
            return static_cast<int>(k);
        });
        BIO_meth_set_ctrl(bm, [](BIO* b, int cmd, long, void*) -> long {
            if (cmd == BIO_CTRL_PENDING) return static_cast<long>(static_cast<tls_input*>(BIO_get_data(b))->size);
            return cmd == BIO_CTRL_FLUSH ? 1 : 0;
        });
        BIO_meth_set_create(bm, [](BIO* b) -> int {
            BIO_set_init(b, 1);
            return 1;
        });
        return bm;
    }();
    return m;
}

/// What one non-blocking step did.
enum class io_status { done, want_read, want_write, failed };

struct connection {
    using socket_type = asio::ip::tcp::socket;

    connection(const asio::any_io_executor& ex, asio::ssl::context* ctx) : sock(ex)
    {
        if (ctx) {
            ssl.reset(SSL_new(ctx->native_handle()));
            if (!ssl) throw std::bad_alloc();
            SSL_set_mode(ssl.get(), SSL_MODE_RELEASE_BUFFERS | SSL_MODE_ENABLE_PARTIAL_WRITE |
                                        SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
            // Read-ahead: OpenSSL takes all the fed bytes in one BIO read, not a record header
            // and then its body (tls_needs_input() sees what it holds through SSL_has_pending).
            SSL_set_read_ahead(ssl.get(), 1);
        }
    }

    /// The last request holds the session token (and, to STS, the web identity token): it is
    /// overwritten before the buffer is freed.
    ~connection() { detail::cleanse(out); }
    connection(const connection&) = delete;
    connection& operator=(const connection&) = delete;

    socket_type& socket() noexcept { return sock; }
    bool is_tls() const noexcept { return ssl != nullptr; }

    /// After connecting: the socket goes non-blocking and (TLS) OpenSSL writes to it and reads
    /// the bytes that take_read() hands it.
    void attach(boost::system::error_code& ec)
    {
        sock.non_blocking(true, ec);
        if (ec || !ssl) return;
        BIO* rbio = BIO_new(input_bio());
        BIO* wbio = BIO_new(nosigpipe_socket_bio());
        if (rbio) BIO_set_data(rbio, &input_);
        if (wbio) BIO_set_data(wbio, reinterpret_cast<void*>(static_cast<std::intptr_t>(sock.native_handle())));
        if (!rbio || !wbio) {
            BIO_free(rbio);
            BIO_free(wbio);
            ec = asio::error::no_memory;
            return;
        }
        SSL_set_bio(ssl.get(), rbio, wbio);
    }

    /// Closes the socket at once (no TLS close_notify): pending waits fail with
    /// operation_aborted. `clean` says the exchange ended well: OpenSSL would otherwise mark the
    /// TLS session of a connection freed without a shutdown as not resumable.
    void close(bool clean = false) noexcept
    {
        if (clean && ssl) SSL_set_shutdown(ssl.get(), SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN);
        boost::system::error_code ignored;
        sock.shutdown(socket_type::shutdown_both, ignored);
        sock.close(ignored);
    }

    // Non-blocking steps. Each checks first that the socket is still open: once closed (by the
    // deadline watch, a cancellation or shutdown) its descriptor number may belong to another
    // socket, and OpenSSL must not touch it.

    io_status handshake(boost::system::error_code& ec)
    {
        if (!sock.is_open()) return closed(ec);
        clear_errors();
        int r = SSL_connect(ssl.get());
        return r == 1 ? io_status::done : ssl_status(r, ec);
    }

    io_status write_some(const char* p, std::size_t n, std::size_t& written, boost::system::error_code& ec)
    {
        written = 0;
        if (!sock.is_open()) return closed(ec);
        if (ssl) {
            clear_errors();
            int r = SSL_write_ex(ssl.get(), p, n, &written);
            return r == 1 ? io_status::done : ssl_status(r, ec);
        }
        written = sock.write_some(asio::buffer(p, n), ec);
        if (ec == asio::error::would_block) {
            ec = {};
            return io_status::want_write;
        }
        return ec ? io_status::failed : io_status::done;
    }

    /// TLS: true when OpenSSL holds no input (nothing fed and unprocessed, no record begun) on
    /// an open socket. SSL_read could then only ask for more, so the caller goes to the socket
    /// at once: after a request the response is never there yet, and this saves an SSL_read.
    bool tls_needs_input() const noexcept { return sock.is_open() && !tls_holds_input(); }

    /// Whether bytes beyond the last response are held here (read and unparsed, or inside
    /// OpenSSL): a server that sent more than one response to a request. Such a connection is not
    /// reused, or its next exchange would read the stale bytes as its response.
    bool holds_input() const noexcept { return buffer.size() != 0 || tls_holds_input(); }

    /// Before an idle connection is reused: whether the peer said anything while it sat idle
    /// (an unsolicited 408 from a load balancer, a TLS close_notify, the end of the stream) or
    /// the socket failed. Such bytes would be read as the next call's response, so the
    /// connection is not reused. One non-blocking recv(MSG_PEEK) of a byte.
    bool spoke_while_idle() noexcept
    {
        if (holds_input()) return true;
        char b;
        ssize_t n = ::recv(sock.native_handle(), &b, 1, MSG_PEEK | MSG_DONTWAIT);
        return !(n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK));
    }

    /// Hands OpenSSL what one socket read brought (rn bytes into raw, or read_ec): the end of the
    /// stream without close_notify is stream_truncated, as Asio's ssl::stream reports it.
    boost::system::error_code take_read(boost::system::error_code read_ec, std::size_t rn) noexcept
    {
        if (read_ec == asio::error::eof) return asio::ssl::error::stream_truncated;
        if (!read_ec) input_ = {raw.data(), rn};  // OpenSSL had taken the last read's bytes: it asked for more
        return read_ec;
    }

    /// TLS only (plain connections read the socket directly): want_read means read the socket
    /// into raw and hand the bytes over with take_read().
    io_status read_some(char* p, std::size_t n, std::size_t& got, boost::system::error_code& ec)
    {
        got = 0;
        if (!sock.is_open()) return closed(ec);
        clear_errors();
        int r = SSL_read_ex(ssl.get(), p, n, &got);
        return r == 1 ? io_status::done : ssl_status(r, ec);
    }

    socket_type sock;
    std::unique_ptr<SSL, ssl_deleter> ssl;
    std::array<char, 4096> raw;      ///< TLS: bytes off the socket, for OpenSSL (see fed())
    beast::flat_buffer buffer;       ///< bytes read and not yet parsed
    std::string out;                 ///< the request being sent
    sansio::response_data response;  ///< the last response read
    clock_type::time_point deadline = clock_type::time_point::max();  ///< of the step under way
    bool timed_out = false;          ///< the pool's deadline watch closed it
    std::size_t watch_index = 0;     ///< its place in the pool's in-use list
    clock_type::time_point idle_since{};
    bool reused = false;          ///< has served a request before
    bool session_saved = false;   ///< its TLS session went into the pool's cache

private:
    tls_input input_;  ///< what of raw OpenSSL has not taken yet

    /// TLS: bytes fed and not yet taken, or a record (or its plaintext) held by OpenSSL.
    bool tls_holds_input() const noexcept
    {
        return ssl && (input_.size != 0 || SSL_has_pending(ssl.get()) == 1);
    }
    /// SSL_get_error needs an empty error queue. Peeking first is cheaper than clearing an empty
    /// queue, which rewrites all its slots.
    static void clear_errors() noexcept
    {
        if (ERR_peek_error() != 0) ERR_clear_error();
    }
    static io_status closed(boost::system::error_code& ec)
    {
        ec = asio::error::operation_aborted;
        return io_status::failed;
    }
    /// OpenSSL's outcome as Asio's ssl::stream reports it, so that errors read the same.
    io_status ssl_status(int r, boost::system::error_code& ec)
    {
        int e = SSL_get_error(ssl.get(), r);
        switch (e) {
        case SSL_ERROR_WANT_READ: return io_status::want_read;
        case SSL_ERROR_WANT_WRITE: return io_status::want_write;
        case SSL_ERROR_ZERO_RETURN: ec = asio::error::eof; return io_status::failed;
        case SSL_ERROR_SYSCALL: {
            unsigned long err = ERR_get_error();
            if (err != 0) ec = boost::system::error_code(static_cast<int>(err), asio::error::get_ssl_category());
            else if (errno != 0) ec = boost::system::error_code(errno, asio::error::get_system_category());
            else ec = asio::ssl::error::stream_truncated;
            return io_status::failed;
        }
        default: {
            unsigned long err = ERR_get_error();
            if (ERR_GET_REASON(err) == SSL_R_UNEXPECTED_EOF_WHILE_READING) ec = asio::ssl::error::stream_truncated;
            else ec = boost::system::error_code(static_cast<int>(err), asio::error::get_ssl_category());
            return io_status::failed;
        }
        }
    }
};

}  // namespace bedrock_agent::detail

#endif
