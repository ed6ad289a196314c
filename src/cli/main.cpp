// bedrock-agent: a command line shaped like AWS CLI v2's `aws bedrock-agent`, a thin shell over
// the library's blocking client.
//
//   bedrock-agent [global options] stop-ingestion-job --knowledge-base-id KB --data-source-id DS
//                 --ingestion-job-id JOB
//
// Exit codes are the AWS CLI's: 0 success, 252 bad parameters, 253 bad configuration, 254 the
// service returned an error, 255 anything else (connection failures, timeouts).
#include <bedrock_agent/bedrock_agent.hpp>

#include "../output/json_output.hpp"

#include <cstdlib>
#include <iostream>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace ba = bedrock_agent;

namespace {

constexpr int exit_params = 252, exit_config = 253, exit_service = 254, exit_other = 255;

const char* usage_line =
    "usage: bedrock-agent [options] <command> [parameters]\n"
    "To see help text, you can run:\n\n"
    "  bedrock-agent help\n"
    "  bedrock-agent stop-ingestion-job help\n";

const char* help_text =
    "bedrock-agent: the Bedrock Agent ingestion-job API from the command line\n"
    "\n"
    "usage: bedrock-agent [options] <command> --knowledge-base-id KB --data-source-id DS\n"
    "                     --ingestion-job-id JOB\n"
    "\n"
    "Commands:\n"
    "  stop-ingestion-job    Stops a running data ingestion job (POST .../ingestionjobs/{id}/stop)\n"
    "  get-ingestion-job     Gets a data ingestion job (GET .../ingestionjobs/{id})\n"
    "\n"
    "Global options:\n"
    "  --endpoint-url URL         send requests to URL instead of the region's endpoint\n"
    "  --region R                 the region (else AWS_REGION, AWS_DEFAULT_REGION)\n"
    "  --profile P                use profile P of the shared config and credentials files\n"
    "  --ca-bundle FILE           trust the CA certificates in FILE (else AWS_CA_BUNDLE, the system store)\n"
    "  --no-verify-ssl            do not verify TLS certificates (unsafe)\n"
    "  --cli-connect-timeout S    connect and TLS handshake timeout in seconds (0: none; default 3.1)\n"
    "  --cli-read-timeout S       per-attempt timeout in seconds (0: none; default 60)\n"
    "  --output json|text         output format (default json)\n"
    "  --debug                    log request and response headers to stderr (secrets redacted)\n"
    "  --version                  print the version\n"
    "  --help                     print this help\n"
    "\n"
    "Credentials come from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN, or the\n"
    "profile's keys in ~/.aws/credentials and ~/.aws/config (AWS_SHARED_CREDENTIALS_FILE, AWS_CONFIG_FILE).\n"
    "Exit codes: 0 success, 252 invalid parameters, 253 invalid configuration,\n"
    "254 the service returned an error, 255 any other failure.\n";

int usage_error(const std::string& msg)
{
    std::cerr << "\n" << usage_line << "\nbedrock-agent: error: " << msg << "\n";
    return exit_params;
}

std::optional<std::chrono::milliseconds> parse_seconds(const std::string& v)
{
    char* end = nullptr;
    double d = std::strtod(v.c_str(), &end);
    if (end == v.c_str() || *end || !(d >= 0) || d > 1e6) return std::nullopt;
    return std::chrono::milliseconds(static_cast<long long>(d * 1000));
}

std::string env(const char* name)
{
    const char* v = std::getenv(name);
    return v ? v : "";
}

// AWS CLI's text output: one line per structure, its scalar members sorted by name.
std::string to_text(const ba::stop_ingestion_job_response& r)
{
    const auto& j = r.ingestion_job;
    std::map<std::string, std::string> scalars{
        {"dataSourceId", j.data_source_id},
        {"ingestionJobId", j.ingestion_job_id},
        {"knowledgeBaseId", j.knowledge_base_id},
        {"startedAt", ba::programs::format_timestamp(j.started_at)},
        {"status", j.status_text.empty() ? ba::to_string(j.status) : j.status_text},
        {"updatedAt", ba::programs::format_timestamp(j.updated_at)},
    };
    if (j.description) scalars["description"] = *j.description;
    std::string out = "INGESTIONJOB";
    for (auto& [k, v] : scalars) out += "\t" + v;
    out += "\n";
    for (auto& f : j.failure_reasons) out += "FAILUREREASONS\t" + f + "\n";
    if (j.statistics) {
        const auto& s = *j.statistics;
        std::map<std::string, std::int64_t> st{
            {"numberOfDocumentsDeleted", s.number_of_documents_deleted},
            {"numberOfDocumentsFailed", s.number_of_documents_failed},
            {"numberOfDocumentsScanned", s.number_of_documents_scanned},
            {"numberOfDocumentsSkipped", s.number_of_documents_skipped},
            {"numberOfMetadataDocumentsModified", s.number_of_metadata_documents_modified},
            {"numberOfMetadataDocumentsScanned", s.number_of_metadata_documents_scanned},
            {"numberOfModifiedDocumentsIndexed", s.number_of_modified_documents_indexed},
            {"numberOfNewDocumentsIndexed", s.number_of_new_documents_indexed},
        };
        out += "STATISTICS";
        for (auto& [k, v] : st) out += "\t" + std::to_string(v);
        out += "\n";
    }
    return out;
}

bool is_service_error(const boost::system::error_code& ec)
{
    if (ec.category() != ba::error_category()) return false;
    auto e = static_cast<ba::errc>(ec.value());
    return e <= ba::errc::unknown_service_error;
}

}  // namespace

