// bedrock-agent-soak: N calls at concurrency C through one client to the local endpoint (run
// in-process on its own thread), with a fraction of the requests faulted, every fault kind mixed
// (throttles, 500s, 503s, connections dropped before the response and mid-body, stalls past the
// attempt timeout, garbage bytes), and a server restart in the middle. It asserts and prints:
// every call completed, with success or a typed error; the calls that succeeded after retries;
// client attempts reconciled with the server's request count; the pool ends with nothing in use
// or waiting; memory flat across the second half; no call longer than its operation timeout plus
// a small slack. Exit code 0 when every check holds.
//
// usage: bedrock-agent-soak [--requests N] [--concurrency C] [--fault-rate F] [--seed S]
#include <bedrock_agent/bedrock_agent.hpp>

#include "local_endpoint/service.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <cstdio>
#include <fstream>
#include <iostream>

namespace asio = boost::asio;
namespace ba = bedrock_agent;
namespace local = bedrock_agent::local;
using namespace std::chrono_literals;
using clk = std::chrono::steady_clock;

namespace {

long rss_kb()
{
    std::ifstream f("/proc/self/statm");
    long pages = 0, resident = 0;
    f >> pages >> resident;
    return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

// The endpoint under test: a service behind a TLS server on its own thread, restartable on the
// same port.
struct endpoint_under_test {
    local::service_options so;
    std::uint16_t port = 0;
    std::string ca_path;
    std::unique_ptr<local::service> svc;
    std::unique_ptr<local::server_thread> st;
    std::uint64_t requests_before_restarts = 0;
    local::tls_identity identity = local::tls_identity::generate();

    void start()
    {
        if (!svc) svc = std::make_unique<local::service>(so);
        local::server_options o;
        o.port = port;
        st = std::make_unique<local::server_thread>(o, [this](const local::request_type& r, const local::request_info& i) {
            return svc->handle(r, i);
        }, identity);
        port = st->get().port();
    }
    void restart()
    {
        requests_before_restarts += st->get().requests;
        st.reset();  // every connection is closed
        start();
    }
    std::uint64_t requests() const { return requests_before_restarts + st->get().requests; }
};

}  // namespace

int main(int argc, char** argv)
{
    long long total = 100000, concurrency = 256, seed = 1, attempt_ms = 200, operation_ms = 2000;
    double fault_rate = 0.2;
    for (int i = 1; i + 1 < argc; i += 2) {
        std::string a = argv[i], v = argv[i + 1];
        if (a == "--requests") total = std::stoll(v);
        else if (a == "--concurrency") concurrency = std::stoll(v);
        else if (a == "--fault-rate") fault_rate = std::stod(v);
        else if (a == "--seed") seed = std::stoll(v);
        else if (a == "--attempt-timeout-ms") attempt_ms = std::stoll(v);
        else if (a == "--operation-timeout-ms") operation_ms = std::stoll(v);
        else {
            std::cerr << "usage: bedrock-agent-soak [--requests N] [--concurrency C] [--fault-rate F] [--seed S]\n"
                         "                          [--attempt-timeout-ms MS] [--operation-timeout-ms MS]\n";
            return 2;
        }
    }
    endpoint_under_test ep;
    double each = fault_rate / 7.0;
    ep.so.throttle_rate = ep.so.error_rate = ep.so.unavailable_rate = ep.so.drop_rate = ep.so.drop_mid_body_rate =
        ep.so.stall_rate = ep.so.garbage_rate = each;
    ep.so.stall = std::chrono::milliseconds(2 * attempt_ms);  // past the attempt timeout
    ep.so.repeatable_stops = true;
    ep.so.seed = static_cast<std::uint64_t>(seed);
    ep.svc = std::make_unique<local::service>(ep.so);
    ep.svc->add_job("KB12345678", "DS12345678", "IJ12345678", "IN_PROGRESS");
    ep.start();
    ep.ca_path = "/tmp/bedrock-agent-soak-" + std::to_string(::getpid()) + ".pem";
    ep.identity.write_ca_file(ep.ca_path);

    ba::client_params p;
    p.region = ep.so.region;
    p.endpoint_url = "https://127.0.0.1:" + std::to_string(ep.port);
    p.ca_file = ep.ca_path;
    p.credentials = ba::credentials{ep.so.access_key_id, ep.so.secret_access_key, {}};
    p.pool.max_connections = 64;
    p.retry.max_attempts = 3;
    p.retry.base_delay = 5ms;
    p.retry.quota_capacity = 1'000'000;  // the soak is about faults, not about the quota running dry
    p.attempt_timeout = std::chrono::milliseconds(attempt_ms);
    p.operation_timeout = std::chrono::milliseconds(operation_ms);
    const auto slack = 250ms;

    asio::io_context io;
    ba::client c(io.get_executor(), p);
    const ba::stop_ingestion_job_request req{"KB12345678", "DS12345678", "IJ12345678"};
    long long started = 0, completed = 0, ok = 0, ok_after_retry = 0, typed_errors = 0, untyped = 0, too_slow = 0;
    unsigned long long attempts = 0;
    std::map<std::string, long long> by_error;
    long rss_mid = 0, rss_end = 0;
    bool restarted = false;
    clk::duration longest{};

    struct call {
        ba::diagnostics d;
        clk::time_point t0;
    };
    std::function<void()> launch = [&] {
        if (started >= total) return;
        ++started;
        auto cl = std::make_shared<call>();
        cl->t0 = clk::now();
        c.stop_ingestion_job(req, cl->d, [&, cl](boost::system::error_code ec, ba::stop_ingestion_job_response r) {
            ++completed;
            auto took = clk::now() - cl->t0;
            longest = std::max(longest, took);
            if (took > p.operation_timeout + slack) ++too_slow;
            attempts += cl->d.attempts();
            if (!ec && r.ingestion_job.ingestion_job_id == req.ingestion_job_id) {
                ++ok;
                if (cl->d.attempts() > 1) ++ok_after_retry;
            } else if (ec && (ec.category() == ba::error_category() || ec.category() == asio::error::get_system_category() ||
                              ec.category() == asio::error::get_misc_category() ||
                              ec.category() == asio::ssl::error::get_stream_category() ||
                              ec.category() == boost::beast::http::make_error_code(boost::beast::http::error::end_of_stream).category())) {
                ++typed_errors;
                ++by_error[ec.message()];
            } else {
                ++untyped;
            }
            if (completed == total / 2) {
                rss_mid = rss_kb();
            }
            if (!restarted && completed >= total / 3) {
                restarted = true;
                ep.restart();  // a server restart in the middle: every open connection drops
            }
            launch();
        });
    };
    auto t0 = clk::now();
    for (long long i = 0; i < concurrency; ++i) launch();
    io.run();
    rss_end = rss_kb();
    double secs = std::chrono::duration<double>(clk::now() - t0).count();
    auto stats = c.connection_pool_stats();
    std::uint64_t server_requests = ep.requests();
    std::remove(ep.ca_path.c_str());

    bool all_completed = completed == total && untyped == 0;
    // Every request the client wrote reached the server, except those in flight on the connections
    // the restart cut (at most one per connection). Attempts that failed before their request was
    // written (connect or handshake timeouts) never reach it.
    long long lost = static_cast<long long>(stats.requests_sent) - static_cast<long long>(server_requests);
    bool reconciled = lost >= 0 && lost <= static_cast<long long>(p.pool.max_connections);
    bool pool_clean = stats.in_use == 0 && stats.waiting == 0 && stats.open <= p.pool.max_connections;
    // Memory over the second half: within 10% (+2 MiB) on a full run. A short run (the CI form)
    // is still warming up its allocator, TLS session and parser buffers at the half, so it gets a
    // looser bound (25% + 4 MiB); leaks there are caught by running it under LeakSanitizer instead.
    bool memory_flat = total >= 20000 ? rss_end <= rss_mid + rss_mid / 10 + 2048 : rss_end <= rss_mid + rss_mid / 4 + 4096;
    bool bounded = too_slow == 0;

    std::printf("soak: %lld calls at concurrency %lld, %.0f%% of requests faulted, %.1f s\n", total, concurrency,
                fault_rate * 100, secs);
    std::printf("  completed %lld/%lld: %lld succeeded (%lld after retries), %lld typed errors, %lld untyped\n", completed,
                total, ok, ok_after_retry, typed_errors, untyped);
    for (auto& [m, n] : by_error) std::printf("    %lld x %s\n", n, m.c_str());
    std::printf("  attempts: client %llu (+ %llu replays), %llu requests written, server saw %llu, %lld cut by the "
                "restart (at most %zu): %s\n",
                attempts, static_cast<unsigned long long>(stats.replays),
                static_cast<unsigned long long>(stats.requests_sent), static_cast<unsigned long long>(server_requests),
                lost, p.pool.max_connections, reconciled ? "reconciled" : "MISMATCH");
    const auto& sc = ep.svc->stats();
    std::printf("  server faults: %llu throttles, %llu 500s, %llu 503s, %llu dropped, %llu dropped mid-body, %llu stalls, "
                "%llu garbage; 1 restart\n",
                (unsigned long long)sc.throttled, (unsigned long long)sc.errors, (unsigned long long)sc.unavailable,
                (unsigned long long)sc.dropped, (unsigned long long)sc.dropped_mid_body, (unsigned long long)sc.stalled,
                (unsigned long long)sc.garbage);
    std::printf("  pool at the end: open %zu, idle %zu, in use %zu, waiting %zu; %llu connections opened: %s\n", stats.open,
                stats.idle, stats.in_use, stats.waiting, (unsigned long long)stats.connections_opened,
                pool_clean ? "clean" : "LEAK");
    std::printf("  RSS: %ld KiB at the half, %ld KiB at the end: %s\n", rss_mid, rss_end, memory_flat ? "flat" : "GROWING");
    std::printf("  longest call %.0f ms (operation timeout %lld ms + %lld ms slack): %s\n",
                std::chrono::duration<double, std::milli>(longest).count(), (long long)p.operation_timeout.count(),
                (long long)std::chrono::duration_cast<std::chrono::milliseconds>(slack).count(),
                bounded ? "bounded" : "TOO SLOW");
    bool pass = all_completed && reconciled && pool_clean && memory_flat && bounded && ok > 0;
    std::printf("soak: %s\n", pass ? "PASS" : "FAIL");
    return pass ? 0 : 1;
}
