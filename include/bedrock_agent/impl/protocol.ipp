#ifndef BEDROCK_AGENT_IMPL_PROTOCOL_IPP
#define BEDROCK_AGENT_IMPL_PROTOCOL_IPP

#include <bedrock_agent/protocol.hpp>
#include <bedrock_agent/sigv4.hpp>

#include <simdjson.h>

#include <charconv>
#include <cstdio>

namespace bedrock_agent {
namespace detail {

// Quotes a value from untrusted input for an error message: printable ASCII only, at most 40 bytes.
inline std::string quote_for_message(std::string_view s)
{
    std::string out = "\"";
    std::size_t n = 0;
    for (unsigned char c : s) {
        if (++n > 40) {
            out += "...";
            break;
        }
        if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
            out.push_back(static_cast<char>(c));
        } else {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\x%02x", c);
            out += buf;
        }
    }
    out += '"';
    return out;
}

// A URL for a message, with what may be user information (RFC 3986 section 3.2.1: "user:password@")
// replaced by "***". Everything from the scheme up to the last '@' goes, since a password may
// hold '/', '?' or '#' unencoded; a path with an '@' in it loses more than it needs to, never less.
inline std::string redact_userinfo(std::string_view url)
{
    std::size_t start = url.find("://");
    start = start == std::string_view::npos ? 0 : start + 3;
    std::size_t at = url.rfind('@');
    if (at == std::string_view::npos || at < start) return std::string(url);
    return std::string(url.substr(0, start)).append("***").append(url.substr(at));
}

inline boost::system::error_code invalid_response(diagnostics& diag, std::string msg)
{
    detail::diag(diag).set_client_message(std::move(msg));
    return make_error_code(errc::invalid_response);
}

// A thread's reusable simdjson parser and padded input buffer: parsing allocates nothing once
// they have grown to the largest body seen.
struct json_scratch {
    simdjson::ondemand::parser parser;
    std::string buf;
    simdjson::padded_string_view load(std::string_view body)
    {
        if (buf.capacity() < body.size() + simdjson::SIMDJSON_PADDING)
            buf.reserve(body.size() + simdjson::SIMDJSON_PADDING);
        buf.assign(body);
        return simdjson::padded_string_view(buf.data(), buf.size(), buf.capacity());
    }
};

inline json_scratch& thread_json_scratch()
{
    thread_local json_scratch s;
    return s;
}

inline std::string json_error_text(simdjson::error_code e)
{
    switch (e) {
    case simdjson::UTF8_ERROR: return "invalid UTF-8";
    case simdjson::EMPTY: return "empty body";
    case simdjson::INCOMPLETE_ARRAY_OR_OBJECT:
    case simdjson::TAPE_ERROR: return "truncated or malformed JSON";
    default: return std::string("malformed JSON (") + simdjson::error_message(e) + ")";
    }
}

struct json_reader {
    diagnostics& diag;
    boost::system::error_code ec;

