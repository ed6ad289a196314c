// One attempt's sans-io work allocates nothing once its buffers have grown: the request writer
// (with and without a session token), the response reader and the response parse. Counted by a
// replaced operator new in this test program only (not timed: allocation counts do not depend
// on the machine). The micro-benchmarks report the same counts per operation.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <bedrock_agent/impl/internal/sansio/call_fsm.hpp>
#include <bedrock_agent/impl/internal/sansio/request_writer.hpp>
#include <bedrock_agent/impl/internal/sansio/response_reader.hpp>
#include <bedrock_agent/protocol.hpp>

#include <doctest/doctest.h>

#include <atomic>
#include <cstdlib>
#include <new>

namespace {
std::atomic<std::uint64_t> g_allocs{0};
}

void* operator new(std::size_t n)
{
    ++g_allocs;
    if (void* p = std::malloc(n ? n : 1)) return p;
    throw std::bad_alloc();
}
// Every form is replaced, so that each new is paired with our delete (AddressSanitizer checks).
void* operator new[](std::size_t n) { return operator new(n); }
void* operator new(std::size_t n, const std::nothrow_t&) noexcept
{
    ++g_allocs;
    return std::malloc(n ? n : 1);
}
void* operator new[](std::size_t n, const std::nothrow_t& t) noexcept { return operator new(n, t); }
void* operator new(std::size_t n, std::align_val_t a)
{
    ++g_allocs;
    auto al = static_cast<std::size_t>(a);
    if (void* p = std::aligned_alloc(al, (n + al - 1) / al * al)) return p;
    throw std::bad_alloc();
}
void* operator new[](std::size_t n, std::align_val_t a) { return operator new(n, a); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }

namespace ba = bedrock_agent;

namespace {

const std::string body =
    R"({"ingestionJob":{"knowledgeBaseId":"KB12345678","dataSourceId":"DS12345678","ingestionJobId":"IJ12345678",)"
    R"("status":"STOPPING","statistics":{"numberOfDocumentsScanned":1200,"numberOfNewDocumentsIndexed":600},)"
    R"("failureReasons":["a"],"startedAt":"2026-11-28T10:00:00.123Z","updatedAt":"2026-11-28T10:05:00Z"}})";

const std::string wire = "HTTP/1.1 202 Accepted\r\nServer: nginx\r\nContent-Type: application/json\r\n"
                         "Content-Length: " + std::to_string(body.size()) +
                         "\r\nConnection: keep-alive\r\nx-amzn-RequestId: 11111111-2222-3333-4444-555555555555\r\n\r\n" +
                         body;

/// Allocations made by `f` run `n` times, after one warm-up run.
template <class F>
std::uint64_t allocations(F&& f, int n = 100)
{
    f();
    auto start = g_allocs.load();
    for (int i = 0; i < n; ++i) f();
    return g_allocs.load() - start;
}

}  // namespace

TEST_CASE("an attempt's request, response head and body: no allocation once warmed up")
{
    ba::endpoint ep;
    std::string why;
    REQUIRE_FALSE(ba::parse_endpoint("https://bedrock-agent.us-east-1.amazonaws.com", ep, why));
    ba::sigv4::signing_key_cache keys;
    const ba::stop_ingestion_job_request req{"KB12345678", "DS12345678", "IJ12345678"};
    ba::sansio::request_writer w;
    std::string out;
    ba::sansio::response_data data;
    ba::stop_ingestion_job_response resp;
    ba::diagnostics d;

    for (const char* token : {"", "FQoGZXIvYXdzEJr//TOKEN="}) {
        CAPTURE(token);
        const ba::credentials creds{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", token};
        unsigned attempt = 0;
        auto write = [&] {
            ba::sansio::build_context ctx{ep, creds, "us-east-1", std::chrono::system_clock::now(),
                                          "0f0e0d0c-0b0a-4908-8706-050403020100", ++attempt % 3 + 1, 3, &keys};
            REQUIRE(ba::sansio::request_writer::fast_path_applies(req, ctx));
            w.write(out, req, ctx);
        };
        CHECK(allocations(write) == 0);
        // The counter counts: the generic builder (a Beast message) allocates on every call.
        CHECK(allocations([&] {
                  ba::sansio::build_context ctx{ep, creds, "us-east-1", std::chrono::system_clock::now(),
                                                "0f0e0d0c-0b0a-4908-8706-050403020100", 1, 3, &keys};
                  ba::sansio::serialize_head(out, ba::sansio::build_stop_ingestion_job(req, ctx));
              }) >= 100);
        CHECK(out.find("\r\nAuthorization: AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/") != std::string::npos);
    }

    auto read = [&] {
        ba::sansio::response_reader r(data);
        r.eager(true);
        r.header_limit(8192);
        r.body_limit(1 << 20);
        boost::beast::error_code ec;
        auto used = r.put(boost::asio::buffer(wire), ec);
        REQUIRE_FALSE(ec);
        REQUIRE(used == wire.size());
        REQUIRE(r.is_done());
    };
    CHECK(allocations(read) == 0);
    CHECK(data.status == 202);
    CHECK(data.body == body);

    auto parse = [&] { REQUIRE_FALSE(ba::parse_stop_ingestion_job_response(data.body, resp, d)); };
    CHECK(allocations(parse) == 0);
    CHECK(resp.ingestion_job.ingestion_job_id == "IJ12345678");
    CHECK(resp.ingestion_job.failure_reasons == std::vector<std::string>{"a"});
}

TEST_CASE("a call's decisions (the call state machine) on a successful call: no allocation")
{
    using ba::sansio::call_action;
    using ba::sansio::call_event;
    ba::client_params p;
    ba::sansio::retry_quota quota(p.retry.quota_capacity);
    ba::diagnostics d;
    const auto now = ba::sansio::call_clock::now();
    bool ok = true;
    auto call = [&] {
        ba::sansio::call_fsm fsm(p, quota, d, "example.com:443", {}, /*needs_fetch=*/true);
        ok = ok && fsm.resume(call_event{call_event::started}, now).kind == call_action::fetch_credentials;
        ok = ok && fsm.resume(call_event{call_event::credentials_ready}, now).kind == call_action::acquire;
        call_event idle{call_event::connection_acquired};
        idle.idle = true;
        ok = ok && fsm.resume(idle, now).kind == call_action::send;
        call_event answer{call_event::exchanged};
        answer.answered = answer.keep_alive = true;
        auto a = fsm.resume(answer, now);
        ok = ok && a.kind == call_action::finish && !a.ec;
    };
    CHECK(allocations(call) == 0);
    CHECK(ok);
}
