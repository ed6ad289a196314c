#ifndef BEDROCK_AGENT_LOCAL_SERVER_HPP
#define BEDROCK_AGENT_LOCAL_SERVER_HPP

// A small HTTP/1.1 server over TLS or plain TCP (Beast), listening on loopback. What it answers
// is decided per request by a handler, which returns a `reply`: a response, or one of the faults
// a client must survive (close without answering, close mid-response, stall, garbage). The
// bundled local endpoint and the tests' scripted servers are both this server.

#include "tls_identity.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <list>
#include <memory>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace bedrock_agent::local {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

struct reply {
    enum kind_t {
        respond,             ///< send the response
        close,               ///< close the connection without answering
        close_mid_response,  ///< send the status line, headers and half the body, then close
        stall,               ///< wait `delay`, then close without answering
        garbage,             ///< send `body` as raw bytes, then close
        trickle,             ///< send the response one byte per `delay`, as a slow peer would
    } kind = respond;
    unsigned status = 200;
    std::vector<std::pair<std::string, std::string>> headers{};
    std::string body{};
    bool close_after = false;                ///< send "Connection: close" and close after the response
    bool drop_after = false;                 ///< keep-alive response, then close anyway (an idle close)
    std::string trailing{};                  ///< raw bytes sent right after the response
    bool trailing_corked = false;            ///< as writes of their own (TLS: records of their own), corked into one segment
    std::chrono::milliseconds delay{0};      ///< wait this long before acting (latency; stall length)
    bool chunked = false;                    ///< trickle: the body as one chunk (none if empty), then the last chunk
};

struct request_info {
    std::uint64_t connection_id;  ///< 1-based, per accepted connection
    std::uint64_t index_on_connection;  ///< 1-based
};

using request_type = http::request<http::string_body>;
using handler_type = std::function<reply(const request_type&, const request_info&)>;

struct server_options {
    bool tls = true;
    std::string address = "127.0.0.1";
    std::uint16_t port = 0;  ///< 0: an ephemeral port
    std::string subject_alt_names = "DNS:localhost,IP:127.0.0.1,IP:::1";
    std::chrono::milliseconds handshake_delay{0};  ///< wait before the TLS handshake (slow-server tests)
    std::chrono::milliseconds idle_timeout{30'000};
    std::size_t max_body = 1024 * 1024;
};

class server {
public:
    server(asio::any_io_executor ex, server_options opts, handler_type handler,
           std::optional<tls_identity> identity = std::nullopt)
        : ex_(ex), opts_(std::move(opts)), handler_(std::move(handler)), acceptor_(ex),
          ssl_(asio::ssl::context::tls_server)
    {
        if (opts_.tls) {
            identity_ = identity ? *identity : tls_identity::generate(opts_.subject_alt_names);
            ssl_.use_certificate_chain(asio::buffer(identity_.cert_pem));
            ssl_.use_private_key(asio::buffer(identity_.key_pem), asio::ssl::context::pem);
            static const unsigned char sid[] = "bedrock-agent-local";
            SSL_CTX_set_session_id_context(ssl_.native_handle(), sid, sizeof sid - 1);
        }
        asio::ip::tcp::endpoint ep(asio::ip::make_address(opts_.address), opts_.port);
        acceptor_.open(ep.protocol());
        acceptor_.set_option(asio::socket_base::reuse_address(true));
        acceptor_.bind(ep);
        acceptor_.listen();
        port_ = acceptor_.local_endpoint().port();
        asio::co_spawn(ex_, accept_loop(), asio::detached);
    }

    std::uint16_t port() const noexcept { return port_; }
    std::string url() const
    {
        std::string host = opts_.address.find(':') != std::string::npos ? "[" + opts_.address + "]" : opts_.address;
        return (opts_.tls ? "https://" : "http://") + host + ":" + std::to_string(port_);
    }
    const tls_identity& identity() const noexcept { return identity_; }

    /// Stops accepting and closes every connection. Call on the server's executor.
    void stop()
    {
        state_->stopped = true;
        boost::system::error_code ignored;
        acceptor_.close(ignored);
        for (auto* s : state_->live) s->socket().close(ignored);
    }