/// errc::no_credentials in AWS CLI v2's words. The library's client_message() is either "no
/// credentials found; providers tried: A: why; B: why ..." (no provider had any: the CLI's
/// generic line, exit 253) or "<provider>: <why>; providers tried before it: ..." (a configured
/// provider failed: its error, as botocore raises it, exit 255; an STS refusal is a service
/// error, 254). --debug lists each provider looked in, as the CLI's debug log does.
int credentials_error(const std::string& message, bool debug)
{
    constexpr std::string_view none = "no credentials found; providers tried: ", before = "; providers tried before it: ";
    const auto split = message.find(before);
    const std::string reason = message.substr(0, split);
    if (debug) {
        std::string tried = message.starts_with(none) ? message.substr(none.size())
                            : split != std::string::npos ? message.substr(split + before.size()) + "; " + reason
                                                         : reason;
        for (std::size_t at = 0; at < tried.size();) {
            auto end = tried.find("; ", at);
            std::cerr << "DEBUG Looking for credentials via: " << tried.substr(at, end - at) << "\n";
            at = end == std::string::npos ? tried.size() : end + 2;
        }
    }
    if (message.empty() || message.starts_with(none)) {
        std::cerr << "Unable to locate credentials. You can configure credentials by running \"aws configure\".\n";
        return exit_config;
    }
    // botocore's provider names (credentials.py METHOD), for CredentialRetrievalError's wording.
    for (auto [ours, method] : {std::pair<std::string_view, std::string_view>{"credential_process: ", "custom-process"},
                                {"web identity: ", "assume-role-with-web-identity"},
                                {"container endpoint: ", "container-role"},
                                {"instance metadata: ", "iam-role"}}) {
        if (!reason.starts_with(ours)) continue;
        std::string why = reason.substr(ours.size());
        if (method == "custom-process") {
            // botocore reports the process's stderr alone when it exits non-zero.
            if (why.starts_with("exited with status "))
                if (auto colon = why.find(": "); colon != std::string::npos) why = why.substr(colon + 2);
        } else if (method == "assume-role-with-web-identity" && why.starts_with("STS error ")) {
            // STS refused: a service error of AssumeRoleWithWebIdentity (botocore's ClientError).
            std::string rest = why.substr(10);
            auto colon = rest.find(": ");
            std::string code = rest.substr(0, colon), msg = colon == std::string::npos ? "" : rest.substr(colon + 2);
            if (auto http = msg.rfind(" (HTTP "); http != std::string::npos) msg.erase(http);
            std::cerr << "\nAn error occurred (" << code << ") when calling the AssumeRoleWithWebIdentity operation: " << msg << "\n";
            return exit_service;
        }
        std::cerr << "\nError when retrieving credentials from " << method << ": " << why << "\n";
        return exit_other;
    }
    std::cerr << "\n" << reason << "\n";  // e.g. botocore's PartialCredentialsError wording
    return exit_other;
}