    bool fail(std::string msg)
    {
        if (!ec) ec = invalid_response(diag, std::move(msg));
        return false;
    }
    bool fail(simdjson::error_code e, std::string_view member)
    {
        if (e == simdjson::INCORRECT_TYPE) return fail(std::string(member) + ": wrong JSON type");
        if (e == simdjson::NUMBER_OUT_OF_RANGE || e == simdjson::NUMBER_ERROR)
            return fail(std::string(member) + ": not a 64-bit integer");
        return fail(json_error_text(e) + " at " + std::string(member));
    }
    static bool is_null(simdjson::ondemand::value& v)
    {
        simdjson::ondemand::json_type t;
        return !v.type().get(t) && t == simdjson::ondemand::json_type::null;
    }
    bool string(simdjson::ondemand::value v, std::string& out, std::string_view member)
    {
        std::string_view s;
        if (auto e = v.get_string().get(s)) return fail(e, member);
        out.assign(s);
        return true;
    }
    bool time(simdjson::ondemand::value v, timestamp& out, std::string_view member)
    {
        std::string_view s;
        if (auto e = v.get_string().get(s)) return fail(e, member);
        if (!parse_timestamp(s, out))
            return fail(std::string(member) + ": not an RFC 3339 date-time: " + quote_for_message(s));
        return true;
    }
};

// Member-name equality for the parsers' matching: inlined, so a literal's length is a constant
// and the bytes are compared in a few loads instead of a call to the out-of-line compare.
[[gnu::always_inline]] inline bool equal_bytes(std::string_view a, std::string_view b) noexcept
{
    return a.size() == b.size() && (a.empty() || __builtin_memcmp(a.data(), b.data(), b.size()) == 0);
}

inline ingestion_job_status status_from_string(std::string_view s)
{
    if (equal_bytes(s, "STARTING")) return ingestion_job_status::starting;
    if (equal_bytes(s, "IN_PROGRESS")) return ingestion_job_status::in_progress;
    if (equal_bytes(s, "COMPLETE")) return ingestion_job_status::complete;
    if (equal_bytes(s, "FAILED")) return ingestion_job_status::failed;
    if (equal_bytes(s, "STOPPING")) return ingestion_job_status::stopping;
    if (equal_bytes(s, "STOPPED")) return ingestion_job_status::stopped;
    return ingestion_job_status::unknown;
}

inline bool parse_statistics(json_reader& r, simdjson::ondemand::object obj, ingestion_job_statistics& st)
{
    static constexpr std::pair<std::string_view, std::int64_t ingestion_job_statistics::*> members[] = {
        {"numberOfDocumentsScanned", &ingestion_job_statistics::number_of_documents_scanned},
        {"numberOfMetadataDocumentsScanned", &ingestion_job_statistics::number_of_metadata_documents_scanned},
        {"numberOfNewDocumentsIndexed", &ingestion_job_statistics::number_of_new_documents_indexed},
        {"numberOfModifiedDocumentsIndexed", &ingestion_job_statistics::number_of_modified_documents_indexed},
        {"numberOfMetadataDocumentsModified", &ingestion_job_statistics::number_of_metadata_documents_modified},
        {"numberOfDocumentsDeleted", &ingestion_job_statistics::number_of_documents_deleted},
        {"numberOfDocumentsFailed", &ingestion_job_statistics::number_of_documents_failed},
        {"numberOfDocumentsSkipped", &ingestion_job_statistics::number_of_documents_skipped},
    };
    constexpr std::size_t count = std::size(members);
    std::size_t next = 0;  // members usually come in the model's order: try the next one first
    for (auto field : obj) {
        std::string_view key;
        if (auto e = field.unescaped_key().get(key)) return r.fail(e, "ingestionJob.statistics");
        simdjson::ondemand::value v;
        if (auto e = field.value().get(v)) return r.fail(e, "ingestionJob.statistics");
        std::size_t i = next;
        if (i >= count || !equal_bytes(key, members[i].first))
            for (i = 0; i < count && !equal_bytes(key, members[i].first); ++i) {
            }
        if (i == count) continue;  // unknown members are skipped
        next = i + 1;
        if (json_reader::is_null(v)) continue;
        // (The member's name is built only for an error message.)
        if (auto e = v.get_int64().get(st.*members[i].second))
            return r.fail(e, "ingestionJob.statistics." + std::string(members[i].first));
    }
    return true;
}

inline bool parse_job(json_reader& r, simdjson::ondemand::object obj, ingestion_job& job)
{
    enum : unsigned { kb = 1, ds = 2, ij = 4, status = 8, started = 16, updated = 32 };
    unsigned seen = 0;
    for (auto field : obj) {
        std::string_view key;
        if (auto e = field.unescaped_key().get(key)) return r.fail(e, "ingestionJob");
        simdjson::ondemand::value v;
        if (auto e = field.value().get(v)) return r.fail(e, "ingestionJob");
        if (json_reader::is_null(v)) continue;  // null is the same as absent
        if (equal_bytes(key, "knowledgeBaseId")) {
            if (!r.string(v, job.knowledge_base_id, "ingestionJob.knowledgeBaseId")) return false;
            seen |= kb;
        } else if (equal_bytes(key, "dataSourceId")) {
            if (!r.string(v, job.data_source_id, "ingestionJob.dataSourceId")) return false;
            seen |= ds;
        } else if (equal_bytes(key, "ingestionJobId")) {
            if (!r.string(v, job.ingestion_job_id, "ingestionJob.ingestionJobId")) return false;
            seen |= ij;
        } else if (equal_bytes(key, "description")) {
            std::string d;
            if (!r.string(v, d, "ingestionJob.description")) return false;
            job.description = std::move(d);
        } else if (equal_bytes(key, "status")) {
            if (!r.string(v, job.status_text, "ingestionJob.status")) return false;
            job.status = status_from_string(job.status_text);
            seen |= status;
        } else if (equal_bytes(key, "statistics")) {
            simdjson::ondemand::object so;
            if (auto e = v.get_object().get(so)) return r.fail(e, "ingestionJob.statistics");
            if (!parse_statistics(r, so, job.statistics.emplace())) return false;
        } else if (equal_bytes(key, "failureReasons")) {
            simdjson::ondemand::array arr;
            if (auto e = v.get_array().get(arr)) return r.fail(e, "ingestionJob.failureReasons");
            job.failure_reasons.clear();
            for (auto el : arr) {
                simdjson::ondemand::value ev;
                if (auto e = el.get(ev)) return r.fail(e, "ingestionJob.failureReasons");
                if (!r.string(ev, job.failure_reasons.emplace_back(), "ingestionJob.failureReasons[]")) return false;
            }
        } else if (equal_bytes(key, "startedAt")) {
            if (!r.time(v, job.started_at, "ingestionJob.startedAt")) return false;
            seen |= started;
        } else if (equal_bytes(key, "updatedAt")) {
            if (!r.time(v, job.updated_at, "ingestionJob.updatedAt")) return false;
            seen |= updated;
        }
        // Unknown keys are skipped: the model may grow members we don't know yet.
    }
    static constexpr std::pair<unsigned, const char*> required[] = {
        {kb, "knowledgeBaseId"}, {ds, "dataSourceId"}, {ij, "ingestionJobId"},
        {status, "status"},      {started, "startedAt"}, {updated, "updatedAt"}};
    for (auto [bit, name] : required)
        if (!(seen & bit)) return r.fail(std::string("ingestionJob.") + name + ": required member is missing");
    return true;
}

inline bool all_digits(std::string_view s)
{
    if (s.empty()) return false;
    for (char c : s)
        if (c < '0' || c > '9') return false;
    return true;
}

}  // namespace detail