    std::atomic<std::uint64_t> connections{0};
    std::atomic<std::uint64_t> handshakes{0};
    std::atomic<std::uint64_t> resumed_handshakes{0};
    std::atomic<std::uint64_t> requests{0};
    /// Connections whose socket this server has closed (the session ended).
    std::uint64_t closed_connections() const noexcept { return state_->closed.load(); }

private:
    asio::awaitable<void> accept_loop()
    {
        while (!state_->stopped) {
            auto [ec, sock] = co_await acceptor_.async_accept(asio::as_tuple(asio::use_awaitable));
            if (ec) {
                if (state_->stopped || ec == asio::error::operation_aborted) co_return;
                continue;  // e.g. too many open files: keep serving the others
            }
            std::uint64_t id = ++connections;
            asio::co_spawn(ex_, session(std::move(sock), id), asio::detached);
        }
    }

    asio::awaitable<void> session(asio::ip::tcp::socket sock, std::uint64_t id)
    {
        beast::tcp_stream tcp(std::move(sock));
        // The frame may be destroyed after the server (when its io_context goes away), so the
        // registry it leaves is shared, not a member.
        auto state = state_;
        state->live.insert(&tcp);
        struct unregister {
            std::shared_ptr<shared_state> s;
            beast::tcp_stream* p;
            ~unregister()
            {
                s->live.erase(p);
                boost::system::error_code e;
                p->socket().close(e);
                ++s->closed;
            }
        } guard{state, &tcp};
        boost::system::error_code ignored;
        tcp.socket().set_option(asio::ip::tcp::no_delay(true), ignored);
        if (!opts_.tls) {
            co_await serve(tcp, tcp, id);
            tcp.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
            co_return;
        }
        if (opts_.handshake_delay.count()) {
            asio::steady_timer t(ex_, opts_.handshake_delay);
            co_await t.async_wait(asio::as_tuple(asio::use_awaitable));
        }
        beast::ssl_stream<beast::tcp_stream&> tls(tcp, ssl_);
        tcp.expires_after(std::chrono::seconds(10));
        auto [hec] = co_await tls.async_handshake(asio::ssl::stream_base::server, asio::as_tuple(asio::use_awaitable));
        if (hec) co_return;
        ++handshakes;
        if (SSL_session_reused(tls.native_handle())) ++resumed_handshakes;
        bool clean = co_await serve(tls, tcp, id);
        if (clean) {
            tcp.expires_after(std::chrono::seconds(2));
            co_await tls.async_shutdown(asio::as_tuple(asio::use_awaitable));
        }
    }

