#ifndef BEDROCK_AGENT_IMPL_INTERNAL_IO_EXCHANGE_HPP
#define BEDROCK_AGENT_IMPL_INTERNAL_IO_EXCHANGE_HPP

// The steps every HTTP exchange of the library takes on a `connection`: the TLS set-up and
// handshake, and one request written and its response read. The client's calls and the
// credential providers' requests (IMDS, the container endpoint, STS) share them, so the library
// carries one HTTP and TLS client, not two.
//
// Deadlines are not handled here: whoever owns the connection closes its socket when a deadline
// passes and sets connection::timed_out (the pool's deadline watch, or simple_request's timer);
// the pending step then fails with operation_aborted.

#include <bedrock_agent/error.hpp>
#include <bedrock_agent/impl/internal/io/connection.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/http/error.hpp>

#include <openssl/x509v3.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace bedrock_agent::detail {

using boost::system::error_code;

/// How one exchange went.
struct exchange_result {
    error_code ec;
    const char* step = "";
    bool sent = false;        ///< the whole request was written
    bool got_some = false;    ///< some of a response arrived
    bool keep_alive = false;  ///< the response allows reuse
};

/// Stops async_connect from trying further addresses once the connection's deadline closed it.
struct connect_condition {
    const connection* c;
    bool operator()(const error_code&, const asio::ip::tcp::endpoint&) const noexcept { return !c->timed_out; }
};

inline bool is_ip_literal(const std::string& host)
{
    error_code ec;
    asio::ip::make_address(host, ec);
    return !ec;
}

// (Socket operations here are awaited as deferred operations: the awaitable frame takes them
// directly, without the extra coroutine frame that use_awaitable's initiation costs.)

/// Waits for what a TLS step asked for: bytes from the socket (handed to OpenSSL) or room to write.
inline asio::awaitable<error_code> tls_wait(connection& c, io_status st)
{
    if (st == io_status::want_write) {
        auto [ec] = co_await c.sock.async_wait(asio::socket_base::wait_write, asio::as_tuple(asio::deferred));
        co_return ec;
    }
    auto [ec, n] = co_await c.sock.async_read_some(asio::buffer(c.raw), asio::as_tuple(asio::deferred));
    co_return c.take_read(ec, n);
}

/// Before the handshake: SNI (not for IP addresses: RFC 6066) and, when `verify`, peer and host
/// name (or IP address) verification by OpenSSL during the handshake. False when OpenSSL cannot
/// take the name.
inline bool prepare_tls(connection& c, const std::string& host, bool verify)
{
    SSL* ssl = c.ssl.get();
    const bool ip = is_ip_literal(host);
    if (!ip) SSL_set_tlsext_host_name(ssl, host.c_str());
    if (!verify) return true;
    SSL_set_verify(ssl, SSL_VERIFY_PEER, nullptr);
    int ok = ip ? X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), host.c_str()) : SSL_set1_host(ssl, host.c_str());
    return ok == 1;
}

/// The TLS handshake, to its end.
inline asio::awaitable<error_code> tls_handshake(connection& c)
{
    error_code ec;
    for (;;) {
        auto st = c.handshake(ec);
        if (st == io_status::done || st == io_status::failed) break;
        ec = co_await tls_wait(c, st);
        if (ec) break;
    }
    co_return ec;
}

/// A failed handshake in words: the error, and why the certificate was refused if it was.
inline std::string handshake_failure(const connection& c, const error_code& ec)
{
    std::string msg = ec.message();
    long vr = SSL_get_verify_result(c.ssl.get());
    if (vr != X509_V_OK) msg += std::string(" (") + X509_verify_cert_error_string(vr) + ")";
    return msg;
}