BEDROCK_AGENT_DECL bool is_valid_id(std::string_view id) noexcept
{
    if (id.size() != 10) return false;
    for (char c : id)
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))) return false;
    return true;
}

namespace detail {

/// The model's `Id` members of a request (required, `[0-9a-zA-Z]{10}`), each with its name as
/// the message gives it.
inline boost::system::error_code validate_ids(std::initializer_list<std::pair<const std::string*, const char*>> fields,
                                              diagnostics& diag)
{
    for (auto [value, name] : fields) {
        if (value->empty()) {
            detail::diag(diag).set_client_message(std::string(name) + " is required");
            return make_error_code(errc::invalid_request);
        }
        if (!is_valid_id(*value)) {
            std::string msg = std::string(name) + " must match the pattern [0-9a-zA-Z]{10}; got " +
                              detail::quote_for_message(*value) + " (" + std::to_string(value->size()) +
                              " bytes)";
            detail::diag(diag).set_client_message(std::move(msg));
            return make_error_code(errc::invalid_request);
        }
    }
    return {};
}

/// /knowledgebases/{kb}/datasources/{ds}/ingestionjobs/{job}{suffix}. Labels are encoded with
/// botocore's SAFE_CHARS "-._~" ('/' encoded): after validation they are plain alphanumerics, but
/// the encoding is what stops a path from being injected.
inline std::string ingestion_job_path(std::string_view kb, std::string_view ds, std::string_view job,
                                      std::string_view suffix)
{
    std::string p;
    p.reserve(96);
    p.append("/knowledgebases/").append(sigv4::uri_encode(kb, false));
    p.append("/datasources/").append(sigv4::uri_encode(ds, false));
    p.append("/ingestionjobs/").append(sigv4::uri_encode(job, false));
    p.append(suffix);
    return p;
}

/// Parses {"ingestionJob": {...}} (the Stop, Get and Start answers) into `job_out`, in place.
inline boost::system::error_code parse_job_answer(std::string_view body, ingestion_job& job_out, diagnostics& diag);

}  // namespace detail

BEDROCK_AGENT_DECL boost::system::error_code validate(const stop_ingestion_job_request& req, diagnostics& diag)
{
    return detail::validate_ids({{&req.knowledge_base_id, "knowledge_base_id (knowledgeBaseId)"},
                                 {&req.data_source_id, "data_source_id (dataSourceId)"},
                                 {&req.ingestion_job_id, "ingestion_job_id (ingestionJobId)"}},
                                diag);
}

