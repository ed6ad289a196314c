#ifndef BEDROCK_AGENT_LOCAL_SERVICE_HPP
#define BEDROCK_AGENT_LOCAL_SERVICE_HPP

// The local Bedrock Agent endpoint's behaviour: an in-memory store of knowledge bases, data
// sources and ingestion jobs, the REST-JSON routes of the ingestion-job operations, AWS's errors,
// SigV4 verification with the library's own signer, and fault injection. One instance serves one
// server thread (no locking).

#include "server.hpp"
#include "../output/json_output.hpp"

#include <bedrock_agent/protocol.hpp>
#include <bedrock_agent/sigv4.hpp>

#include <openssl/crypto.h>
#include <simdjson.h>

#include <functional>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <variant>
#include <vector>

namespace bedrock_agent::local {

using programs::append_json_string;
using programs::format_timestamp;

struct service_options {
    std::string region = "us-east-1";
    std::string access_key_id = "AKIDLOCALEXAMPLE";
    std::string secret_access_key = "bedrock-agent-local-secret";
    bool check_signatures = true;
    std::chrono::seconds max_clock_skew{300};
    // Lifecycle: STARTING for starting, IN_PROGRESS for running, then COMPLETE; a stop makes a
    // running job STOPPING for stopping, then STOPPED.
    std::chrono::milliseconds starting{1000}, running{600'000}, stopping{1000};
    // Faults, as fractions of requests (drawn in this order), and latency added to every answer.
    double throttle_rate = 0, error_rate = 0, unavailable_rate = 0, drop_rate = 0, drop_mid_body_rate = 0,
           stall_rate = 0, garbage_rate = 0;
    std::chrono::milliseconds latency{0};
    std::chrono::milliseconds stall{5000};
    std::uint64_t seed = 0;  ///< 0: random
    /// Benchmark mode: stopping a job that is not running answers 202 with the job as it is,
    /// instead of ConflictException, so one job can be stopped over and over.
    bool repeatable_stops = false;
    /// The clock jobs age by (and signatures are dated against); tests give their own.
    std::function<std::chrono::system_clock::time_point()> now = [] { return std::chrono::system_clock::now(); };
};

class service {
public:
    using clock = std::chrono::system_clock;

    struct job {
        std::string kb, ds, id;
        std::optional<std::string> description;
        std::string fixed_status;  ///< non-empty for COMPLETE/FAILED seeded jobs
        clock::time_point started_at;
        std::optional<clock::time_point> stop_requested_at;
    };

    struct counters {
        std::uint64_t requests = 0, ok = 0, throttled = 0, errors = 0, unavailable = 0, dropped = 0,
                      dropped_mid_body = 0, stalled = 0, garbage = 0, bad_signature = 0, not_found = 0,
                      conflict = 0, validation = 0;
    };

    explicit service(service_options o) : opts_(std::move(o)), rng_(opts_.seed ? opts_.seed : std::random_device{}()) {}

    /// Adds a knowledge base, data source and (when id is non-empty) a job in `status`
    /// (STARTING, IN_PROGRESS, COMPLETE, FAILED, STOPPING or STOPPED).
    void add_job(const std::string& kb, const std::string& ds, const std::string& id, const std::string& status,
                 std::optional<std::string> description = std::nullopt)
    {
        data_sources_[kb].insert(ds);
        if (id.empty()) return;
        job j{kb, ds, id, std::move(description), {}, opts_.now(), {}};
        auto now = opts_.now();
        if (status == "STARTING" || status.empty()) {
            j.started_at = now;
        } else if (status == "IN_PROGRESS") {
            j.started_at = now - opts_.starting;
        } else if (status == "STOPPING") {
            j.started_at = now - opts_.starting;
            j.stop_requested_at = now;
        } else if (status == "STOPPED") {
            j.started_at = now - opts_.starting;
            j.stop_requested_at = now - opts_.stopping;
        } else if (status == "COMPLETE" || status == "FAILED") {
            j.started_at = now - opts_.starting - opts_.running;
            j.fixed_status = status;
        } else {
            throw std::invalid_argument("unknown job status \"" + status + "\"");
        }
        jobs_[key(kb, ds, id)] = std::move(j);
    }

