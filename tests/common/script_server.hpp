#ifndef BEDROCK_AGENT_TESTS_COMMON_SCRIPT_SERVER_HPP
#define BEDROCK_AGENT_TESTS_COMMON_SCRIPT_SERVER_HPP

// A plain-TCP HTTP server on 127.0.0.1 for tests that need exact bytes on the wire: each request
// (its head, and a Content-Length body) is answered with the segments a handler returns, each
// written on its own after its delay, so a test can send `100 Continue` and the real response in
// separate segments, a response with a Date of its choosing, or an endless chunk extension.
// Runs on its own thread; the destructor stops it.

#include <boost/asio/buffer.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>

#include <sys/socket.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace test_util {

struct segment {
    std::string bytes;
    std::chrono::milliseconds delay{0};  ///< before writing
};

struct script {
    std::vector<segment> segments;
    bool close = false;       ///< close the connection after the segments
    /// Called after the segments, while it returns true: more bytes to write (an endless
    /// stream); the server stops when the client stops reading (a failed write).
    std::function<bool(std::string&)> stream;
};

class script_server {
public:
    /// `handler(request_text, connection_number, request_number_on_connection)`.
    using handler_type = std::function<script(const std::string&, int, int)>;

    explicit script_server(handler_type h) : handler_(std::move(h)), acceptor_(io_)
    {
        namespace ip = boost::asio::ip;
        ip::tcp::endpoint ep(ip::make_address("127.0.0.1"), 0);
        acceptor_.open(ep.protocol());
        acceptor_.set_option(ip::tcp::acceptor::reuse_address(true));
        acceptor_.bind(ep);
        acceptor_.listen();
        port_ = acceptor_.local_endpoint().port();
        thread_ = std::thread([this] { accept_loop(); });
    }
    ~script_server()
    {
        stop_ = true;
        boost::system::error_code ec;
        acceptor_.close(ec);
        // Wake a blocking accept.
        try {
            boost::asio::io_context io;
            boost::asio::ip::tcp::socket s(io);
            s.connect({boost::asio::ip::make_address("127.0.0.1"), port_}, ec);
        } catch (...) {
        }
        if (thread_.joinable()) thread_.join();
        {
            // Wake workers blocked on a connection the client keeps open.
            std::lock_guard g(m_);
            for (auto& sock : sockets_) ::shutdown(sock->native_handle(), SHUT_RDWR);
        }
        for (auto& t : workers_)
            if (t.joinable()) t.join();
    }
    std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
    std::atomic<int> requests{0};
    std::atomic<int> connections{0};

private:
    void accept_loop()
    {
        while (!stop_) {
            auto sock = std::make_shared<boost::asio::ip::tcp::socket>(io_);
            boost::system::error_code ec;
            acceptor_.accept(*sock, ec);
            if (ec || stop_) return;
            int n = ++connections;
            {
                std::lock_guard g(m_);
                sockets_.push_back(sock);
            }
            workers_.emplace_back([this, sock, n] { serve(*sock, n); });
        }
    }
    void serve(boost::asio::ip::tcp::socket& s, int conn)
    {
        boost::asio::streambuf buf;
        boost::system::error_code ec;
        for (int index = 1; !stop_; ++index) {
            std::size_t n = boost::asio::read_until(s, buf, "\r\n\r\n", ec);
            if (ec) return;
            std::string head(boost::asio::buffers_begin(buf.data()), boost::asio::buffers_begin(buf.data()) + n);
            buf.consume(n);
            std::size_t length = 0;
            if (auto at = lower(head).find("\r\ncontent-length:"); at != std::string::npos)
                length = std::stoul(head.substr(at + 17));
            if (buf.size() < length) boost::asio::read(s, buf, boost::asio::transfer_exactly(length - buf.size()), ec);
            if (ec) return;
            std::string body(boost::asio::buffers_begin(buf.data()), boost::asio::buffers_begin(buf.data()) + length);
            buf.consume(length);
            ++requests;
            script sc = handler_(head + body, conn, index);
            for (auto& seg : sc.segments) {
                if (seg.delay.count()) std::this_thread::sleep_for(seg.delay);
                boost::asio::write(s, boost::asio::buffer(seg.bytes), ec);
                if (ec) return;
            }
            if (sc.stream) {
                std::string more;
                while (!stop_ && sc.stream(more)) {
                    boost::asio::write(s, boost::asio::buffer(more), ec);
                    if (ec) return;
                    more.clear();
                }
            }
            if (sc.close) {
                s.shutdown(boost::asio::ip::tcp::socket::shutdown_both, ec);
                return;
            }
        }
    }
    static std::string lower(std::string s)
    {
        for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        return s;
    }

    handler_type handler_;
    boost::asio::io_context io_;
    boost::asio::ip::tcp::acceptor acceptor_;
    unsigned short port_ = 0;
    std::atomic<bool> stop_{false};
    std::thread thread_;
    std::vector<std::thread> workers_;
    std::mutex m_;
    std::vector<std::shared_ptr<boost::asio::ip::tcp::socket>> sockets_;
};

}  // namespace test_util

#endif