int main(int argc, char** argv)
{
    std::vector<std::string> args(argv + 1, argv + argc);
    std::string command;
    std::map<std::string, std::string> values;
    bool debug = false, no_verify = false, help = false;
    const std::vector<std::string> valued = {"--endpoint-url", "--region", "--profile", "--ca-bundle",
                                             "--cli-connect-timeout", "--cli-read-timeout", "--output",
                                             "--knowledge-base-id", "--data-source-id", "--ingestion-job-id"};
    std::vector<std::string> unknown;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        if (a == "--version") {
            std::cout << "bedrock-agent/" BEDROCK_AGENT_VERSION_STRING " (bedrock-agent-asio)\n";
            return 0;
        }
        if (a == "--help" || a == "-h" || a == "help") {
            help = true;
            continue;
        }
        if (a == "--debug") {
            debug = true;
            continue;
        }
        if (a == "--no-verify-ssl") {
            no_verify = true;
            continue;
        }
        std::string name = a, value;
        bool has_inline = false;
        if (auto eq = a.find('='); a.starts_with("--") && eq != std::string::npos) {
            name = a.substr(0, eq);
            value = a.substr(eq + 1);
            has_inline = true;
        }
        if (std::find(valued.begin(), valued.end(), name) != valued.end()) {
            if (!has_inline) {
                if (i + 1 >= args.size()) return usage_error("argument " + name + ": expected one argument");
                value = args[++i];
            }
            values[name] = value;
            continue;
        }
        if (a.starts_with("-")) {
            unknown.push_back(a);
            continue;
        }
        if (command.empty()) command = a;
        else unknown.push_back(a);
    }
    if (help) {
        std::cout << help_text;
        return 0;
    }
    if (command.empty()) return usage_error("the following arguments are required: command");
    if (command != "stop-ingestion-job" && command != "get-ingestion-job")
        return usage_error("argument operation: Invalid choice, valid choices are:\n\nget-ingestion-job | stop-ingestion-job");
    const bool is_get = command == "get-ingestion-job";
    const char* const operation = is_get ? "GetIngestionJob" : "StopIngestionJob";
    if (!unknown.empty()) {
        std::string u;
        for (auto& x : unknown) u += (u.empty() ? "" : ", ") + x;
        return usage_error("Unknown options: " + u);
    }
    std::string missing;
    for (const char* req : {"--knowledge-base-id", "--data-source-id", "--ingestion-job-id"})
        if (!values.count(req)) missing += (missing.empty() ? "" : ", ") + std::string(req);
    if (!missing.empty()) return usage_error("the following arguments are required: " + missing);
    std::string output = values.count("--output") ? values["--output"] : env("AWS_DEFAULT_OUTPUT");
    if (output.empty()) output = "json";
    if (output != "json" && output != "text")
        return usage_error("argument --output: Invalid choice, valid choices are:\n\njson | text");

    ba::stop_ingestion_job_request req{values["--knowledge-base-id"], values["--data-source-id"],
                                       values["--ingestion-job-id"]};
    {
        ba::diagnostics d;
        if (ba::validate(req, d)) {
            // Name the parameter as the user typed it.
            std::string msg = d.client_message();
            for (auto [field, flag] : {std::pair{"knowledge_base_id (knowledgeBaseId)", "--knowledge-base-id"},
                                       std::pair{"data_source_id (dataSourceId)", "--data-source-id"},
                                       std::pair{"ingestion_job_id (ingestionJobId)", "--ingestion-job-id"}})
                if (msg.starts_with(field)) msg = std::string(flag) + ":" + msg.substr(std::string(field).size());
            std::cerr << "\nParameter validation failed:\nInvalid value for parameter " << msg << "\n";
            return exit_params;
        }
    }

    ba::client_params p;
    for (const char* flag : {"--endpoint-url", "--region", "--profile", "--ca-bundle"})
        if (values.count(flag) && values[flag].empty()) return usage_error(std::string("argument ") + flag + ": expected a non-empty value");
    if (values.count("--region")) p.region = values["--region"];
    if (values.count("--endpoint-url")) p.endpoint_url = values["--endpoint-url"];
    if (values.count("--ca-bundle")) p.ca_file = values["--ca-bundle"];
    if (values.count("--profile")) p.profile = values["--profile"];
    p.verify_tls = !no_verify;
    for (auto [flag, target] : {std::pair{"--cli-connect-timeout", 0}, std::pair{"--cli-read-timeout", 1}}) {
        if (!values.count(flag)) continue;
        auto v = parse_seconds(values[flag]);
        if (!v) return usage_error(std::string("argument ") + flag + ": invalid value: '" + values[flag] + "'");
        if (target == 0) p.pool.connect_timeout = p.pool.tls_handshake_timeout = *v;
        else p.attempt_timeout = *v;
    }
    if (debug) p.debug_log = [](std::string_view text) { std::cerr << "DEBUG " << text; };

    ba::blocking_client client(p);
    boost::system::error_code ec;
    ba::diagnostics d;
    // Both answers are {"ingestionJob": ...}, printed the same way.
    ba::stop_ingestion_job_response resp;
    const ba::get_ingestion_job_request get{req.knowledge_base_id, req.data_source_id, req.ingestion_job_id};
    if (is_get) resp.ingestion_job = std::move(client.get_ingestion_job(get, ec, d).ingestion_job);
    else resp = client.stop_ingestion_job(req, ec, d);
    if (!ec) {
        std::cout << (output == "json" ? ba::programs::to_json(resp) + "\n" : to_text(resp));
        return 0;
    }
    if (ec == ba::errc::no_credentials) return credentials_error(d.client_message(), debug);
    if (ec == ba::errc::invalid_configuration) {
        const std::string& m = d.client_message();
        if (m.starts_with("Invalid Configuration: Missing Region") || m.starts_with("no region"))
            std::cerr << "You must specify a region. You can also configure your region by running \"aws configure\".\n";
        else
            std::cerr << "\n" << m << "\n";
        return exit_config;
    }
    if (is_service_error(ec)) {
        std::cerr << "\nAn error occurred (" << d.aws_error_code() << ") when calling the " << operation << " operation";
        if (d.attempts() > 1) std::cerr << " (reached max retries: " << d.attempts() - 1 << ")";
        std::cerr << ": " << d.message() << "\n";
        return exit_service;
    }
    // Anything else: the AWS CLI's wording for transport failures, with our explanation.
    std::string url = client.endpoint_url() + (is_get ? ba::get_ingestion_job_path(get) : ba::stop_ingestion_job_path(req));
    const std::string& why = d.client_message();
    bool connect_step = why.starts_with("connecting") || why.starts_with("resolving") || why.starts_with("TLS handshake");
    if (ec == ba::errc::timeout) {
        std::cerr << "\n" << (connect_step ? "Connect" : "Read") << " timeout on endpoint URL: \"" << url << "\"";
    } else if (why.starts_with("TLS handshake")) {
        std::cerr << "\nSSL validation failed for " << url;
    } else if (connect_step) {
        std::cerr << "\nCould not connect to the endpoint URL: \"" << url << "\"";
    } else {
        std::cerr << "\n" << ec.message() << " (" << url << ")";
    }
    if (!why.empty()) std::cerr << "\n" << why;
    std::cerr << "\n";
    return exit_other;
}