    /// Loads {"jobs":[{"knowledgeBaseId":..,"dataSourceId":..,"ingestionJobId":..,"status":..,"description":..}]}.
    void load_seed_json(const std::string& text)
    {
        simdjson::dom::parser p;
        simdjson::dom::element root;
        if (auto e = p.parse(text).get(root)) throw std::invalid_argument(std::string("seed file: ") + simdjson::error_message(e));
        simdjson::dom::array arr;
        if (root["jobs"].get(arr)) throw std::invalid_argument("seed file: expected {\"jobs\": [...]}");
        std::size_t i = 0;
        for (auto el : arr) {
            auto field = [&](const char* k, bool required) -> std::string {
                std::string_view v;
                if (el[k].get(v)) {
                    if (required) throw std::invalid_argument("seed file: jobs[" + std::to_string(i) + "]." + k + " is missing or not a string");
                    return {};
                }
                return std::string(v);
            };
            std::string desc = field("description", false);
            add_job(field("knowledgeBaseId", true), field("dataSourceId", true), field("ingestionJobId", false),
                    field("status", false), desc.empty() ? std::nullopt : std::optional<std::string>(desc));
            ++i;
        }
    }

    const counters& stats() const noexcept { return counters_; }
    const service_options& options() const noexcept { return opts_; }

    reply handle(const request_type& req, const request_info&)
    {
        ++counters_.requests;
        std::string_view target(req.target().data(), req.target().size());
        if (target == "/_local/stats") return stats_reply();

        // Faults first: they stand for a network or fleet in trouble, before any routing.
        if (auto f = draw_fault()) return *f;

        if (opts_.check_signatures) {
            if (auto denied = verify_signature(req)) {
                ++counters_.bad_signature;
                return with_latency(*denied);
            }
        }
        return with_latency(route(req, target));
    }

private:
    static std::string key(const std::string& kb, const std::string& ds, const std::string& id)
    {
        return kb + "/" + ds + "/" + id;
    }

    reply with_latency(reply r)
    {
        r.delay += opts_.latency;
        return r;
    }

    static reply json_reply(unsigned status, std::string body)
    {
        reply r;
        r.status = status;
        r.headers = {{"Content-Type", "application/json"}};
        r.body = std::move(body);
        return r;
    }

    reply error(unsigned status, const std::string& type, const std::string& message, std::string extra = {})
    {
        std::string body = "{\"message\":";
        append_json_string(body, message);
        body += extra + "}";
        reply r = json_reply(status, std::move(body));
        r.headers.emplace_back("X-Amzn-Errortype", type);
        r.headers.emplace_back("x-amzn-RequestId", request_id());
        return r;
    }

    std::string request_id()
    {
        std::uniform_int_distribution<std::uint64_t> d;
        char buf[40];
        std::snprintf(buf, sizeof buf, "%08llx-%04llx-4%03llx-a%03llx-%012llx",
                      static_cast<unsigned long long>(d(rng_) & 0xffffffff), static_cast<unsigned long long>(d(rng_) & 0xffff),
                      static_cast<unsigned long long>(d(rng_) & 0xfff), static_cast<unsigned long long>(d(rng_) & 0xfff),
                      static_cast<unsigned long long>(d(rng_) & 0xffffffffffffull));
        return buf;
    }

    std::optional<reply> draw_fault()
    {
        double x = std::uniform_real_distribution<double>(0.0, 1.0)(rng_);
        auto take = [&](double rate) {
            if (x < rate) return true;
            x -= rate;
            return false;
        };
        if (take(opts_.throttle_rate)) {
            ++counters_.throttled;
            return with_latency(error(429, "ThrottlingException", "Rate exceeded"));
        }
        if (take(opts_.error_rate)) {
            ++counters_.errors;
            return with_latency(error(500, "InternalServerException", "Internal server error (injected)"));
        }
        if (take(opts_.unavailable_rate)) {
            ++counters_.unavailable;
            reply r;
            r.status = 503;
            return with_latency(r);
        }
        if (take(opts_.drop_rate)) {
            ++counters_.dropped;
            reply r;
            r.kind = reply::close;
            return r;
        }
        if (take(opts_.drop_mid_body_rate)) {
            ++counters_.dropped_mid_body;
            reply r = json_reply(202, std::string(200, ' ') + "{}");
            r.kind = reply::close_mid_response;
            return r;
        }
        if (take(opts_.stall_rate)) {
            ++counters_.stalled;
            reply r;
            r.kind = reply::stall;
            r.delay = opts_.stall;
            return r;
        }
        if (take(opts_.garbage_rate)) {
            ++counters_.garbage;
            reply r;
            r.kind = reply::garbage;
            r.body = "HTTP/1.1 2x2 \x01\x02garbage\r\n\r\n";
            return r;
        }
        return std::nullopt;
    }