BEDROCK_AGENT_DECL boost::system::error_code validate(const get_ingestion_job_request& req, diagnostics& diag)
{
    return detail::validate_ids({{&req.knowledge_base_id, "knowledge_base_id (knowledgeBaseId)"},
                                 {&req.data_source_id, "data_source_id (dataSourceId)"},
                                 {&req.ingestion_job_id, "ingestion_job_id (ingestionJobId)"}},
                                diag);
}

BEDROCK_AGENT_DECL boost::system::error_code parse_endpoint(std::string_view url, endpoint& out, std::string& why)
{
    auto fail = [&](std::string msg) {
        why = "invalid endpoint URL " + detail::quote_for_message(detail::redact_userinfo(url)) + ": " + std::move(msg);
        return make_error_code(errc::invalid_configuration);
    };
    endpoint ep;
    std::string_view rest;
    if (url.starts_with("https://")) {
        ep.tls = true;
        ep.port = 443;
        rest = url.substr(8);
    } else if (url.starts_with("http://")) {
        ep.tls = false;
        ep.port = 80;
        rest = url.substr(7);
    } else {
        return fail("the scheme must be https:// or http://");
    }
    for (char c : url)
        if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) return fail("contains a space or control character");
    if (rest.find_first_of("?#") != std::string_view::npos) return fail("a query or fragment is not allowed");
    std::size_t slash = rest.find('/');
    std::string_view authority = rest.substr(0, slash);
    std::string_view path = slash == std::string_view::npos ? std::string_view{} : rest.substr(slash);
    if (authority.find('@') != std::string_view::npos) return fail("user information is not allowed");
    std::string_view host, port;
    if (authority.starts_with('[')) {
        std::size_t close = authority.find(']');
        if (close == std::string_view::npos) return fail("unterminated IPv6 literal");
        host = authority.substr(1, close - 1);
        std::string_view after = authority.substr(close + 1);
        if (!after.empty()) {
            if (after[0] != ':') return fail("unexpected text after the IPv6 literal");
            port = after.substr(1);
            if (port.empty()) return fail("empty port");
        }
    } else {
        std::size_t colon = authority.rfind(':');
        host = authority.substr(0, colon);
        if (colon != std::string_view::npos) {
            port = authority.substr(colon + 1);
            if (port.empty()) return fail("empty port");
        }
    }
    if (host.empty()) return fail("the host is empty");
    bool explicit_port = !port.empty();
    if (explicit_port) {
        unsigned v = 0;
        auto [p, e] = std::from_chars(port.data(), port.data() + port.size(), v);
        if (e != std::errc() || p != port.data() + port.size() || v == 0 || v > 65535 || !detail::all_digits(port))
            return fail("the port must be a number from 1 to 65535");
        ep.port = static_cast<std::uint16_t>(v);
    }
    ep.host.assign(host);
    while (!path.empty() && path.back() == '/') path.remove_suffix(1);
    ep.base_path.assign(path);
    bool v6 = host.find(':') != std::string_view::npos;
    ep.host_header = v6 ? "[" + ep.host + "]" : ep.host;
    if (ep.port != (ep.tls ? 443 : 80)) ep.host_header += ":" + std::to_string(ep.port);
    out = std::move(ep);
    return {};
}

BEDROCK_AGENT_DECL std::string stop_ingestion_job_path(const stop_ingestion_job_request& req)
{
    return detail::ingestion_job_path(req.knowledge_base_id, req.data_source_id, req.ingestion_job_id, "/stop");
}

BEDROCK_AGENT_DECL std::string get_ingestion_job_path(const get_ingestion_job_request& req)
{
    return detail::ingestion_job_path(req.knowledge_base_id, req.data_source_id, req.ingestion_job_id, "");
}