/// One exchange on an open connection: sends c.out, then reads the response into c.response,
/// parsing bytes as they arrive (at most `header_limit` bytes of header and `body_limit` of body).
inline asio::awaitable<void> exchange(connection& c, exchange_result& x, std::uint32_t header_limit,
                                      std::uint64_t body_limit)
{
    namespace http = boost::beast::http;
    x.step = "sending the request";
    for (std::size_t off = 0; off < c.out.size();) {
        std::size_t n = 0;
        auto st = c.write_some(c.out.data() + off, c.out.size() - off, n, x.ec);
        off += n;
        if (st == io_status::failed) co_return;
        if (st != io_status::done) {
            x.ec = co_await tls_wait(c, st);
            if (x.ec) co_return;
        }
    }
    x.sent = true;
    x.step = "reading the response";
    // Interim 1xx responses (100 Continue, 102 Processing, 103 Early Hints) come before the
    // final one and are skipped (RFC 9110 section 15.2); 101 Switching Protocols is refused. Their
    // heads count against the header limit together with the final one's.
    std::uint32_t header_left = header_limit;
    std::optional<sansio::response_reader> reader;
    auto start_reader = [&] {
        reader.emplace(c.response);
        reader->header_limit(header_left);
        reader->meta_limit(header_limit);
        reader->body_limit(body_limit);
        reader->eager(true);
    };
    start_reader();
    for (;;) {
        // Parse what is buffered until the parser is done or wants more bytes.
        while (c.buffer.size() != 0 && !reader->is_done() && !x.ec) {
            error_code e;
            const bool in_head = !reader->is_header_done();
            auto used = reader->feed(c.buffer.data(), e);
            c.buffer.consume(used);
            if (in_head) header_left -= std::min<std::uint32_t>(header_left, static_cast<std::uint32_t>(used));
            if (e == http::error::need_more) break;
            if (e) x.ec = e;
            else if (used == 0) break;
            if (reader->is_done() && c.response.status / 100 == 1) {
                if (c.response.status == 101) {
                    x.ec = make_error_code(errc::invalid_response);
                    x.step = "reading the response (101 Switching Protocols: no protocol change was asked for)";
                    break;
                }
                if (header_left == 0) {
                    x.ec = http::error::header_limit;
                    break;
                }
                start_reader();  // an interim response: the final one follows
            }
        }
        if (reader->is_done() || x.ec) break;
        // Read until bytes arrive: the parser is handed the buffer again only once it has grown
        // (Beast's contract after need_more; a TLS read that only brings part of a record
        // brings no plaintext yet).
        auto space = c.buffer.prepare(4096);
        std::size_t n = 0;
        error_code e;
        for (;;) {
            if (!c.is_tls()) {
                auto [read_ec, rn] = co_await c.sock.async_read_some(space, asio::as_tuple(asio::deferred));
                e = read_ec;
                n = rn;
                break;
            }
            auto st = c.tls_needs_input() ? io_status::want_read
                                          : c.read_some(static_cast<char*>(space.data()), space.size(), n, e);
            if (st == io_status::want_read) {
                // OpenSSL has no full record: wait for the socket, and hand it what came
                // (tls_wait's read, inline: no coroutine frame per read).
                auto [read_ec, rn] = co_await c.sock.async_read_some(asio::buffer(c.raw), asio::as_tuple(asio::deferred));
                e = c.take_read(read_ec, rn);
                if (!e) continue;
            } else if (st == io_status::want_write) {
                e = co_await tls_wait(c, st);
                if (!e) continue;
            }
            break;
        }
        c.buffer.commit(n);
        if (e == asio::error::eof) {
            // As Beast's http::read: the end of the stream ends a message without a length, is
            // end_of_stream before any byte, and partial_message in the middle of one.
            if (reader->got_some()) {
                reader->put_eof(e);
                x.ec = e;
            } else {
                x.ec = http::error::end_of_stream;
            }
            break;
        }
        if (e) {
            x.ec = e;
            break;
        }
    }
    x.got_some = reader->got_some() || header_left != header_limit;
    x.keep_alive = !x.ec && reader->keep_alive();
}

}  // namespace bedrock_agent::detail

#endif