    // Returns true when the connection ended in an orderly way (worth a TLS close_notify).
    template <class Stream>
    asio::awaitable<bool> serve(Stream& s, beast::tcp_stream& tcp, std::uint64_t id)
    {
        beast::flat_buffer buf;
        for (std::uint64_t n = 1; !state_->stopped; ++n) {
            http::request_parser<http::string_body> parser;
            parser.body_limit(opts_.max_body);
            tcp.expires_after(opts_.idle_timeout);
            auto [ec, bytes] = co_await http::async_read(s, buf, parser, asio::as_tuple(asio::use_awaitable));
            if (ec) co_return ec == http::error::end_of_stream;
            ++requests;
            const request_type& req = parser.get();
            reply r = handler_(req, request_info{id, n});
            tcp.expires_never();
            if (r.delay.count() && r.kind != reply::trickle) {
                asio::steady_timer t(ex_, r.delay);
                co_await t.async_wait(asio::as_tuple(asio::use_awaitable));
                if (state_->stopped) co_return false;
            }
            switch (r.kind) {
            case reply::close:
            case reply::stall: co_return false;
            case reply::garbage: {
                tcp.expires_after(std::chrono::seconds(5));
                co_await asio::async_write(s, asio::buffer(r.body), asio::as_tuple(asio::use_awaitable));
                co_return false;
            }
            case reply::close_mid_response: {
                std::string head = "HTTP/1.1 " + std::to_string(r.status) + " OK\r\nContent-Type: application/json\r\n"
                                   "Content-Length: " + std::to_string(r.body.size()) + "\r\n\r\n" +
                                   r.body.substr(0, r.body.size() / 2);
                tcp.expires_after(std::chrono::seconds(5));
                co_await asio::async_write(s, asio::buffer(head), asio::as_tuple(asio::use_awaitable));
                co_return false;
            }
            case reply::trickle: {
                std::string raw = "HTTP/1.1 " + std::to_string(r.status) + " OK\r\n";
                if (r.chunked) {
                    std::ostringstream hex;
                    hex << std::hex << r.body.size();
                    raw += "Transfer-Encoding: chunked\r\n\r\n" + (r.body.empty() ? "" : hex.str() + "\r\n" + r.body + "\r\n") + "0\r\n\r\n";
                } else {
                    raw += "Content-Length: " + std::to_string(r.body.size()) + "\r\n\r\n" + r.body;
                }
                for (char ch : raw) {
                    tcp.expires_after(std::chrono::seconds(5));
                    auto [tec, tn] = co_await asio::async_write(s, asio::buffer(&ch, 1), asio::as_tuple(asio::use_awaitable));
                    if (tec || state_->stopped) co_return false;
                    asio::steady_timer t(ex_, r.delay);
                    co_await t.async_wait(asio::as_tuple(asio::use_awaitable));
                }
                co_return false;
            }
            case reply::respond: break;
            }
            http::response<http::string_body> res{static_cast<http::status>(r.status), 11};
            for (auto& [k, v] : r.headers) res.set(k, v);
            res.body() = std::move(r.body);
            res.keep_alive(req.keep_alive() && !r.close_after);
            res.prepare_payload();
            tcp.expires_after(std::chrono::seconds(10));
            if (!r.trailing.empty() && !r.trailing_corked) {  // one write: the response, then stray bytes
                std::ostringstream os;
                os << res << r.trailing;
                auto [tec, tn] = co_await asio::async_write(s, asio::buffer(os.str()), asio::as_tuple(asio::use_awaitable));
                if (tec) co_return false;
                continue;
            }
            if (!r.trailing.empty()) {  // two writes (two TLS records) held back into one TCP segment
                int on = 1, off = 0;
                ::setsockopt(tcp.socket().native_handle(), IPPROTO_TCP, TCP_CORK, &on, sizeof on);
                auto [w1, n1] = co_await http::async_write(s, res, asio::as_tuple(asio::use_awaitable));
                auto [w2, n2] = co_await asio::async_write(s, asio::buffer(r.trailing), asio::as_tuple(asio::use_awaitable));
                ::setsockopt(tcp.socket().native_handle(), IPPROTO_TCP, TCP_CORK, &off, sizeof off);
                if (w1 || w2) co_return false;
                continue;
            }
            auto [wec, wn] = co_await http::async_write(s, res, asio::as_tuple(asio::use_awaitable));
            if (wec) co_return false;
            if (!res.keep_alive()) co_return true;
            if (r.drop_after) co_return false;
        }
        co_return false;
    }

    asio::any_io_executor ex_;
    server_options opts_;
    handler_type handler_;
    asio::ip::tcp::acceptor acceptor_;
    asio::ssl::context ssl_;
    tls_identity identity_;
    std::uint16_t port_ = 0;
    struct shared_state {
        std::set<beast::tcp_stream*> live;
        bool stopped = false;
        std::atomic<std::uint64_t> closed{0};  ///< connections this side has closed
    };
    std::shared_ptr<shared_state> state_ = std::make_shared<shared_state>();
};

/// A server on a thread of its own (tests and benchmarks drive their client on another).
class server_thread {
public:
    server_thread(server_options opts, handler_type handler, std::optional<tls_identity> identity = std::nullopt)
        : srv_(std::make_unique<server>(io_.get_executor(), std::move(opts), std::move(handler), std::move(identity))),
          thread_([this] { io_.run(); })
    {
    }
    ~server_thread()
    {
        asio::post(io_, [this] { srv_->stop(); });
        io_.stop();  // sessions stalled on a long timer must not hold the test
        thread_.join();
    }
    server& get() noexcept { return *srv_; }

private:
    asio::io_context io_{1};
    std::unique_ptr<server> srv_;
    std::thread thread_;
};

}  // namespace bedrock_agent::local

#endif
