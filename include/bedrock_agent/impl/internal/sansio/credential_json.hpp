#ifndef BEDROCK_AGENT_IMPL_INTERNAL_SANSIO_CREDENTIAL_JSON_HPP
#define BEDROCK_AGENT_IMPL_INTERNAL_SANSIO_CREDENTIAL_JSON_HPP

// The JSON documents credentials arrive in: credential_process output (Version 1), and the
// container / instance metadata endpoints' answers. Errors name the member, never a value.

#include <bedrock_agent/credentials.hpp>
#include <bedrock_agent/protocol.hpp>

#include <simdjson.h>

#include <algorithm>
#include <string>

namespace bedrock_agent::sansio {

/// A parsed timestamp as a system_clock time, clamped to what system_clock (nanoseconds on
/// Linux, about years 1678-2262) can hold: an expiration in the year 4060 means "far away", not
/// an overflow.
inline std::chrono::system_clock::time_point to_system_time(timestamp t)
{
    using namespace std::chrono;
    constexpr auto max_ms = duration_cast<milliseconds>(system_clock::duration::max()).count() - 1;
    constexpr auto min_ms = duration_cast<milliseconds>(system_clock::duration::min()).count() + 1;
    auto ms = std::clamp<long long>(t.time_since_epoch().count(), min_ms, max_ms);
    return system_clock::time_point(duration_cast<system_clock::duration>(milliseconds(ms)));
}

enum class credential_doc { process, container, imds };

/// Parses a credentials document. Returns false and sets `why` on failure.
BEDROCK_AGENT_COLD inline bool parse_credentials_json(std::string_view body, credential_doc kind, credentials& out, std::string& why)
{
    simdjson::dom::parser p;
    simdjson::dom::element root;
    if (auto e = p.parse(body.data(), body.size()).get(root)) {
        why = std::string("not valid JSON (") + simdjson::error_message(e) + ")";
        return false;
    }
    if (!root.is_object()) {
        why = "not a JSON object";
        return false;
    }
    auto str = [&](const char* key, bool required, std::string& dst) {
        std::string_view v;
        auto e = root[key].get(v);
        if (e == simdjson::NO_SUCH_FIELD) {
            if (required) why = std::string(key) + " is missing";
            return !required;
        }
        if (e) {
            why = std::string(key) + " is not a string";
            return false;
        }
        dst.assign(v);
        return true;
    };
    if (kind == credential_doc::process) {
        int64_t version = 0;
        if (root["Version"].get(version) || version != 1) {
            why = "Version must be 1";
            return false;
        }
    }
    if (kind == credential_doc::imds) {
        std::string code;
        if (!str("Code", false, code)) return false;
        if (!code.empty() && code != "Success") {
            why = "Code is " + code;
            return false;
        }
    }
    credentials c;
    std::string expiration;
    const char* token_key = kind == credential_doc::process ? "SessionToken" : "Token";
    bool token_required = kind != credential_doc::process;
    if (!str("AccessKeyId", true, c.access_key_id) || !str("SecretAccessKey", true, c.secret_access_key) ||
        !str(token_key, token_required, c.session_token) || !str("Expiration", kind != credential_doc::process, expiration))
        return false;
    if (c.access_key_id.empty() || c.secret_access_key.empty()) {
        why = "AccessKeyId or SecretAccessKey is empty";
        return false;
    }
    if (!expiration.empty()) {
        timestamp t;
        if (!parse_timestamp(expiration, t)) {
            why = "Expiration is not an RFC 3339 date-time";
            return false;
        }
        c.expiration = to_system_time(t);
    }
    out = std::move(c);
    return true;
}

}  // namespace bedrock_agent::sansio

#endif
