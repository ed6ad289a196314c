// bedrock-agent-bench: drives StopIngestionJob calls at a fixed concurrency through the async
// client (C coroutines on T threads, one client, its pool at the library default of 25
// connections unless --max-connections is given) or the blocking client (C threads, one
// blocking_client each: that is how it is meant to be used, since a blocking_client serves one
// call at a time), checks every response, and prints one JSON line of results.
#include <bedrock_agent/bedrock_agent.hpp>

#include "latency_histogram.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>

#include <sys/resource.h>

#include <algorithm>
#include <array>
#include <bit>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

namespace asio = boost::asio;
namespace ba = bedrock_agent;
using clk = std::chrono::steady_clock;

namespace {

[[noreturn]] void die(const std::string& m)
{
    // stdio, not <iostream>: its static initialiser builds libstdc++'s classic locale, ≈ 0.5 MB of
    // resident pages that neither client needs, in the peak RSS the program reports.
    std::fprintf(stderr, "bedrock-agent-bench: %s\n%s", m.c_str(),
                 "usage: bedrock-agent-bench --endpoint-url URL --requests N --concurrency C --client async|blocking\n"
                 "       [--region R] [--threads T] [--max-connections M] [--max-attempts N] [--attempt-timeout-ms MS]\n"
                 "       [--ca-bundle FILE | --no-verify-ssl] [--knowledge-base-id ID --data-source-id ID --ingestion-job-id ID]\n");
    std::exit(2);
}

long long num(const std::string& flag, const std::string& v, long long min)
{
    char* end = nullptr;
    long long n = std::strtoll(v.c_str(), &end, 10);
    if (end == v.c_str() || *end || n < min) die(flag + ": expected an integer >= " + std::to_string(min) + ", got \"" + v + "\"");
    return n;
}

struct results {
    bench::latency_histogram latency;
    std::atomic<std::uint64_t> errors{0}, attempts{0};
};

bool check(const boost::system::error_code& ec, const ba::diagnostics& d, const ba::stop_ingestion_job_response& r,
           const ba::stop_ingestion_job_request& req)
{
    return !ec && d.http_status() == 202 && r.ingestion_job.knowledge_base_id == req.knowledge_base_id &&
           r.ingestion_job.data_source_id == req.data_source_id && r.ingestion_job.ingestion_job_id == req.ingestion_job_id;
}

}  // namespace

int main(int argc, char** argv)
{
    ba::client_params p;
    std::string client_kind;
    long long requests = -1, concurrency = -1, threads = 1;
    ba::stop_ingestion_job_request req{"KB12345678", "DS12345678", "IJ12345678"};
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        auto value = [&]() -> std::string {
            if (i + 1 >= argc) die(a + " needs a value");
            return argv[++i];
        };
        if (a == "--endpoint-url") p.endpoint_url = value();
        else if (a == "--requests") requests = num(a, value(), 1);
        else if (a == "--concurrency") concurrency = num(a, value(), 1);
        else if (a == "--client") client_kind = value();
        else if (a == "--region") p.region = value();
        else if (a == "--threads") threads = num(a, value(), 1);
        else if (a == "--max-connections") p.pool.max_connections = static_cast<std::size_t>(num(a, value(), 1));
        else if (a == "--max-attempts") p.retry.max_attempts = static_cast<unsigned>(num(a, value(), 1));
        else if (a == "--attempt-timeout-ms") p.attempt_timeout = std::chrono::milliseconds(num(a, value(), 0));
        else if (a == "--ca-bundle") p.ca_file = value();
        else if (a == "--no-verify-ssl") p.verify_tls = false;
        else if (a == "--knowledge-base-id") req.knowledge_base_id = value();
        else if (a == "--data-source-id") req.data_source_id = value();
        else if (a == "--ingestion-job-id") req.ingestion_job_id = value();
        else die("unknown option " + a);
    }
    if (!p.endpoint_url || requests < 0 || concurrency < 0) die("--endpoint-url, --requests and --concurrency are required");
    if (client_kind != "async" && client_kind != "blocking") die("--client must be async or blocking");
    // The pool keeps the library's default (pool_params::max_connections, 25) unless
    // --max-connections says otherwise: calls beyond it queue in the client, as in a service
    // that uses the client with its defaults. --max-connections C gives one connection per call,
    // as wrk and the blocking client use.

    results res;
    auto t0 = clk::now();
    if (client_kind == "async") {
        asio::io_context io(static_cast<int>(threads));
        auto ex = threads > 1 ? asio::any_io_executor(asio::make_strand(io)) : asio::any_io_executor(io.get_executor());
        ba::client c(ex, p);
        std::atomic<long long> issued{0};
        struct worker {
            ba::client& c;
            const ba::stop_ingestion_job_request& req;
            results& res;
            std::atomic<long long>& issued;
            long long total;
            ba::diagnostics d;
            clk::time_point start;
            std::uint64_t attempts = 0, errors = 0;  // summed into res once, at the end
            void next()
            {
                if (issued.fetch_add(1) >= total) {
                    res.attempts += attempts;
                    res.errors += errors;
                    return;
                }
                start = clk::now();
                c.stop_ingestion_job(req, d, [this](boost::system::error_code ec, ba::stop_ingestion_job_response r) {
                    res.latency.record(clk::now() - start);
                    attempts += d.attempts();
                    if (!check(ec, d, r, req)) ++errors;
                    next();
                });
            }
        };
        std::vector<std::unique_ptr<worker>> workers;
        for (long long i = 0; i < concurrency; ++i)
            workers.push_back(std::make_unique<worker>(worker{c, req, res, issued, requests, {}, {}, 0, 0}));
        asio::dispatch(ex, [&] {
            for (auto& w : workers) w->next();
        });
        std::vector<std::thread> pool;
        for (long long t = 1; t < threads; ++t) pool.emplace_back([&] { io.run(); });
        io.run();
        for (auto& t : pool) t.join();
    } else {
        std::atomic<long long> issued{0};
        std::vector<std::thread> pool;
        for (long long t = 0; t < concurrency; ++t)
            pool.emplace_back([&] {
                ba::blocking_client b(p);
                while (issued.fetch_add(1) < requests) {
                    ba::diagnostics d;
                    boost::system::error_code ec;
                    auto start = clk::now();
                    auto r = b.stop_ingestion_job(req, ec, d);
                    res.latency.record(clk::now() - start);
                    res.attempts += d.attempts();
                    if (!check(ec, d, r, req)) ++res.errors;
                }
            });
        for (auto& t : pool) t.join();
    }
    double seconds = std::chrono::duration<double>(clk::now() - t0).count();
    auto pct = [&](double q) { return static_cast<unsigned long long>(res.latency.percentile(q)); };
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    double cpu = static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
                 static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
    std::printf("{\"client\":\"%s\",\"requests\":%lld,\"concurrency\":%lld,\"threads\":%lld,\"seconds\":%.4f,"
                "\"rps\":%.1f,\"p50_us\":%llu,\"p99_us\":%llu,\"errors\":%llu,\"attempts\":%llu,\"cpu_seconds\":%.4f,"
                "\"peak_rss_kb\":%ld}\n",
                client_kind.c_str(), requests, concurrency, client_kind == "async" ? threads : concurrency, seconds,
                static_cast<double>(requests) / seconds, pct(0.50), pct(0.99),
                static_cast<unsigned long long>(res.errors.load()), static_cast<unsigned long long>(res.attempts.load()), cpu,
                ru.ru_maxrss);
    return 0;
}
