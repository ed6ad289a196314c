// bedrock-agent-local: a local Bedrock Agent endpoint speaking the real REST-JSON wire protocol
// over HTTPS, for demos, tests and benchmarks. See --help.
#include "service.hpp"

#include <boost/asio/signal_set.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <unistd.h>

namespace asio = boost::asio;
namespace local = bedrock_agent::local;

namespace {

const char* usage =
    "usage: bedrock-agent-local [options]\n"
    "\n"
    "Serves the Bedrock Agent ingestion-job operations (StopIngestionJob, GetIngestionJob,\n"
    "StartIngestionJob) on 127.0.0.1 over HTTPS with a self-signed certificate made at start-up.\n"
    "Once listening it prints one JSON line: {\"url\":...,\"ca_file\":...,\"region\":...,\"access_key_id\":...}\n"
    "\n"
    "  --port N                 listen on port N (default 0: an ephemeral port)\n"
    "  --address A              listen address (default 127.0.0.1; ::1 also works)\n"
    "  --http                   plain HTTP instead of HTTPS\n"
    "  --ca-file PATH           where to write the certificate clients should trust\n"
    "                           (default: a new file under the temp directory)\n"
    "  --region R               the region requests must be signed for (default us-east-1)\n"
    "  --access-key-id K        the access key id requests must be signed with (default AKIDLOCALEXAMPLE)\n"
    "  --secret-access-key S    its secret (default bedrock-agent-local-secret; or $BEDROCK_AGENT_LOCAL_SECRET)\n"
    "  --no-verify-signatures   accept any signature\n"
    "  --job KB/DS/JOB[:STATUS] seed a job (STATUS: STARTING, IN_PROGRESS (default), COMPLETE, FAILED,\n"
    "                           STOPPING, STOPPED); repeatable\n"
    "  --data-source KB/DS      seed a knowledge base and data source with no job; repeatable\n"
    "  --seed-file PATH         seed from {\"jobs\":[{\"knowledgeBaseId\":..,\"dataSourceId\":..,\n"
    "                           \"ingestionJobId\":..,\"status\":..,\"description\":..}]}\n"
    "  --starting-ms N --running-ms N --stopping-ms N   lifecycle times (1000, 600000, 1000)\n"
    "  --throttle-rate F --error-rate F --unavailable-rate F --drop-rate F --drop-mid-body-rate F\n"
    "  --stall-rate F --garbage-rate F   fault fractions in [0, 1]\n"
    "  --latency-ms N           added to every answer;  --stall-ms N  length of a stall (5000)\n"
    "  --seed N                 random seed for faults (default: random)\n"
    "  --repeatable-stops       stopping a job that is not running answers 202 (benchmarks)\n"
    "Stops cleanly on SIGINT or SIGTERM, printing its counters as one JSON line on stderr.\n";

[[noreturn]] void die(const std::string& msg)
{
    std::cerr << "bedrock-agent-local: " << msg << "\n";
    std::exit(2);
}

double rate(const std::string& flag, const std::string& v)
{
    char* end = nullptr;
    double d = std::strtod(v.c_str(), &end);
    if (end == v.c_str() || *end || !(d >= 0.0 && d <= 1.0)) die(flag + ": expected a fraction in [0, 1], got \"" + v + "\"");
    return d;
}

long long number(const std::string& flag, const std::string& v)
{
    char* end = nullptr;
    long long n = std::strtoll(v.c_str(), &end, 10);
    if (end == v.c_str() || *end || n < 0) die(flag + ": expected a non-negative integer, got \"" + v + "\"");
    return n;
}

}  // namespace

