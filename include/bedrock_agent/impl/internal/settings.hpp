#ifndef BEDROCK_AGENT_IMPL_INTERNAL_SETTINGS_HPP
#define BEDROCK_AGENT_IMPL_INTERNAL_SETTINGS_HPP

// Where each setting comes from, as the AWS SDKs do it: explicit client_params first, then the
// environment, then the shared config and credentials files (see the README's table). The
// environment is an input, so tests set it without touching the process's.

#include <bedrock_agent/client_params.hpp>
#include <bedrock_agent/endpoint_resolver.hpp>
#include <bedrock_agent/error.hpp>
#include <bedrock_agent/protocol.hpp>
#include <bedrock_agent/impl/internal/sansio/credential_json.hpp>
#include <bedrock_agent/shared_config.hpp>

#include <algorithm>
#include <cstdlib>
#include <functional>
#include <optional>
#include <string>

namespace bedrock_agent::detail {

struct environment {
    std::function<std::optional<std::string>(const char*)> get;

    /// The process environment (empty values count as unset).
    static environment process()
    {
        return {[](const char* name) -> std::optional<std::string> {
            const char* v = std::getenv(name);
            if (!v || !*v) return std::nullopt;
            return std::string(v);
        }};
    }
};

struct resolved_settings {
    boost::system::error_code ec;
    std::string why;  ///< what is wrong, naming the variable, file:line or setting (never a secret)
    std::string profile_name;
    std::string region;
    std::string endpoint_url;
    std::string ca_file;
    unsigned max_attempts = 3;
    retry_mode mode = retry_mode::standard;
    std::optional<credentials> creds;
    std::string creds_source;  ///< "client_params", "environment", "shared credentials file", ...
    /// The profile's credential_process command, when the chain has to run it.
    std::string credential_process;
    /// The profile's web identity settings.
    std::string web_identity_token_file, role_arn, role_session_name;
    /// Why each provider tried so far had nothing.
    std::string providers_tried;
};

inline bool parse_bool_setting(const std::string& v, bool& out)
{
    std::string l;
    for (char c : v) l.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    if (l == "true") out = true;
    else if (l == "false") out = false;
    else return false;
    return true;
}

BEDROCK_AGENT_COLD inline resolved_settings resolve_settings(const client_params& p, const environment& env)
{
    resolved_settings r;
    auto fail = [&](errc e, std::string why) {
        if (!r.ec) {
            r.ec = make_error_code(e);
            r.why = std::move(why);
        }
        return r;
    };

    // Profile and files.
    bool profile_explicit = p.profile.has_value();
    if (p.profile) r.profile_name = *p.profile;
    else if (auto v = env.get("AWS_PROFILE")) r.profile_name = *v, profile_explicit = true;
    else if (auto v2 = env.get("AWS_DEFAULT_PROFILE")) r.profile_name = *v2, profile_explicit = true;
    else r.profile_name = "default";
    std::string home = env.get("HOME").value_or("");
    std::string config_path = env.get("AWS_CONFIG_FILE").value_or(home.empty() ? "" : home + "/.aws/config");
    std::string creds_path = env.get("AWS_SHARED_CREDENTIALS_FILE").value_or(home.empty() ? "" : home + "/.aws/credentials");
    shared_config_file config, cred_file;
    std::string why;
    if (!config_path.empty())
        if (auto ec = shared_config_file::load(config_path, shared_config_file::file_kind::config, config, why))
            return fail(errc::invalid_configuration, why);
    if (!creds_path.empty())
        if (auto ec = shared_config_file::load(creds_path, shared_config_file::file_kind::credentials, cred_file, why))
            return fail(errc::invalid_configuration, why);
    const auto* prof = config.profile(r.profile_name);
    const auto* cprof = cred_file.profile(r.profile_name);
    if (profile_explicit && !prof && !cprof && r.profile_name != "default")
        return fail(errc::invalid_configuration, "The config profile (" + r.profile_name + ") could not be found");
    auto from_profile = [&](const char* key) -> std::optional<std::string> {
        if (prof)
            if (auto* v = prof->get(key); v && !v->empty()) return *v;
        return std::nullopt;
    };
    auto setting = [&](const char* env_name, const char* key) -> std::optional<std::string> {
        if (auto v = env.get(env_name)) return v;
        return from_profile(key);
    };
    auto bool_setting = [&](const char* env_name, const char* key, bool& out) {
        if (auto v = env.get(env_name)) {
            if (!parse_bool_setting(*v, out)) return fail(errc::invalid_configuration, std::string(env_name) + " must be true or false"), false;
        } else if (auto pv = from_profile(key)) {
            if (!parse_bool_setting(*pv, out))
                return fail(errc::invalid_configuration, "profile " + r.profile_name + ": " + key + " must be true or false"), false;
        }
        return true;
    };

    // Region.
    if (!p.region.empty()) r.region = p.region;
    else if (auto v = env.get("AWS_REGION")) r.region = *v;
    else if (auto v2 = setting("AWS_DEFAULT_REGION", "region")) r.region = *v2;

    // FIPS and dual-stack.
    bool fips = false, dual = false;
    if (p.use_fips) fips = *p.use_fips;
    else if (!bool_setting("AWS_USE_FIPS_ENDPOINT", "use_fips_endpoint", fips)) return r;
    if (p.use_dual_stack) dual = *p.use_dual_stack;
    else if (!bool_setting("AWS_USE_DUALSTACK_ENDPOINT", "use_dualstack_endpoint", dual)) return r;

    // Endpoint.
    std::optional<std::string> custom;
    if (p.endpoint_url && !p.endpoint_url->empty()) {
        custom = *p.endpoint_url;
    } else {
        bool ignore = false;
        if (!bool_setting("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "ignore_configured_endpoint_urls", ignore)) return r;
        if (!ignore) {
            if (auto v = env.get("AWS_ENDPOINT_URL_BEDROCK_AGENT")) custom = *v;
            else if (auto v2 = env.get("AWS_ENDPOINT_URL")) custom = *v2;
            else if (auto svc = from_profile("services")) {
                if (const auto* s = config.services(*svc)) {
                    auto it = s->sub.find("bedrock_agent");
                    if (it != s->sub.end())
                        if (auto e = it->second.find("endpoint_url"); e != it->second.end() && !e->second.empty())
                            custom = e->second;
                }
            }
            if (!custom)
                if (auto v3 = from_profile("endpoint_url")) custom = *v3;
        }
    }
    endpoint_params ep{r.region.empty() ? std::nullopt : std::optional<std::string>(r.region), fips, dual, custom};
    std::string err;
    if (!resolve_endpoint(ep, r.endpoint_url, err)) return fail(errc::invalid_configuration, err);

    // Retries.
    if (p.retry.max_attempts) {
        r.max_attempts = *p.retry.max_attempts;
    } else if (auto v = setting("AWS_MAX_ATTEMPTS", "max_attempts")) {
        char* end = nullptr;
        long n = std::strtol(v->c_str(), &end, 10);
        if (end == v->c_str() || *end || n < 1 || n > 100)
            return fail(errc::invalid_configuration, "max_attempts (AWS_MAX_ATTEMPTS) must be an integer from 1 to 100");
        r.max_attempts = static_cast<unsigned>(n);
    }
    if (p.retry.mode) {
        r.mode = *p.retry.mode;
    } else if (auto v = setting("AWS_RETRY_MODE", "retry_mode")) {
        if (*v == "standard" || *v == "legacy") r.mode = retry_mode::standard;  // legacy: served as standard
        else if (*v == "adaptive") r.mode = retry_mode::adaptive;
        else return fail(errc::invalid_configuration, "retry_mode (AWS_RETRY_MODE) must be standard, adaptive or legacy");
    }

    // CA bundle.
    if (p.ca_file) r.ca_file = *p.ca_file;
    else if (auto v = setting("AWS_CA_BUNDLE", "ca_bundle")) r.ca_file = *v;

    // Credentials: the parts of the chain that need no I/O.
    auto& tried = r.providers_tried;
    if (p.credentials) {
        r.creds = *p.credentials;
        r.creds_source = "client_params";
        return r;
    }
    tried += "client_params: not set; ";
    if (!profile_explicit || !p.profile) {
        // A profile named in client_params (or --profile) skips the environment, as the AWS CLI does.
        auto ak = env.get("AWS_ACCESS_KEY_ID"), sk = env.get("AWS_SECRET_ACCESS_KEY");
        if (ak && sk) {
            credentials c{*ak, *sk, env.get("AWS_SESSION_TOKEN").value_or(env.get("AWS_SECURITY_TOKEN").value_or("")), {}};
            if (auto exp = env.get("AWS_CREDENTIAL_EXPIRATION")) {
                timestamp t;
                if (!parse_timestamp(*exp, t))
                    return fail(errc::invalid_configuration, "AWS_CREDENTIAL_EXPIRATION is not an ISO 8601 date-time");
                c.expiration = sansio::to_system_time(t);
                if (*c.expiration <= std::chrono::system_clock::now())
                    return fail(errc::no_credentials, "the environment's credentials expired (AWS_CREDENTIAL_EXPIRATION)");
            }
            r.creds = std::move(c);
            r.creds_source = "environment";
            return r;
        }
        tried += ak ? "environment: AWS_SECRET_ACCESS_KEY is not set; " : "environment: AWS_ACCESS_KEY_ID is not set; ";
    } else {
        tried += "environment: skipped (profile named explicitly); ";
    }
    for (auto [sec, name] : {std::pair{cprof, "shared credentials file"}, std::pair{prof, "shared config file"}}) {
        if (!sec) {
            tried += std::string(name) + ": no profile " + r.profile_name + "; ";
            continue;
        }
        const std::string* ak = sec->get("aws_access_key_id");
        const std::string* sk = sec->get("aws_secret_access_key");
        if (ak && sk && !ak->empty() && !sk->empty()) {
            const std::string* tok = sec->get("aws_session_token");
            r.creds = credentials{*ak, *sk, tok ? *tok : std::string(), {}};
            r.creds_source = name;
            return r;
        }
        tried += std::string(name) + ": profile " + r.profile_name + " has no static keys; ";
    }
    if (auto cp = from_profile("credential_process")) r.credential_process = *cp;
    r.web_identity_token_file = from_profile("web_identity_token_file").value_or("");
    r.role_arn = from_profile("role_arn").value_or("");
    r.role_session_name = from_profile("role_session_name").value_or("");
    return r;
}

}  // namespace bedrock_agent::detail

#endif