    // Checks the SigV4 signature with the library's signer: same canonical request from what
    // arrived, same key, constant-time comparison, and the clock-skew limit.
    std::optional<reply> verify_signature(const request_type& req)
    {
        auto field = [&](std::string_view name) -> std::string_view {
            auto it = req.find(boost::beast::string_view(name.data(), name.size()));
            return it == req.end() ? std::string_view{} : std::string_view(it->value().data(), it->value().size());
        };
        std::string_view auth = field("Authorization");
        if (auth.empty())
            return error(403, "MissingAuthenticationTokenException", "Missing Authentication Token");
        constexpr std::string_view algo = "AWS4-HMAC-SHA256 ";
        if (!auth.starts_with(algo)) return error(403, "IncompleteSignatureException", "Unsupported signature algorithm");
        auto part = [&](std::string_view name) -> std::string_view {
            auto at = auth.find(name);
            if (at == std::string_view::npos) return {};
            auto start = at + name.size();
            auto end = auth.find(',', start);
            return auth.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
        };
        std::string_view credential = part("Credential="), signed_headers = part("SignedHeaders="),
                         signature = part("Signature=");
        if (credential.empty() || signed_headers.empty() || signature.empty())
            return error(403, "IncompleteSignatureException", "Authorization header requires Credential, SignedHeaders and Signature");
        // Credential=AK/yyyymmdd/region/service/aws4_request
        std::vector<std::string_view> scope;
        for (std::size_t i = 0; i <= credential.size();) {
            auto j = credential.find('/', i);
            if (j == std::string_view::npos) j = credential.size();
            scope.push_back(credential.substr(i, j - i));
            i = j + 1;
        }
        if (scope.size() != 5 || scope[4] != "aws4_request")
            return error(403, "IncompleteSignatureException", "Malformed credential scope");
        if (scope[0] != opts_.access_key_id)
            return error(403, "UnrecognizedClientException", "The security token included in the request is invalid.");
        if (scope[2] != opts_.region)
            return error(403, "InvalidSignatureException", "Credential should be scoped to a valid region.");
        if (scope[3] != "bedrock")
            return error(403, "InvalidSignatureException", "Credential should be scoped to correct service: 'bedrock'.");
        std::chrono::system_clock::time_point when;
        if (!sigv4::parse_amz_date(field("X-Amz-Date"), when))
            return error(403, "IncompleteSignatureException", "Missing or malformed X-Amz-Date");
        auto skew = when > opts_.now() ? when - opts_.now() : opts_.now() - when;
        if (skew > opts_.max_clock_skew)
            return error(403, "InvalidSignatureException", "Signature expired: the request time is too skewed");
        if (scope[1] != sigv4::format_amz_date(when).substr(0, 8))
            return error(403, "InvalidSignatureException", "Credential date does not match X-Amz-Date");

        std::vector<sigv4::header_view> hv;
        for (std::size_t i = 0; i <= signed_headers.size();) {
            auto j = signed_headers.find(';', i);
            if (j == std::string_view::npos) j = signed_headers.size();
            std::string_view name = signed_headers.substr(i, j - i);
            bool found = false;
            for (auto& f : req) {
                std::string_view n(f.name_string().data(), f.name_string().size());
                if (n.size() == name.size() && std::equal(n.begin(), n.end(), name.begin(), [](char a, char b) {
                        return std::tolower(static_cast<unsigned char>(a)) == b;
                    })) {
                    hv.push_back({n, std::string_view(f.value().data(), f.value().size())});
                    found = true;
                }
            }
            if (!found) return error(403, "IncompleteSignatureException", "A signed header is missing: " + std::string(name));
            i = j + 1;
        }
        std::string_view target(req.target().data(), req.target().size());
        auto q = target.find('?');
        sigv4::signable_request sreq{std::string_view(req.method_string().data(), req.method_string().size()),
                                     target.substr(0, q),
                                     q == std::string_view::npos ? std::string_view{} : target.substr(q + 1),
                                     hv,
                                     req.body(),
                                     {}};
        sigv4::signing_params sp{opts_.access_key_id, opts_.secret_access_key, {}, opts_.region, "bedrock", when, {}};
        auto expected = sigv4::sign(sreq, sp, &keys_);
        if (expected.signature.size() != signature.size() ||
            CRYPTO_memcmp(expected.signature.data(), signature.data(), signature.size()) != 0)
            return error(403, "InvalidSignatureException",
                         "The request signature we calculated does not match the signature you provided.");
        return std::nullopt;
    }