BEDROCK_AGENT_DECL bool parse_timestamp(std::string_view s, timestamp& out) noexcept
{
    // date-time = full-date "T" partial-time time-offset (RFC 3339 §5.6)
    auto num = [&](std::size_t pos, std::size_t n, int& v) {
        if (pos + n > s.size()) return false;
        v = 0;
        for (std::size_t i = pos; i < pos + n; ++i) {
            if (s[i] < '0' || s[i] > '9') return false;
            v = v * 10 + (s[i] - '0');
        }
        return true;
    };
    int y, mo, d, h, mi, sec;
    if (!(num(0, 4, y) && s.size() > 4 && s[4] == '-' && num(5, 2, mo) && s.size() > 7 && s[7] == '-' &&
          num(8, 2, d) && s.size() > 10 && (s[10] == 'T' || s[10] == 't') && num(11, 2, h) && s.size() > 13 &&
          s[13] == ':' && num(14, 2, mi) && s.size() > 16 && s[16] == ':' && num(17, 2, sec)))
        return false;
    std::size_t i = 19;
    long ms = 0;
    if (i < s.size() && s[i] == '.') {
        ++i;
        std::size_t start = i, digits = 0;
        while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
            if (digits < 3) ms = ms * 10 + (s[i] - '0');
            ++digits;
            ++i;
        }
        if (i == start) return false;
        for (; digits < 3; ++digits) ms *= 10;
    }
    if (i >= s.size()) return false;
    int offset_min = 0;
    if (s[i] == 'Z' || s[i] == 'z') {
        ++i;
    } else if (s[i] == '+' || s[i] == '-') {
        int oh, om;
        if (!(num(i + 1, 2, oh) && i + 3 < s.size() && s[i + 3] == ':' && num(i + 4, 2, om))) return false;
        if (oh > 23 || om > 59) return false;
        offset_min = (oh * 60 + om) * (s[i] == '-' ? -1 : 1);
        i += 6;
    } else {
        return false;
    }
    if (i != s.size()) return false;
    using namespace std::chrono;
    year_month_day ymd{year{y}, month{static_cast<unsigned>(mo)}, day{static_cast<unsigned>(d)}};
    if (!ymd.ok() || h > 23 || mi > 59 || sec > 60) return false;
    // A leap second (":60") is folded into the next second, as most parsers do.
    const timestamp t = timestamp{sys_days{ymd}} + hours{h} + minutes{mi} + seconds{sec} + milliseconds{ms} -
                        minutes{offset_min};
    // An offset can carry the instant out of RFC 3339's years (9999-12-31T23:30:00-01:00 is in
    // the year 10000), where no date-time names it: refused, so that every timestamp we accept
    // can be written back.
    if (t < timestamp{sys_days{year{0} / January / 1}} || t >= timestamp{sys_days{year{10000} / January / 1}})
        return false;
    out = t;
    return true;
}

BEDROCK_AGENT_DECL boost::system::error_code parse_stop_ingestion_job_response(std::string_view body,
                                                                              stop_ingestion_job_response& out,
                                                                              diagnostics& diag)
{
    return detail::parse_job_answer(body, out.ingestion_job, diag);
}

BEDROCK_AGENT_DECL boost::system::error_code parse_get_ingestion_job_response(std::string_view body,
                                                                             get_ingestion_job_response& out,
                                                                             diagnostics& diag)
{
    return detail::parse_job_answer(body, out.ingestion_job, diag);
}

inline boost::system::error_code detail::parse_job_answer(std::string_view body, ingestion_job& job_out,
                                                          diagnostics& diag)
{
    auto& scratch = detail::thread_json_scratch();
    detail::json_reader r{diag, {}};
    simdjson::ondemand::document doc;
    if (auto e = scratch.parser.iterate(scratch.load(body)).get(doc))
        return detail::invalid_response(diag, "response body: " + detail::json_error_text(e));
    simdjson::ondemand::object root;
    if (auto e = doc.get_object().get(root)) {
        if (e == simdjson::INCORRECT_TYPE) return detail::invalid_response(diag, "response body: not a JSON object");
        return detail::invalid_response(diag, "response body: " + detail::json_error_text(e));
    }
    // Parsed in place, reusing the strings' capacity of a response object used before.
    bool have_job = false;
    auto reset = [&] {
        job_out.knowledge_base_id.clear();
        job_out.data_source_id.clear();
        job_out.ingestion_job_id.clear();
        job_out.description.reset();
        job_out.status = ingestion_job_status::unknown;
        job_out.status_text.clear();
        job_out.statistics.reset();
        job_out.failure_reasons.clear();
        job_out.started_at = {};
        job_out.updated_at = {};
    };
    reset();
    for (auto field : root) {
        std::string_view key;
        if (auto e = field.unescaped_key().get(key)) {
            r.fail(e, "response body");
            return r.ec;
        }
        simdjson::ondemand::value v;
        if (auto e = field.value().get(v)) {
            r.fail(e, "response body");
            return r.ec;
        }
        if (detail::equal_bytes(key, "ingestionJob") && !detail::json_reader::is_null(v)) {
            simdjson::ondemand::object job;
            if (auto e = v.get_object().get(job)) {
                r.fail(e, "ingestionJob");
                return r.ec;
            }
            reset();
            if (!detail::parse_job(r, job, job_out)) return r.ec;
            have_job = true;
        }
    }
    // In bounds after the root object means more tokens follow it.
    if (const char* rest = nullptr; !doc.current_location().get(rest))
        return detail::invalid_response(diag, "response body: trailing content after the JSON object");
    if (!have_job) return detail::invalid_response(diag, "ingestionJob: required member is missing");
    return {};
}