int main(int argc, char** argv)
{
    local::server_options so;
    local::service_options opts;
    if (const char* s = std::getenv("BEDROCK_AGENT_LOCAL_SECRET")) opts.secret_access_key = s;
    std::string ca_path;
    bool generated_ca = false;
    std::vector<std::string> jobs, sources, seed_files;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        auto value = [&]() -> std::string {
            if (i + 1 >= argc) die(a + " needs a value");
            return argv[++i];
        };
        if (a == "--help" || a == "-h") {
            std::cout << usage;
            return 0;
        } else if (a == "--port") {
            long long p = number(a, value());
            if (p > 65535) die("--port: expected 0..65535");
            so.port = static_cast<std::uint16_t>(p);
        } else if (a == "--address") so.address = value();
        else if (a == "--http") so.tls = false;
        else if (a == "--ca-file") ca_path = value();
        else if (a == "--region") opts.region = value();
        else if (a == "--access-key-id") opts.access_key_id = value();
        else if (a == "--secret-access-key") opts.secret_access_key = value();
        else if (a == "--no-verify-signatures") opts.check_signatures = false;
        else if (a == "--job") jobs.push_back(value());
        else if (a == "--data-source") sources.push_back(value());
        else if (a == "--seed-file") seed_files.push_back(value());
        else if (a == "--starting-ms") opts.starting = std::chrono::milliseconds(number(a, value()));
        else if (a == "--running-ms") opts.running = std::chrono::milliseconds(number(a, value()));
        else if (a == "--stopping-ms") opts.stopping = std::chrono::milliseconds(number(a, value()));
        else if (a == "--throttle-rate") opts.throttle_rate = rate(a, value());
        else if (a == "--error-rate") opts.error_rate = rate(a, value());
        else if (a == "--unavailable-rate") opts.unavailable_rate = rate(a, value());
        else if (a == "--drop-rate") opts.drop_rate = rate(a, value());
        else if (a == "--drop-mid-body-rate") opts.drop_mid_body_rate = rate(a, value());
        else if (a == "--stall-rate") opts.stall_rate = rate(a, value());
        else if (a == "--garbage-rate") opts.garbage_rate = rate(a, value());
        else if (a == "--latency-ms") opts.latency = std::chrono::milliseconds(number(a, value()));
        else if (a == "--stall-ms") opts.stall = std::chrono::milliseconds(number(a, value()));
        else if (a == "--repeatable-stops") opts.repeatable_stops = true;
        else if (a == "--seed") opts.seed = static_cast<std::uint64_t>(number(a, value()));
        else die("unknown option " + a + " (see --help)");
    }

    try {
        local::service svc(opts);
        for (auto& j : jobs) {
            auto colon = j.find(':');
            std::string ids = j.substr(0, colon), status = colon == std::string::npos ? "IN_PROGRESS" : j.substr(colon + 1);
            auto s1 = ids.find('/'), s2 = ids.find('/', s1 == std::string::npos ? s1 : s1 + 1);
            if (s1 == std::string::npos || s2 == std::string::npos) die("--job: expected KB/DS/JOB[:STATUS], got \"" + j + "\"");
            svc.add_job(ids.substr(0, s1), ids.substr(s1 + 1, s2 - s1 - 1), ids.substr(s2 + 1), status);
        }
        for (auto& s : sources) {
            auto slash = s.find('/');
            if (slash == std::string::npos) die("--data-source: expected KB/DS, got \"" + s + "\"");
            svc.add_job(s.substr(0, slash), s.substr(slash + 1), "", "");
        }
        for (auto& f : seed_files) {
            std::ifstream in(f);
            if (!in) die("--seed-file: cannot read " + f);
            std::stringstream ss;
            ss << in.rdbuf();
            svc.load_seed_json(ss.str());
        }

        asio::io_context io{1};
        local::server srv(io.get_executor(), so,
                          [&](const local::request_type& r, const local::request_info& info) { return svc.handle(r, info); });
        if (so.tls) {
            if (ca_path.empty()) {
                generated_ca = true;
                ca_path = (std::filesystem::temp_directory_path() /
                           ("bedrock-agent-local-" + std::to_string(::getpid()) + "-ca.pem")).string();
            }
            srv.identity().write_ca_file(ca_path);
        }
        // Catch the signals before announcing the URL: whoever reads the line may signal at once.
        asio::signal_set signals(io, SIGINT, SIGTERM);
        signals.async_wait([&](boost::system::error_code, int) {
            srv.stop();
            io.stop();
        });
        std::string line = "{\"url\":";
        bedrock_agent::programs::append_json_string(line, srv.url());
        line += ",\"ca_file\":";
        bedrock_agent::programs::append_json_string(line, ca_path);
        line += ",\"region\":";
        bedrock_agent::programs::append_json_string(line, opts.region);
        line += ",\"access_key_id\":";
        bedrock_agent::programs::append_json_string(line, opts.access_key_id);
        line += "}";
        std::cout << line << std::endl;
        io.run();
        const auto& c = svc.stats();
        std::cerr << "{\"requests\":" << c.requests << ",\"ok\":" << c.ok << ",\"throttled\":" << c.throttled
                  << ",\"errors\":" << c.errors << ",\"dropped\":" << c.dropped << ",\"bad_signature\":" << c.bad_signature
                  << "}" << std::endl;
        if (generated_ca) std::filesystem::remove(ca_path);  // a --ca-file path is the caller's to keep
    } catch (const std::exception& e) {
        die(e.what());
    }
    return 0;
}
