// The client against a server that writes exact bytes (tests/common/script_server.hpp): interim
// 1xx responses, chunk extensions and trailers without end, and bytes that arrive while a
// connection is idle.
#include <bedrock_agent/bedrock_agent.hpp>

#include "common/io_util.hpp"
#include "common/script_server.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <doctest/doctest.h>

namespace asio = boost::asio;
namespace ba = bedrock_agent;
using namespace std::chrono_literals;
using test_util::run;
using test_util::script;
using test_util::script_server;
using test_util::segment;

namespace {

const ba::stop_ingestion_job_request req{"KB12345678", "DS12345678", "IJ12345678"};

std::string job_body(const std::string& status)
{
    return R"({"ingestionJob":{"knowledgeBaseId":"KB12345678","dataSourceId":"DS12345678","ingestionJobId":"IJ12345678","status":")" +
           status + R"(","startedAt":"2026-01-01T00:00:00Z","updatedAt":"2026-01-01T00:00:00Z"}})";
}

std::string response_202(const std::string& status)
{
    std::string body = job_body(status);
    return "HTTP/1.1 202 Accepted\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
           "\r\n\r\n" + body;
}

ba::client_params params(const std::string& url)
{
    ba::client_params p;
    p.region = "us-east-1";
    p.endpoint_url = url;
    p.credentials = ba::credentials{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", {}, {}};
    p.retry.max_attempts = 1;
    p.attempt_timeout = 20s;
    return p;
}

struct call_result {
    boost::system::error_code ec;
    std::string status;
    std::string message;
};

asio::awaitable<call_result> call(ba::client& c)
{
    ba::diagnostics d;
    auto [ec, out] = co_await c.stop_ingestion_job(req, d, asio::as_tuple(asio::use_awaitable));
    co_return call_result{ec, out.ingestion_job.status_text, d.client_message()};
}

}  // namespace

TEST_SUITE("wire")
{
    TEST_CASE("interim 1xx responses are skipped and the real response read; the next call gets its own")
    {
        // 100 Continue, 102 Processing and 103 Early Hints (with a header), each in a segment of
        // its own before the final answer. Call n is answered with status "S<n>".
        for (std::string interim : {"HTTP/1.1 100 Continue\r\n\r\n", "HTTP/1.1 102 Processing\r\n\r\n",
                                    "HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n"}) {
            CAPTURE(interim);
            script_server srv([&](const std::string&, int, int index) {
                script s;
                s.segments = {{interim, 0ms}, {response_202("S" + std::to_string(index)), 20ms}};
                return s;
            });
            run([&](asio::io_context& io) -> asio::awaitable<void> {
                ba::client c(io.get_executor(), params(srv.url()));
                for (int i = 1; i <= 3; ++i) {
                    auto r = co_await call(c);
                    CHECK_MESSAGE(!r.ec, r.message);
                    CHECK(r.status == "S" + std::to_string(i));
                }
            });
            CHECK(srv.connections == 1);
        }
    }

    TEST_CASE("101 Switching Protocols is an error, and the connection is not reused")
    {
        script_server srv([&](const std::string&, int conn, int) {
            script s;
            if (conn == 1) s.segments = {{"HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\nConnection: Upgrade\r\n\r\n"}};
            else s.segments = {{response_202("S2")}};
            return s;
        });
        run([&](asio::io_context& io) -> asio::awaitable<void> {
            ba::client c(io.get_executor(), params(srv.url()));
            auto r = co_await call(c);
            CHECK(r.ec == ba::errc::invalid_response);
            CHECK_MESSAGE(r.message.find("101") != std::string::npos, r.message);
            r = co_await call(c);
            CHECK_FALSE(r.ec);
        });
        CHECK(srv.connections == 2);
    }

    TEST_CASE("a chunk extension, a chunk-size line or trailers without end: response_too_large, memory bounded")
    {
        // After the head, each server streams up to 256 MiB in 64 KiB writes, as fast as the
        // client reads; the client must give up after max_response_header_bytes (64 KiB), long
        // before its 20 s attempt timeout.
        const std::string head = "HTTP/1.1 202 Accepted\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n";
        struct shape {
            const char* name;
            std::string prefix;   ///< after the head
            std::string repeat;   ///< streamed after it
        };
        for (const auto& sh : {shape{"endless extension", "1;ext=", std::string(65536, 'a')},
                               shape{"endless size line", "", std::string(65536, '0')},
                               shape{"many extensions", "", [] {
                                         std::string s;
                                         while (s.size() < 65536) s += "1;e=" + std::string(1000, 'b') + "\r\nx\r\n";
                                         return s;
                                     }()},
                               shape{"endless trailer", "0\r\nX-Trailer: ", std::string(65536, 'c')},
                               shape{"many trailers", "0\r\n", [] {
                                         std::string s;
                                         while (s.size() < 65536) s += "X-T: " + std::string(1000, 'd') + "\r\n";
                                         return s;
                                     }()}}) {
            CAPTURE(sh.name);
            std::atomic<std::size_t> streamed{0};
            script_server srv([&](const std::string&, int, int) {
                script s;
                s.segments = {{head + sh.prefix}};
                s.stream = [&](std::string& more) {
                    if (streamed >= (std::size_t{256} << 20)) return false;
                    more = sh.repeat;
                    streamed += more.size();
                    return true;
                };
                return s;
            });
            run([&](asio::io_context& io) -> asio::awaitable<void> {
                ba::client c(io.get_executor(), params(srv.url()));
                auto r = co_await call(c);
                CHECK(r.ec == ba::errc::response_too_large);
                CHECK_MESSAGE(r.message.find("65536") != std::string::npos, r.message);
            });
            // The client stopped reading near the limit (plus what the socket buffers held).
            CHECK(streamed < (std::size_t{64} << 20));
        }
    }
}

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>