    reply route(const request_type& req, std::string_view target)
    {
        // /knowledgebases/{kb}/datasources/{ds}/ingestionjobs/[{job}[/stop]]
        std::vector<std::string> seg;
        std::string_view path = target.substr(0, target.find('?'));
        for (std::size_t i = 1; i <= path.size();) {
            auto j = path.find('/', i);
            if (j == std::string_view::npos) j = path.size();
            seg.emplace_back(path.substr(i, j - i));
            i = j + 1;
        }
        auto method = req.method();
        using boost::beast::http::verb;
        bool shape = seg.size() >= 5 && seg[0] == "knowledgebases" && seg[2] == "datasources" && seg[4] == "ingestionjobs";
        if (shape && seg.size() == 7 && seg[6] == "stop" && method == verb::post) return stop(seg[1], seg[3], seg[5]);
        if (shape && seg.size() == 6 && !seg[5].empty() && method == verb::get) return get(seg[1], seg[3], seg[5]);
        if (shape && (seg.size() == 5 || (seg.size() == 6 && seg[5].empty())) && method == verb::put)
            return start(seg[1], seg[3], req.body());
        return error(404, "UnknownOperationException", "No operation matches " + std::string(req.method_string()) + " " + std::string(path));
    }

    std::optional<reply> validate_ids(std::initializer_list<std::pair<const char*, const std::string*>> ids)
    {
        std::string fields;
        std::string first;
        for (auto [name, value] : ids) {
            // The path arrives percent-encoded; a valid id has nothing to decode.
            if (is_valid_id(*value)) continue;
            if (first.empty()) first = name;
            if (!fields.empty()) fields += ",";
            fields += "{\"name\":\"" + std::string(name) + "\",\"message\":\"Value at '" + name +
                      "' failed to satisfy constraint: Member must satisfy regular expression pattern: [0-9a-zA-Z]{10}\"}";
        }
        if (first.empty()) return std::nullopt;
        ++counters_.validation;
        return error(400, "ValidationException", "1 validation error detected: Value at '" + first +
                     "' failed to satisfy constraint: Member must satisfy regular expression pattern: [0-9a-zA-Z]{10}",
                     ",\"fieldList\":[" + fields + "]");
    }

    std::optional<reply> find_parents(const std::string& kb, const std::string& ds)
    {
        auto it = data_sources_.find(kb);
        if (it == data_sources_.end()) {
            ++counters_.not_found;
            return error(404, "ResourceNotFoundException", "Knowledge base " + kb + " does not exist");
        }
        if (!it->second.count(ds)) {
            ++counters_.not_found;
            return error(404, "ResourceNotFoundException", "Data source " + ds + " does not exist in knowledge base " + kb);
        }
        return std::nullopt;
    }

    struct view {
        std::string status;
        clock::time_point updated_at;
    };

    view status_of(const job& j, clock::time_point now) const
    {
        if (j.stop_requested_at) {
            auto done = *j.stop_requested_at + opts_.stopping;
            return now < done ? view{"STOPPING", *j.stop_requested_at} : view{"STOPPED", done};
        }
        if (!j.fixed_status.empty()) return {j.fixed_status, j.started_at + opts_.starting + opts_.running};
        auto in_progress = j.started_at + opts_.starting;
        auto complete = in_progress + opts_.running;
        if (now < in_progress) return {"STARTING", j.started_at};
        if (now < complete) return {"IN_PROGRESS", in_progress};
        return {"COMPLETE", complete};
    }

    static std::string rfc3339(clock::time_point t)
    {
        auto ms = std::chrono::time_point_cast<std::chrono::milliseconds>(t);
        std::string s = format_timestamp(timestamp{ms.time_since_epoch()});  // ...+00:00
        return s.substr(0, s.size() - 6) + "Z";
    }

    std::string job_json(const job& j)
    {
        auto now = opts_.now();
        view v = status_of(j, now);
        auto scanned = std::chrono::duration_cast<std::chrono::milliseconds>(std::min(now, v.updated_at) - j.started_at).count() / 10;
        std::string b = "{\"ingestionJob\":{\"knowledgeBaseId\":";
        append_json_string(b, j.kb);
        b += ",\"dataSourceId\":";
        append_json_string(b, j.ds);
        b += ",\"ingestionJobId\":";
        append_json_string(b, j.id);
        if (j.description) {
            b += ",\"description\":";
            append_json_string(b, *j.description);
        }
        b += ",\"status\":\"" + v.status + "\"";
        b += ",\"statistics\":{\"numberOfDocumentsScanned\":" + std::to_string(std::max<long long>(0, scanned)) +
             ",\"numberOfMetadataDocumentsScanned\":0,\"numberOfNewDocumentsIndexed\":" +
             std::to_string(std::max<long long>(0, scanned / 2)) +
             ",\"numberOfModifiedDocumentsIndexed\":0,\"numberOfMetadataDocumentsModified\":0,"
             "\"numberOfDocumentsDeleted\":0,\"numberOfDocumentsFailed\":0,\"numberOfDocumentsSkipped\":0}";
        if (v.status == "FAILED") b += ",\"failureReasons\":[\"Injected failure\"]";
        b += ",\"startedAt\":\"" + rfc3339(j.started_at) + "\",\"updatedAt\":\"" + rfc3339(v.updated_at) + "\"}}";
        return b;
    }