BEDROCK_AGENT_DECL std::string_view sanitize_error_code(std::string_view code) noexcept
{
    // Smithy restJson1: keep what is before the first ':' and after the '#' (Smithy aws-restjson1-protocol.rst, "Operation error serialization").
    if (auto colon = code.find(':'); colon != std::string_view::npos) code = code.substr(0, colon);
    if (auto hash = code.rfind('#'); hash != std::string_view::npos) code = code.substr(hash + 1);
    return code;
}

BEDROCK_AGENT_DECL boost::system::error_code parse_error_response(const error_response_view& resp, diagnostics& diag)
{
    detail::diag(diag).set_http_status(resp.status);
    detail::diag(diag).set_request_id(std::string(resp.request_id_header));
    std::string type, code, message, raw_message;
    std::vector<validation_field> fields;
    bool have_message = false;

    std::string_view body = resp.body;
    std::size_t first = body.find_first_not_of(" \t\r\n");
    std::string_view trimmed = first == std::string_view::npos ? std::string_view{} : body.substr(first);
    if (resp.status >= 500 && (trimmed.empty() || trimmed.starts_with("<html>"))) {
        // botocore: a bodiless (or HTML) 5xx is named by its status and reason phrase.
        code = std::to_string(resp.status);
        message.assign(resp.reason);
        have_message = true;
    } else if (!trimmed.empty()) {
        auto& scratch = detail::thread_json_scratch();
        simdjson::ondemand::document doc;
        simdjson::ondemand::object root;
        bool ok = !scratch.parser.iterate(scratch.load(body)).get(doc) && !doc.get_object().get(root);
        std::string msg_lower, msg_upper;
        bool have_lower = false, have_upper = false;
        if (ok) {
            for (auto field : root) {
                std::string_view key;
                simdjson::ondemand::value v;
                if (field.unescaped_key().get(key) || field.value().get(v)) {
                    ok = false;
                    break;
                }
                std::string_view s;
                if (key == "__type") {
                    if (!v.get_string().get(s)) type.assign(s);
                } else if (key == "code" || (key == "Code" && code.empty())) {
                    if (!v.get_string().get(s)) code.assign(s);
                } else if (key == "message") {
                    if (!v.get_string().get(s)) msg_lower.assign(s), have_lower = true;
                } else if (key == "Message") {
                    if (!v.get_string().get(s)) msg_upper.assign(s), have_upper = true;
                } else if (key == "fieldList") {
                    simdjson::ondemand::array arr;
                    if (v.get_array().get(arr)) continue;
                    for (auto el : arr) {
                        simdjson::ondemand::object o;
                        if (el.get_object().get(o)) continue;
                        validation_field f;
                        for (auto ff : o) {
                            std::string_view k2, s2;
                            if (ff.unescaped_key().get(k2)) break;
                            if (k2 == "name" && !ff.value().get_string().get(s2)) f.name.assign(s2);
                            else if (k2 == "message" && !ff.value().get_string().get(s2)) f.message.assign(s2);
                        }
                        fields.push_back(std::move(f));
                    }
                }
            }
        }
        if (ok) {
            if (have_lower) message = std::move(msg_lower), have_message = true;
            else if (have_upper) message = std::move(msg_upper), have_message = true;
        } else {
            // Not JSON: botocore keeps the raw text as the message.
            type.clear();
            code.clear();
            fields.clear();
            message.assign(body);
            have_message = true;
        }
    }
    // Header first, then __type, then code (the issue's order; Smithy accepts any of the three).
    std::string_view chosen = !resp.error_type_header.empty() ? resp.error_type_header
                              : !type.empty()                 ? std::string_view(type)
                                                              : std::string_view(code);
    std::string final_code(sanitize_error_code(chosen));
    if (final_code.empty()) final_code = std::to_string(resp.status);
    (void)have_message;
    errc e = errc_from_aws_code(final_code, resp.status);
    detail::diag(diag).set_aws_error_code(std::move(final_code));
    detail::diag(diag).set_message(std::move(message));
    detail::diag(diag).set_field_list(std::move(fields));
    return make_error_code(e);
}

}  // namespace bedrock_agent

#endif