TEST_SUITE("wire")
{
    TEST_CASE("a queued call cancelled just before a finishing call would start it ends aborted, and is never sent")
    {
        // One connection: A runs, B queues. In one handler, A's cancel is emitted, then B's. A's
        // aborted read completes first (its completion was posted first), A ends and frees the
        // slot, and B must not start: its cancel was emitted before that, even though the work
        // of taking it out of the queue comes later.
        script_server srv([&](const std::string&, int, int) {
            script s;
            s.segments = {{response_202("LATE"), 2000ms}};
            return s;
        });
        run([&](asio::io_context& io) -> asio::awaitable<void> {
            auto p = params(srv.url());
            p.pool.max_connections = 1;
            ba::client c(io.get_executor(), p);
            asio::cancellation_signal sa, sb;
            std::optional<boost::system::error_code> a, b;
            c.stop_ingestion_job(req, asio::bind_cancellation_slot(sa.slot(), [&](boost::system::error_code ec, auto) { a = ec; }));
            c.stop_ingestion_job(req, asio::bind_cancellation_slot(sb.slot(), [&](boost::system::error_code ec, auto) { b = ec; }));
            asio::steady_timer t(io, 200ms);
            co_await t.async_wait(asio::use_awaitable);
            REQUIRE(c.connection_pool_stats().waiting == 1);
            sa.emit(asio::cancellation_type::terminal);
            sb.emit(asio::cancellation_type::terminal);
            while (!a || !b) {
                t.expires_after(5ms);
                co_await t.async_wait(asio::use_awaitable);
            }
            CHECK(*a == asio::error::operation_aborted);
            CHECK(*b == asio::error::operation_aborted);
        });
        CHECK(srv.requests == 1);
    }

    TEST_CASE("cancelled, or its client destroyed, while the name is looked up: nothing is sent")
    {
        script_server srv([&](const std::string&, int, int) {
            script s;
            s.segments = {{response_202("S")}};
            return s;
        });
        // A host name (not an IP literal), so the call's first step is the lookup; the call
        // starts inline and is suspended there when the cancel (or the destruction) comes.
        const std::string url = "http://localhost:" + srv.url().substr(srv.url().rfind(':') + 1);
        for (bool destroy : {false, true}) {
            CAPTURE(destroy);
            run([&](asio::io_context& io) -> asio::awaitable<void> {
                auto c = std::make_unique<ba::client>(io.get_executor(), params(url));
                asio::cancellation_signal s;
                std::optional<boost::system::error_code> result;
                c->stop_ingestion_job(req, asio::bind_cancellation_slot(s.slot(), [&](boost::system::error_code ec, auto) { result = ec; }));
                if (destroy) c.reset();
                else s.emit(asio::cancellation_type::terminal);
                asio::steady_timer t(io);
                while (!result) {
                    t.expires_after(5ms);
                    co_await t.async_wait(asio::use_awaitable);
                }
                CHECK(*result == asio::error::operation_aborted);
                t.expires_after(200ms);  // time for a request to arrive, if one were sent
                co_await t.async_wait(asio::use_awaitable);
            });
            CHECK(srv.requests == 0);
        }
    }
}

#include <ctime>

namespace {

std::string http_date(std::chrono::system_clock::time_point t)
{
    std::time_t tt = std::chrono::system_clock::to_time_t(t);
    std::tm tm{};
    gmtime_r(&tt, &tm);
    char buf[64];
    std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    return buf;
}

// The X-Amz-Date of a request, as a time.
std::optional<std::chrono::system_clock::time_point> amz_date(const std::string& request)
{
    auto at = request.find("\r\nX-Amz-Date: ");
    if (at == std::string::npos) at = request.find("\r\nx-amz-date: ");
    if (at == std::string::npos) return std::nullopt;
    std::string v = request.substr(at + 14, 16);  // 20261207T120000Z
    std::tm tm{};
    if (!strptime(v.c_str(), "%Y%m%dT%H%M%SZ", &tm)) return std::nullopt;
    return std::chrono::system_clock::from_time_t(timegm(&tm));
}

}  // namespace

