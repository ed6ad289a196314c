// Micro-benchmarks of the sans-io core: sign and build (the generic signer and Beast message),
// write_request (the client's fixed-shape signer and writer), sign_build_parse (one attempt's
// work), parse a response, parse an error. Each reports ns/op and heap allocations per op
// (counted by a replaced operator new).
#include <bedrock_agent/impl/internal/sansio/request_builder.hpp>
#include <bedrock_agent/impl/internal/sansio/request_writer.hpp>
#include <bedrock_agent/protocol.hpp>
#include <bedrock_agent/sigv4.hpp>

#include <benchmark/benchmark.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <new>

static std::atomic<std::uint64_t> g_allocs{0};

void* operator new(std::size_t n)
{
    ++g_allocs;
    if (void* p = std::malloc(n ? n : 1)) return p;
    throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }

namespace ba = bedrock_agent;

namespace {

const char* body = R"({"ingestionJob":{"knowledgeBaseId":"KB12345678","dataSourceId":"DS12345678",)"
                   R"("ingestionJobId":"IJ12345678","status":"STOPPING","statistics":{"numberOfDocumentsScanned":1200,)"
                   R"("numberOfMetadataDocumentsScanned":0,"numberOfNewDocumentsIndexed":600,"numberOfModifiedDocumentsIndexed":0,)"
                   R"("numberOfMetadataDocumentsModified":0,"numberOfDocumentsDeleted":0,"numberOfDocumentsFailed":0,)"
                   R"("numberOfDocumentsSkipped":0},"startedAt":"2026-11-28T10:00:00.123Z","updatedAt":"2026-11-28T10:05:00Z"}})";

struct alloc_counter {
    benchmark::State& st;
    std::uint64_t start = g_allocs.load();
    ~alloc_counter()
    {
        st.counters["allocs/op"] = benchmark::Counter(static_cast<double>(g_allocs.load() - start),
                                                      benchmark::Counter::kAvgIterations);
    }
};

void sign(benchmark::State& st)
{
    ba::sigv4::signing_key_cache cache;
    ba::sigv4::header_view h[] = {{"host", "bedrock-agent.us-east-1.amazonaws.com"}};
    auto now = std::chrono::system_clock::now();
    alloc_counter ac{st};
    for (auto _ : st) {
        auto r = ba::sigv4::sign(
            {"POST", "/knowledgebases/KB12345678/datasources/DS12345678/ingestionjobs/IJ12345678/stop", {}, h, {},
             ba::sigv4::empty_payload_sha256},
            {"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", {}, "us-east-1", "bedrock", now, {}}, &cache);
        benchmark::DoNotOptimize(r);
    }
}
BENCHMARK(sign);

// One StopIngestionJob request, its endpoint and credentials, as the client holds them.
struct request_fixture {
    ba::sigv4::signing_key_cache cache;
    ba::endpoint ep = [] {
        ba::endpoint e;
        std::string why;
        ba::parse_endpoint("https://bedrock-agent.us-east-1.amazonaws.com", e, why);
        return e;
    }();
    ba::credentials creds{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", {}};
    ba::stop_ingestion_job_request req{"KB12345678", "DS12345678", "IJ12345678"};
    ba::sansio::build_context context(std::chrono::system_clock::time_point now)
    {
        return {ep, creds, "us-east-1", now, "00000000-0000-4000-8000-000000000000", 1, 3, &cache};
    }
};

void build(benchmark::State& st)
{
    request_fixture f;
    auto now = std::chrono::system_clock::now();
    alloc_counter ac{st};
    for (auto _ : st) {
        auto r = ba::sansio::build_stop_ingestion_job(f.req, f.context(now));
        benchmark::DoNotOptimize(r);
    }
}
BENCHMARK(build);

// What the client does per attempt: sign and write the request's bytes into the connection's
// buffer (the fixed-shape signer), with the clock read each time.
void write_request(benchmark::State& st)
{
    request_fixture f;
    ba::sansio::request_writer w;
    std::string out;
    w.write(out, f.req, f.context(std::chrono::system_clock::now()));
    alloc_counter ac{st};
    for (auto _ : st) {
        w.write(out, f.req, f.context(std::chrono::system_clock::now()));
        benchmark::DoNotOptimize(out.data());
    }
}
BENCHMARK(write_request);

// Sign + build + parse, as one attempt of the client: write_request, then parse a 202 body into
// a response object used before.
void sign_build_parse(benchmark::State& st)
{
    request_fixture f;
    ba::sansio::request_writer w;
    std::string out;
    ba::stop_ingestion_job_response r;
    ba::diagnostics d;
    auto once = [&] {
        w.write(out, f.req, f.context(std::chrono::system_clock::now()));
        return ba::parse_stop_ingestion_job_response(body, r, d);
    };
    if (once()) st.SkipWithError("parse failed");
    alloc_counter ac{st};
    for (auto _ : st) {
        auto ec = once();
        benchmark::DoNotOptimize(ec);
        benchmark::DoNotOptimize(out.data());
    }
}
BENCHMARK(sign_build_parse);

void parse_response(benchmark::State& st)
{
    ba::stop_ingestion_job_response r;
    ba::diagnostics d;
    ba::parse_stop_ingestion_job_response(body, r, d);  // warm the thread's parser
    alloc_counter ac{st};
    for (auto _ : st) {
        auto ec = ba::parse_stop_ingestion_job_response(body, r, d);
        benchmark::DoNotOptimize(ec);
    }
}
BENCHMARK(parse_response);

void parse_error(benchmark::State& st)
{
    ba::diagnostics d;
    std::string_view b = R"({"message":"Ingestion job IJ12345678 is COMPLETE and cannot be stopped"})";
    alloc_counter ac{st};
    for (auto _ : st) {
        auto ec = ba::parse_error_response({409, "Conflict", "ConflictException", "11111111-2222-3333-4444-555555555555", b}, d);
        benchmark::DoNotOptimize(ec);
    }
}
BENCHMARK(parse_error);

// What reusing an idle connection adds per call (connection::spoke_while_idle): one
// non-blocking recv(MSG_PEEK) of a byte on an idle loopback TCP socket, which finds nothing.
void idle_peek(benchmark::State& st)
{
    int lst = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    ::bind(lst, reinterpret_cast<sockaddr*>(&a), sizeof a);
    ::listen(lst, 1);
    ::getsockname(lst, reinterpret_cast<sockaddr*>(&a), &len);
    int c = ::socket(AF_INET, SOCK_STREAM, 0);
    ::connect(c, reinterpret_cast<sockaddr*>(&a), sizeof a);
    int s = ::accept(lst, nullptr, nullptr);
    for (auto _ : st) {
        char b;
        auto n = ::recv(c, &b, 1, MSG_PEEK | MSG_DONTWAIT);
        benchmark::DoNotOptimize(n);
    }
    ::close(s);
    ::close(c);
    ::close(lst);
}
BENCHMARK(idle_peek);

}  // namespace

BENCHMARK_MAIN();
