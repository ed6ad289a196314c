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
#include <cerrno>
#include <limits>
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

/// The providers of the default credential chain that need I/O.
enum class io_provider { none, process, web_identity, container, imds };

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
    /// The provider that needs I/O, when no provider before it had static credentials. Exactly
    /// one: a configured provider that fails ends the chain (see resolve_settings).
    io_provider provider = io_provider::none;
    /// The profile's credential_process command (provider == process).
    std::string credential_process;
    /// Web identity settings, from the environment or the profile (provider == web_identity).
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
    // The profile as botocore's Session.full_config sees it: the config file's profile with the
    // credentials file's keys over it (so region, role_arn or credential_process may sit in either).
    auto merged = [&](const char* key) -> const std::string* {
        if (cprof)
            if (auto* v = cprof->get(key)) return v;
        if (prof)
            if (auto* v = prof->get(key)) return v;
        return nullptr;
    };
    auto from_profile = [&](const char* key) -> std::optional<std::string> {
        if (auto* v = merged(key); v && !v->empty()) return *v;
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
        // As botocore: any integer of at least 1 (0 and negatives are InvalidMaxRetryAttemptsError).
        char* end = nullptr;
        errno = 0;
        long long n = std::strtoll(v->c_str(), &end, 10);
        if (end == v->c_str() || *end || errno == ERANGE)
            return fail(errc::invalid_configuration, "max_attempts (AWS_MAX_ATTEMPTS) must be an integer");
        if (n < 1)
            return fail(errc::invalid_configuration, "Value provided to \"max_attempts\": " + *v +
                                                         " must be an integer greater than or equal to 1.");
        r.max_attempts = static_cast<unsigned>(std::min<long long>(n, std::numeric_limits<unsigned>::max()));
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

    // Credentials, in the order of botocore's create_credential_resolver (botocore/credentials.py):
    // the environment, assume role, web identity, SSO, the credentials file's keys, the profile's
    // credential_process, the config file's keys, the container endpoint, instance metadata. The
    // first provider that is configured decides: when it fails, the chain ends with its error
    // (botocore's providers raise, and CredentialResolver.load_credentials does not catch), so a
    // failing web identity or container provider never falls through to the instance's role.
    auto& tried = r.providers_tried;
    if (p.credentials) {
        r.creds = *p.credentials;
        r.creds_source = "client_params";
        return r;
    }
    tried += "client_params: not set; ";
    // A profile named in client_params (or --profile) skips the environment's keys and its web
    // identity variables, as the AWS CLI does (create_credential_resolver's disable_env_vars).
    const bool env_enabled = !p.profile.has_value();
    if (env_enabled) {
        auto ak = env.get("AWS_ACCESS_KEY_ID"), sk = env.get("AWS_SECRET_ACCESS_KEY");
        if (ak) {
            // botocore's EnvProvider: an access key without its secret is an error, not a skip.
            if (!sk)
                return fail(errc::no_credentials,
                            "Partial credentials found in env, missing: AWS_SECRET_ACCESS_KEY");
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
        tried += "environment: AWS_ACCESS_KEY_ID is not set; ";
    } else {
        tried += "environment: skipped (profile named explicitly); ";
    }

    const std::string quoted = "The profile \"" + r.profile_name + "\"";

    // Assume role (AssumeRoleProvider._has_assume_role_config_vars: role_arn without a web
    // identity token file). Not supported by this version: an error, never a fall-through.
    if (merged("role_arn") && !merged("web_identity_token_file")) {
        const bool source_profile = merged("source_profile") != nullptr, credential_source = merged("credential_source") != nullptr;
        if (source_profile && credential_source)  // AssumeRoleProvider._validate_role_config
            return fail(errc::invalid_configuration, quoted + " contains both source_profile and credential_source.");
        if (!source_profile && !credential_source)
            return fail(errc::invalid_configuration,
                        "Partial credentials found in assume-role, missing: source_profile or credential_source");
        return fail(errc::invalid_configuration,
                    quoted + " assumes a role (role_arn with " + (source_profile ? "source_profile" : "credential_source") +
                        "), which bedrock-agent-asio " BEDROCK_AGENT_VERSION_STRING " does not support");
    }
    tried += "assume role: profile " + r.profile_name + " has no role_arn; ";

    // Web identity (AssumeRoleWithWebIdentityProvider): each key from the environment, else the profile.
    auto web_setting = [&](const char* env_name, const char* key) -> std::string {
        if (env_enabled)
            if (auto v = env.get(env_name)) return *v;
        if (auto* v = merged(key)) return *v;
        return {};
    };
    r.web_identity_token_file = web_setting("AWS_WEB_IDENTITY_TOKEN_FILE", "web_identity_token_file");
    if (!r.web_identity_token_file.empty()) {
        r.role_arn = web_setting("AWS_ROLE_ARN", "role_arn");
        if (r.role_arn.empty())  // botocore's wording (InvalidConfigError)
            return fail(errc::invalid_configuration,
                        "The provided profile or the current environment is configured to assume role with web "
                        "identity but has no role ARN configured. Ensure that the profile has the role_arn "
                        "configuration set or the AWS_ROLE_ARN env var is set.");
        r.role_session_name = web_setting("AWS_ROLE_SESSION_NAME", "role_session_name");
        r.provider = io_provider::web_identity;
        return r;
    }
    tried += "web identity: AWS_WEB_IDENTITY_TOKEN_FILE and web_identity_token_file not set; ";

    // IAM Identity Center (SSOProvider: sso_role_name or sso_account_id in the profile) and AWS
    // sign-in (LoginProvider: login_session). Not supported by this version.
    for (const char* key : {"sso_account_id", "sso_role_name", "sso_session", "sso_start_url"})
        if (merged(key))
            return fail(errc::invalid_configuration,
                        quoted + " uses IAM Identity Center (" + key + "), which bedrock-agent-asio "
                        BEDROCK_AGENT_VERSION_STRING " does not support");
    if (merged("login_session"))
        return fail(errc::invalid_configuration,
                    quoted + " uses AWS sign-in (login_session), which bedrock-agent-asio "
                    BEDROCK_AGENT_VERSION_STRING " does not support");
    tried += "SSO: profile " + r.profile_name + " has no sso_* keys; ";

    // Static keys: the credentials file's profile (SharedCredentialProvider), then, after
    // credential_process, the config file's (ConfigProvider). An access key without its secret
    // is an error (_extract_creds_from_mapping raises PartialCredentialsError).
    auto static_keys = [&](const shared_config_file::section* sec, const char* name, const char* method) -> int {
        if (!sec) {
            tried += std::string(name) + ": no profile " + r.profile_name + "; ";
            return 0;
        }
        const std::string* ak = sec->get("aws_access_key_id");
        if (!ak) {
            tried += std::string(name) + ": profile " + r.profile_name + " has no static keys; ";
            return 0;
        }
        const std::string* sk = sec->get("aws_secret_access_key");
        if (!sk) {
            fail(errc::no_credentials, std::string("Partial credentials found in ") + method + ", missing: aws_secret_access_key");
            return -1;
        }
        const std::string* tok = sec->get("aws_session_token");
        if (!tok) tok = sec->get("aws_security_token");
        r.creds = credentials{*ak, *sk, tok ? *tok : std::string(), {}};
        r.creds_source = name;
        return 1;
    };
    if (static_keys(cprof, "shared credentials file", "shared-credentials-file")) return r;
    if (auto* cp = merged("credential_process"); cp && !cp->empty()) {
        r.credential_process = *cp;
        r.provider = io_provider::process;
        return r;
    }
    tried += "credential_process: not configured; ";
    if (static_keys(prof, "shared config file", "config-file")) return r;

    // The container endpoint and instance metadata: see make_chain_config.
    if (env.get("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI") || env.get("AWS_CONTAINER_CREDENTIALS_FULL_URI")) {
        r.provider = io_provider::container;
        return r;
    }
    tried += "container endpoint: AWS_CONTAINER_CREDENTIALS_RELATIVE_URI/FULL_URI not set; ";
    bool imds_disabled = false;
    if (auto v = env.get("AWS_EC2_METADATA_DISABLED")) parse_bool_setting(*v, imds_disabled);
    if (imds_disabled) tried += "instance metadata: disabled";
    else r.provider = io_provider::imds;
    return r;
}

}  // namespace bedrock_agent::detail

#endif