TEST_SUITE("wire")
{
    TEST_CASE("a server whose clock is 20 minutes ahead: the skew is corrected from its Date and the call retried once")
    {
        // The server refuses a signature more than 5 minutes from its own clock, as SigV4 does.
        std::vector<std::chrono::seconds> seen_skew;
        std::mutex m;
        script_server srv([&](const std::string& request, int, int) {
            const auto server_now = std::chrono::system_clock::now() + 20min;
            auto signed_at = amz_date(request);
            std::lock_guard g(m);
            seen_skew.push_back(std::chrono::duration_cast<std::chrono::seconds>(server_now - signed_at.value_or(server_now - 1h)));
            script s;
            if (!signed_at || server_now - *signed_at > 5min || *signed_at - server_now > 5min) {
                std::string body = R"({"message":"Signature expired: is now earlier than 5 minutes ago"})";
                s.segments = {{"HTTP/1.1 403 Forbidden\r\nDate: " + http_date(server_now) +
                               "\r\nx-amzn-ErrorType: InvalidSignatureException\r\nContent-Type: application/json\r\n"
                               "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body}};
            } else {
                s.segments = {{response_202("SKEWOK")}};
            }
            return s;
        });
        run([&](asio::io_context& io) -> asio::awaitable<void> {
            auto p = params(srv.url());
            p.retry.max_attempts = 3;
            ba::client c(io.get_executor(), p);
            ba::diagnostics d;
            auto [ec, out] = co_await c.stop_ingestion_job(req, d, asio::as_tuple(asio::use_awaitable));
            CHECK_MESSAGE(!ec, d.client_message());
            CHECK(d.attempts() == 2);
            // Later calls sign with the corrected time from the start.
            auto [ec2, out2] = co_await c.stop_ingestion_job(req, d, asio::as_tuple(asio::use_awaitable));
            CHECK_FALSE(ec2);
            CHECK(d.attempts() == 1);
        });
        REQUIRE(seen_skew.size() == 3);
        CHECK(seen_skew[0] >= 19min);
        CHECK(seen_skew[1] < 1min);
        CHECK(seen_skew[2] < 1min);
    }
}

TEST_SUITE("wire")
{
    TEST_CASE("the looked-up address is kept for pool_params::dns_ttl, then looked up again")
    {
        // Every response closes its connection, so each call opens a new one.
        script_server srv([&](const std::string&, int, int) {
            script s;
            s.segments = {{response_202("S")}};
            s.close = true;
            return s;
        });
        const std::string url = "http://localhost:" + srv.url().substr(srv.url().rfind(':') + 1);
        run([&](asio::io_context& io) -> asio::awaitable<void> {
            auto p = params(url);
            p.pool.dns_ttl = 1s;  // the calls within it take milliseconds: a 10x margin and more
            ba::client c(io.get_executor(), p);
            for (int i = 0; i < 3; ++i) {
                auto r = co_await call(c);
                CHECK_MESSAGE(!r.ec, r.message);
            }
            CHECK(c.connection_pool_stats().connections_opened == 3);
            CHECK(c.connection_pool_stats().name_lookups == 1);
            asio::steady_timer t(io, 1500ms);
            co_await t.async_wait(asio::use_awaitable);
            auto r = co_await call(c);
            CHECK_FALSE(r.ec);
            CHECK(c.connection_pool_stats().name_lookups == 2);
        });
    }
}

TEST_SUITE("wire")
{
    TEST_CASE("bytes that arrive while a connection is idle (an unsolicited 408, a close) never become the next call's answer")
    {
        // After answering call 1, the server sends a 408 of its own 100 ms later (as a load
        // balancer does for an idle keep-alive connection), and keeps the connection open.
        for (bool then_close : {false, true}) {
            CAPTURE(then_close);
            script_server srv([&](const std::string&, int conn, int) {
                script s;
                s.segments = {{response_202("S" + std::to_string(conn))}};
                if (conn == 1)
                    s.segments.push_back({"HTTP/1.1 408 Request Timeout\r\nContent-Length: 0\r\n\r\n", 100ms});
                s.close = then_close && conn == 1;
                return s;
            });
            run([&](asio::io_context& io) -> asio::awaitable<void> {
                ba::client c(io.get_executor(), params(srv.url()));
                auto r = co_await call(c);
                CHECK(r.status == "S1");
                asio::steady_timer t(io, 1s);  // the 408 (and the close) arrive meanwhile: a 10x margin
                co_await t.async_wait(asio::use_awaitable);
                ba::diagnostics d;
                auto [ec, out] = co_await c.stop_ingestion_job(req, d, asio::as_tuple(asio::use_awaitable));
                CHECK_MESSAGE(!ec, d.client_message());
                CHECK(out.ingestion_job.status_text == "S2");  // a new connection's answer
                CHECK(d.attempts() == 1);
                CHECK(c.connection_pool_stats().closed_while_idle == 1);
                CHECK(c.connection_pool_stats().replays == 0);  // found before anything was sent on it
            });
            CHECK(srv.connections == 2);
        }
    }
}