    // Validates the ids and finds the job: the job, or the error to answer.
    std::variant<job*, reply> find_job(const std::string& kb, const std::string& ds, const std::string& id)
    {
        if (auto bad = validate_ids({{"knowledgeBaseId", &kb}, {"dataSourceId", &ds}, {"ingestionJobId", &id}})) return *bad;
        if (auto nf = find_parents(kb, ds)) return *nf;
        auto it = jobs_.find(key(kb, ds, id));
        if (it == jobs_.end()) {
            ++counters_.not_found;
            return error(404, "ResourceNotFoundException", "Ingestion job " + id + " does not exist");
        }
        return &it->second;
    }

    reply stop(const std::string& kb, const std::string& ds, const std::string& id)
    {
        auto found = find_job(kb, ds, id);
        if (auto* r = std::get_if<reply>(&found)) return *r;
        job& j = *std::get<job*>(found);
        auto now = opts_.now();
        view v = status_of(j, now);
        if (v.status != "STARTING" && v.status != "IN_PROGRESS" && !opts_.repeatable_stops) {
            ++counters_.conflict;
            return error(409, "ConflictException", "Ingestion job " + id + " is " + v.status + " and cannot be stopped");
        }
        if (!j.stop_requested_at && j.fixed_status.empty()) j.stop_requested_at = now;
        ++counters_.ok;
        reply r = json_reply(202, job_json(j));
        r.headers.emplace_back("x-amzn-RequestId", request_id());
        return r;
    }

    reply get(const std::string& kb, const std::string& ds, const std::string& id)
    {
        auto found = find_job(kb, ds, id);
        if (auto* r = std::get_if<reply>(&found)) return *r;
        ++counters_.ok;
        reply r = json_reply(200, job_json(*std::get<job*>(found)));
        r.headers.emplace_back("x-amzn-RequestId", request_id());
        return r;
    }

    reply start(const std::string& kb, const std::string& ds, const std::string& body)
    {
        if (auto bad = validate_ids({{"knowledgeBaseId", &kb}, {"dataSourceId", &ds}})) return *bad;
        if (auto nf = find_parents(kb, ds)) return *nf;
        std::optional<std::string> description;
        if (!body.empty()) {
            simdjson::dom::parser p;
            simdjson::dom::element root;
            if (p.parse(body).get(root)) return error(400, "ValidationException", "The request body is not valid JSON");
            std::string_view d;
            if (!root["description"].get(d)) description = std::string(d);
        }
        static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
        std::string id;
        do {
            id.clear();
            for (int i = 0; i < 10; ++i) id += alphabet[std::uniform_int_distribution<int>(0, 35)(rng_)];
        } while (jobs_.count(key(kb, ds, id)));
        add_job(kb, ds, id, "STARTING", description);
        ++counters_.ok;
        reply r = json_reply(202, job_json(jobs_[key(kb, ds, id)]));
        r.headers.emplace_back("x-amzn-RequestId", request_id());
        return r;
    }

    reply stats_reply()
    {
        const auto& c = counters_;
        std::string b = "{\"requests\":" + std::to_string(c.requests) + ",\"ok\":" + std::to_string(c.ok) +
                        ",\"throttled\":" + std::to_string(c.throttled) + ",\"errors\":" + std::to_string(c.errors) +
                        ",\"unavailable\":" + std::to_string(c.unavailable) + ",\"dropped\":" + std::to_string(c.dropped) +
                        ",\"dropped_mid_body\":" + std::to_string(c.dropped_mid_body) +
                        ",\"stalled\":" + std::to_string(c.stalled) + ",\"garbage\":" + std::to_string(c.garbage) +
                        ",\"bad_signature\":" + std::to_string(c.bad_signature) +
                        ",\"not_found\":" + std::to_string(c.not_found) + ",\"conflict\":" + std::to_string(c.conflict) +
                        ",\"validation\":" + std::to_string(c.validation) + "}";
        return json_reply(200, std::move(b));
    }

    service_options opts_;
    std::mt19937_64 rng_;
    std::map<std::string, std::set<std::string>> data_sources_;  // kb -> data sources
    std::map<std::string, job> jobs_;
    counters counters_;
    sigv4::signing_key_cache keys_;
};

}  // namespace bedrock_agent::local

#endif
