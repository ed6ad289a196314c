// Endpoint rules (all 21 cases of endpoint-tests-1.json), the shared config/credentials parser,
// and where each setting comes from (fake environment, temporary files).
#include <bedrock_agent/endpoint_resolver.hpp>
#include <bedrock_agent/shared_config.hpp>
#include <bedrock_agent/impl/internal/settings.hpp>
#include <bedrock_agent/impl/internal/sansio/credential_rules.hpp>

#include "common/test_util.hpp"

#include <doctest/doctest.h>
#include <simdjson.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <regex>

namespace ba = bedrock_agent;
using ba::shared_config_file;

namespace {

struct fake_env {
    std::map<std::string, std::string> vars;
    ba::detail::environment get() const
    {
        return {[this](const char* n) -> std::optional<std::string> {
            auto it = vars.find(n);
            if (it == vars.end() || it->second.empty()) return std::nullopt;
            return it->second;
        }};
    }
};

}  // namespace

TEST_SUITE("config")
{
    TEST_CASE("endpoint-tests-1.json: all 21 cases")
    {
        std::string text = test_util::read_file(test_util::shared_dir() /
                                                "testdata/models/bedrock-agent-2023-06-05/endpoint-tests-1.json");
        simdjson::dom::parser p;
        simdjson::dom::array cases = p.parse(text)["testCases"];
        int n = 0;
        for (simdjson::dom::element c : cases) {
            std::string doc{std::string_view(c["documentation"])};
            CAPTURE(doc);
            ba::endpoint_params params;
            if (auto prm = c["params"]; !prm.error()) {
                if (auto r = prm["Region"]; !r.error()) params.region = std::string(std::string_view(r.value()));
                if (auto f = prm["UseFIPS"]; !f.error()) params.use_fips = bool(f.value());
                if (auto d = prm["UseDualStack"]; !d.error()) params.use_dual_stack = bool(d.value());
                if (auto e = prm["Endpoint"]; !e.error()) params.endpoint = std::string(std::string_view(e.value()));
            }
            std::string url, error;
            bool ok = ba::resolve_endpoint(params, url, error);
            if (auto ep = c["expect"]["endpoint"]; !ep.error()) {
                CHECK(ok);
                CHECK(url == std::string_view(ep.value()["url"]));
            } else {
                CHECK_FALSE(ok);
                CHECK(error == std::string_view(c["expect"]["error"]));
            }
            ++n;
        }
        CHECK(n == 21);
        std::cout << "[config] " << n << " endpoint rule-set cases checked\n";
    }

    TEST_CASE("partitions: explicit regions, regexes, and the aws fallback")
    {
        CHECK(ba::partition_for("us-east-1").id == "aws");
        CHECK(ba::partition_for("cn-northwest-1").id == "aws-cn");
        CHECK(ba::partition_for("us-gov-west-1").id == "aws-us-gov");
        CHECK(ba::partition_for("us-gov-central-9").id == "aws-us-gov");  // by regex
        CHECK(ba::partition_for("eusc-de-east-1").id == "aws-eusc");
        CHECK(ba::partition_for("aws-iso-b-global").id == "aws-iso-b");
        CHECK(ba::partition_for("mars-north-1").id == "aws");  // nothing matches
    }

    TEST_CASE("partitions: every name resolves as partitions.json says (std::regex on its regionRegex as the oracle)")
    {
        // partition_for matches regionRegex without std::regex; this checks it against the
        // file's own expressions, in file order, over names built to sit on each edge.
        std::string text = test_util::read_file(test_util::shared_dir() / "testdata/models/common/partitions.json");
        simdjson::dom::parser parser;
        simdjson::dom::element doc = parser.parse(text);
        struct part {
            std::string id;
            std::regex re;
            std::vector<std::string> regions;
        };
        std::vector<part> parts;
        for (simdjson::dom::element p : doc["partitions"].get_array()) {
            part x{std::string(std::string_view(p["id"])), std::regex(std::string(std::string_view(p["regionRegex"]))), {}};
            for (auto field : p["regions"].get_object()) x.regions.emplace_back(field.key);
            parts.push_back(std::move(x));
        }
        REQUIRE(parts.size() == 8);
        auto expected = [&](const std::string& name) -> std::string {
            for (auto& p : parts)
                for (auto& r : p.regions)
                    if (r == name) return p.id;
            for (auto& p : parts)
                if (std::regex_match(name, p.re)) return p.id;
            return "aws";
        };
        std::vector<std::string> heads{"us", "eu", "ap", "sa", "ca", "me", "af", "il", "mx", "cn", "eusc", "eusc-de",
                                       "eusc-fr", "us-iso", "us-isob", "us-isof", "eu-isoe", "us-gov", "us-iso-b", "xx",
                                       "US", "u", ""};
        std::vector<std::string> middles{"east", "north_2", "Central9", "gov", "iso", "", "a-b", "we st", "ü", "e@st", "ea[t", "`x", "x{", "x/"};
        std::vector<std::string> tails{"1", "42", "", "x", "1a", "-1", "0", "9", "1:", "/1"};
        int n = 0, by_regex = 0;
        for (auto& h : heads)
            for (auto& m : middles)
                for (auto& t : tails)
                    for (const std::string& name : {h + "-" + m + "-" + t, h + m + "-" + t, h + "-" + m + t}) {
                        CAPTURE(name);
                        auto want = expected(name);
                        CHECK(ba::partition_for(name).id == want);
                        ++n;
                        if (want != "aws" || std::regex_match(name, parts[0].re)) ++by_regex;
                    }
        CHECK(by_regex > 100);  // the names do reach the expressions, not only the fallback
        std::cout << "[config] " << n << " region names resolved against partitions.json\n";
    }

    TEST_CASE("the shared config format")
    {
        const char* text = R"(# a comment
; another
[default]
region = eu-west-1
output=json   # inline comment

[profile dev]
region = us-west-2
services = local-svc
aws_access_key_id = AKIDDEV
s3 =
  max_concurrent_requests = 10
  addressing_style = path

[ profile spaced ]
region=ap-south-1

[services local-svc]
bedrock_agent =
  endpoint_url = http://127.0.0.1:9999

[sso-session x]
sso_region = us-east-1
)";
        shared_config_file f;
        std::string why;
        REQUIRE_FALSE(shared_config_file::parse(text, shared_config_file::file_kind::config, "config", f, why));
        REQUIRE(f.profile("default"));
        CHECK(*f.profile("default")->get("region") == "eu-west-1");
        CHECK(*f.profile("default")->get("output") == "json");
        REQUIRE(f.profile("dev"));
        CHECK(*f.profile("dev")->get("aws_access_key_id") == "AKIDDEV");
        CHECK(f.profile("dev")->sub.at("s3").at("addressing_style") == "path");
        CHECK(f.profile("spaced"));
        REQUIRE(f.services("local-svc"));
        CHECK(f.services("local-svc")->sub.at("bedrock_agent").at("endpoint_url") == "http://127.0.0.1:9999");
        CHECK_FALSE(f.profile("x"));

        // As botocore's ConfigParser: names are lower-cased, ':' is a delimiter too (the first of
        // '=' and ':' splits), and [default] and [profile default] are separate sections.
        REQUIRE_FALSE(shared_config_file::parse("[default]\nRegion: us-west-2\nAWS_Access_Key_ID = A\na:b = c\n"
                                                "url = http://h:1\n[profile default]\nregion = x\n",
                                                shared_config_file::file_kind::config, "config", f, why));
        // The later of [default] and [profile default] replaces the earlier whole (botocore's
        // build_profile_map).
        CHECK(*f.profile("default")->get("region") == "x");
        CHECK_FALSE(f.profile("default")->get("aws_access_key_id"));
        REQUIRE_FALSE(shared_config_file::parse("[profile default]\nregion = x\n[default]\nRegion: us-west-2\n"
                                                "AWS_Access_Key_ID = A\na:b = c\nurl = http://h:1\n",
                                                shared_config_file::file_kind::config, "config", f, why));
        CHECK(*f.profile("default")->get("region") == "us-west-2");
        CHECK(*f.profile("default")->get("aws_access_key_id") == "A");
        CHECK(*f.profile("default")->get("a") == "b = c");
        CHECK(*f.profile("default")->get("url") == "http://h:1");

        // In the credentials file, [name] is the profile (no "profile " prefix).
        REQUIRE_FALSE(shared_config_file::parse("[dev]\naws_access_key_id = A\n", shared_config_file::file_kind::credentials,
                                                "credentials", f, why));
        CHECK(f.profile("dev"));
    }

    TEST_CASE("malformed lines are errors naming file:line")
    {
        const std::pair<const char*, const char*> bad[] = {
            {"region = us-east-1\n", "cfg:1: property outside any section"},
            {"[default]\njust a line\n", "cfg:2: expected \"name = value\" or \"name: value\""},
            {"[default\nregion = x\n", "cfg:1: section header without ']'"},
            {"[default]\n= value\n", "cfg:2: property with an empty name"},
            {"[default]\ns3 =\n  no equals here\n", "cfg:3: sub-property without '='"},
            {"[]\n", "cfg:1: empty section name"},
            {"[profile ]\n", "cfg:1: empty profile name"},
            {"[default] junk\n", "cfg:1: unexpected text after the section header"},
            // botocore's strict ConfigParser: duplicates are ConfigParseError (checked against
            // botocore.configloader.raw_config_parse).
            {"[default]\nregion = a\n[default]\nx = 1\n", "cfg:3: section [default] appears twice"},
            {"[default]\nregion = a\nREGION = b\n", "cfg:3: \"region\" is set twice"},
            {"[profile a]\nx = 1\n[profile b]\n[profile a]\n", "cfg:4: section [profile a] appears twice"},
        };
        for (auto [text, msg] : bad) {
            CAPTURE(text);
            shared_config_file f;
            std::string why;
            CHECK(shared_config_file::parse(text, shared_config_file::file_kind::config, "cfg", f, why) ==
                  ba::errc::invalid_configuration);
            CHECK(why.find(msg) == 0);
        }
        // A secret on a malformed line is not echoed.
        shared_config_file f;
        std::string why;
        shared_config_file::parse("[default]\naws_secret_access_key SECRETVALUE\n", shared_config_file::file_kind::credentials,
                                  "cred", f, why);
        CHECK(why.find("SECRETVALUE") == std::string::npos);
    }

    TEST_CASE("precedence: explicit params, then the environment, then the profile")
    {
        test_util::temp_dir d;
        fake_env e;
        e.vars["AWS_CONFIG_FILE"] = d.write("config", "[default]\nregion = eu-west-1\nmax_attempts = 7\n"
                                                      "[profile dev]\nregion = us-west-2\nendpoint_url = https://dev.example\n"
                                                      "aws_access_key_id = AKIDCONFIG\naws_secret_access_key = S1\n"
                                                      "ca_bundle = /dev/ca.pem\nuse_fips_endpoint = true\n"
                                                      "[profile svc]\nservices = mine\nregion = us-east-1\n"
                                                      "endpoint_url = https://profile.example\n"
                                                      "[services mine]\nbedrock_agent =\n  endpoint_url = https://svc.example\n");
        e.vars["AWS_SHARED_CREDENTIALS_FILE"] =
            d.write("credentials", "[default]\naws_access_key_id = AKIDFILE\naws_secret_access_key = SFILE\n"
                                   "[dev]\naws_access_key_id = AKIDDEVCRED\naws_secret_access_key = S2\naws_session_token = T2\n");
        ba::client_params p;

        auto s = ba::detail::resolve_settings(p, e.get());
        REQUIRE_FALSE(s.ec);
        CHECK(s.region == "eu-west-1");
        CHECK(s.max_attempts == 7);
        CHECK(s.endpoint_url == "https://bedrock-agent.eu-west-1.amazonaws.com");
        CHECK(s.creds->access_key_id == "AKIDFILE");
        CHECK(s.creds_source == "shared credentials file");

        e.vars["AWS_DEFAULT_REGION"] = "ap-south-1";
        CHECK(ba::detail::resolve_settings(p, e.get()).region == "ap-south-1");
        e.vars["AWS_REGION"] = "ca-central-1";
        CHECK(ba::detail::resolve_settings(p, e.get()).region == "ca-central-1");
        p.region = "us-east-2";
        CHECK(ba::detail::resolve_settings(p, e.get()).region == "us-east-2");

        // Environment keys win over the profile's, even with AWS_PROFILE set (botocore).
        e.vars["AWS_ACCESS_KEY_ID"] = "AKIDENV";
        e.vars["AWS_SECRET_ACCESS_KEY"] = "SENV";
        e.vars["AWS_PROFILE"] = "dev";
        e.vars["AWS_USE_FIPS_ENDPOINT"] = "false";
        s = ba::detail::resolve_settings(p, e.get());
        REQUIRE_FALSE(s.ec);
        CHECK(s.creds->access_key_id == "AKIDENV");
        CHECK(s.endpoint_url == "https://dev.example");
        CHECK(s.ca_file == "/dev/ca.pem");
        e.vars["AWS_CREDENTIAL_EXPIRATION"] = "2999-01-01T00:00:00Z";
        CHECK(ba::detail::resolve_settings(p, e.get()).creds->expiration);
        e.vars["AWS_CREDENTIAL_EXPIRATION"] = "2001-01-01T00:00:00Z";
        CHECK(ba::detail::resolve_settings(p, e.get()).ec == ba::errc::no_credentials);
        e.vars["AWS_CREDENTIAL_EXPIRATION"] = "soon";
        CHECK(ba::detail::resolve_settings(p, e.get()).why.find("AWS_CREDENTIAL_EXPIRATION") != std::string::npos);
        e.vars.erase("AWS_CREDENTIAL_EXPIRATION");
        // ... but a profile named in client_params skips the environment's keys.
        p.profile = "dev";
        s = ba::detail::resolve_settings(p, e.get());
        CHECK(s.creds->access_key_id == "AKIDDEVCRED");
        CHECK(s.creds->session_token == "T2");
        // The profile turns FIPS on, but a custom endpoint and FIPS don't mix (rule set error).
        e.vars.erase("AWS_USE_FIPS_ENDPOINT");
        s = ba::detail::resolve_settings(p, e.get());
        CHECK(s.ec == ba::errc::invalid_configuration);
        CHECK(s.why == "Invalid Configuration: FIPS and custom endpoint are not supported");

        // Endpoint order: service env var, global env var, services section, profile endpoint_url.
        p = {};
        p.profile = "svc";
        CHECK(ba::detail::resolve_settings(p, e.get()).endpoint_url == "https://svc.example");
        e.vars["AWS_ENDPOINT_URL"] = "https://global.example";
        CHECK(ba::detail::resolve_settings(p, e.get()).endpoint_url == "https://global.example");
        e.vars["AWS_ENDPOINT_URL_BEDROCK_AGENT"] = "https://service.example";
        CHECK(ba::detail::resolve_settings(p, e.get()).endpoint_url == "https://service.example");
        e.vars["AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"] = "true";
        CHECK(ba::detail::resolve_settings(p, e.get()).endpoint_url == "https://bedrock-agent.ca-central-1.amazonaws.com");
        p.endpoint_url = "http://explicit:1";
        CHECK(ba::detail::resolve_settings(p, e.get()).endpoint_url == "http://explicit:1");

        // FIPS from the environment.
        p = {};
        e.vars.erase("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS");
        e.vars.erase("AWS_ENDPOINT_URL");
        e.vars.erase("AWS_ENDPOINT_URL_BEDROCK_AGENT");
        e.vars.erase("AWS_PROFILE");
        e.vars["AWS_USE_FIPS_ENDPOINT"] = "true";
        CHECK(ba::detail::resolve_settings(p, e.get()).endpoint_url == "https://bedrock-agent-fips.ca-central-1.amazonaws.com");
        e.vars["AWS_USE_DUALSTACK_ENDPOINT"] = "true";
        CHECK(ba::detail::resolve_settings(p, e.get()).endpoint_url == "https://bedrock-agent-fips.ca-central-1.api.aws");
    }

    TEST_CASE("bad settings name the variable; an unknown profile is an error")
    {
        test_util::temp_dir d;
        fake_env e;
        e.vars["AWS_CONFIG_FILE"] = d.write("config", "[default]\nregion = eu-west-1\n");
        e.vars["AWS_SHARED_CREDENTIALS_FILE"] = d.write("credentials", "");
        ba::client_params p;
        e.vars["AWS_MAX_ATTEMPTS"] = "lots";
        auto s = ba::detail::resolve_settings(p, e.get());
        CHECK(s.ec == ba::errc::invalid_configuration);
        CHECK(s.why.find("AWS_MAX_ATTEMPTS") != std::string::npos);
        // As botocore: at least 1, no upper bound; 0 is InvalidMaxRetryAttemptsError's wording.
        e.vars["AWS_MAX_ATTEMPTS"] = "0";
        s = ba::detail::resolve_settings(p, e.get());
        CHECK(s.ec == ba::errc::invalid_configuration);
        CHECK(s.why == "Value provided to \"max_attempts\": 0 must be an integer greater than or equal to 1.");
        e.vars["AWS_MAX_ATTEMPTS"] = "-1";
        CHECK(ba::detail::resolve_settings(p, e.get()).ec == ba::errc::invalid_configuration);
        e.vars["AWS_MAX_ATTEMPTS"] = "1000";
        CHECK(ba::detail::resolve_settings(p, e.get()).max_attempts == 1000);
        e.vars["AWS_MAX_ATTEMPTS"] = "99999999999999999999999";
        CHECK(ba::detail::resolve_settings(p, e.get()).why.find("AWS_MAX_ATTEMPTS") != std::string::npos);
        e.vars.erase("AWS_MAX_ATTEMPTS");
        e.vars["AWS_USE_FIPS_ENDPOINT"] = "yes";
        CHECK(ba::detail::resolve_settings(p, e.get()).why.find("AWS_USE_FIPS_ENDPOINT") != std::string::npos);
        e.vars.erase("AWS_USE_FIPS_ENDPOINT");
        e.vars["AWS_RETRY_MODE"] = "turbo";
        CHECK(ba::detail::resolve_settings(p, e.get()).why.find("AWS_RETRY_MODE") != std::string::npos);
        e.vars.erase("AWS_RETRY_MODE");
        e.vars["AWS_PROFILE"] = "nope";
        CHECK(ba::detail::resolve_settings(p, e.get()).why == "The config profile (nope) could not be found");
        e.vars.erase("AWS_PROFILE");
        e.vars["AWS_CONFIG_FILE"] = d.write("config2", "[default]\nregion\n");
        s = ba::detail::resolve_settings(p, e.get());
        CHECK(s.why.find("config2:2:") != std::string::npos);
        // No credentials anywhere: the providers tried are listed.
        e.vars["AWS_CONFIG_FILE"] = d.write("config3", "[default]\nregion = eu-west-1\n");
        s = ba::detail::resolve_settings(p, e.get());
        CHECK_FALSE(s.creds);
        CHECK(s.providers_tried.find("environment: AWS_ACCESS_KEY_ID is not set") != std::string::npos);
        CHECK(s.providers_tried.find("shared credentials file") != std::string::npos);
    }
}

#include <bedrock_agent/impl/internal/read_file.hpp>

#include <sys/stat.h>
#include <unistd.h>

TEST_SUITE("config")
{
    TEST_CASE("files are read whole, within a bound; a path that names no regular file is a missing one")
    {
        using ba::detail::read_file_status;
        test_util::temp_dir d;
        std::string out, why;

        // A file larger than its first read, and one of exactly the limit.
        std::string big(70000, 'x');
        for (std::size_t i = 0; i < big.size(); i += 97) big[i] = static_cast<char>('a' + i % 26);
        CHECK(ba::detail::read_small_file(d.write("big", big), 1 << 20, out, why) == read_file_status::ok);
        CHECK(out == big);
        CHECK(ba::detail::read_small_file(d.p("big"), big.size(), out, why) == read_file_status::ok);
        CHECK(out == big);
        CHECK(ba::detail::read_small_file(d.write("empty", ""), 10, out, why) == read_file_status::ok);
        CHECK(out.empty());

        // One byte over the limit: an error naming the file and the limit, and nothing read.
        CHECK(ba::detail::read_small_file(d.p("big"), big.size() - 1, out, why) == read_file_status::too_large);
        CHECK(why == d.p("big") + ": larger than 69999 bytes");
        CHECK(out.empty());

        // Missing, a directory, /dev/null, a FIFO with no writer (must not wait for one).
        CHECK(ba::detail::read_small_file(d.p("nope"), 10, out, why) == read_file_status::missing);
        CHECK(ba::detail::read_small_file(d.p("nope/deeper"), 10, out, why) == read_file_status::missing);
        CHECK(ba::detail::read_small_file(d.path.string(), 10, out, why) == read_file_status::missing);
        CHECK(ba::detail::read_small_file("/dev/null", 10, out, why) == read_file_status::missing);
        REQUIRE(::mkfifo(d.p("fifo").c_str(), 0600) == 0);
        CHECK(ba::detail::read_small_file(d.p("fifo"), 10, out, why) == read_file_status::missing);

        // A file that cannot be opened (a symlink loop: permissions do not stop root) is named
        // with the reason; the shared config loader skips it, as botocore's ConfigParser does.
        std::filesystem::create_symlink(d.p("loop"), d.p("loop"));
        CHECK(ba::detail::read_small_file(d.p("loop"), 10, out, why) == read_file_status::failed);
        CHECK(why == d.p("loop") + ": " + std::generic_category().message(ELOOP));
        {
            ba::shared_config_file f;
            CHECK_FALSE(ba::shared_config_file::load(d.p("loop"), ba::shared_config_file::file_kind::config, f, why));
            CHECK(why.empty());
        }

        // A path through a regular file (ENOTDIR) names no file either.
        CHECK(ba::detail::read_small_file(d.p("big") + "/x", 10, out, why) == read_file_status::missing);

        // The shared config files: a config file over 16 MiB is an error naming it (a sparse
        // file, so no disk is used); /dev/null is the empty config, as in botocore.
        {
            std::string huge = d.p("huge");
            {
                std::ofstream(huge) << "[default]\n";
            }
            std::filesystem::resize_file(huge, ba::shared_config_file::max_file_size + 1);
            ba::shared_config_file f;
            CHECK(ba::shared_config_file::load(huge, ba::shared_config_file::file_kind::config, f, why) ==
                  ba::errc::invalid_configuration);
            CHECK(why == huge + ": larger than 16777216 bytes");
            fake_env e;
            e.vars["AWS_CONFIG_FILE"] = huge;
            e.vars["AWS_SHARED_CREDENTIALS_FILE"] = "/dev/null";
            auto s = ba::detail::resolve_settings(ba::client_params{}, e.get());
            CHECK(s.ec == ba::errc::invalid_configuration);
            CHECK(s.why == huge + ": larger than 16777216 bytes");
            e.vars["AWS_CONFIG_FILE"] = "/dev/null";
            e.vars["AWS_REGION"] = "eu-west-1";
            CHECK_FALSE(ba::detail::resolve_settings(ba::client_params{}, e.get()).ec);
        }
    }

    TEST_CASE("the library's code uses no iostreams (a stream builds std::locale: ≈ 0.5 MB resident per process)")
    {
        // Programs (the CLI, the local endpoint, tests) may; the library under include/ must not.
        // std::ostream& in an operator<< is fine: it constructs nothing.
        const std::regex stream_use(
            R"(std::(ifstream|ofstream|fstream|istringstream|ostringstream|stringstream|cout|cerr|clog)\b|#include <(iostream|fstream|sstream)>)");
        int files = 0;
        for (const auto& e : std::filesystem::recursive_directory_iterator(std::filesystem::path(BEDROCK_AGENT_SOURCE_DIR) / "include/bedrock_agent")) {
            if (!e.is_regular_file()) continue;
            ++files;
            std::ifstream in(e.path());
            std::string line;
            for (int n = 1; std::getline(in, line); ++n)
                if (line.find_first_not_of(' ') != line.find("//") && std::regex_search(line, stream_use)) FAIL_CHECK(e.path().string() << ":" << n << ": " << line);
        }
        CHECK(files > 30);
    }
}

#include <bedrock_agent/impl/internal/sansio/credential_json.hpp>
#include <bedrock_agent/impl/internal/sansio/sts_xml.hpp>

TEST_SUITE("config")
{
    TEST_CASE("credential documents: far-future expirations clamp instead of overflowing (found by fuzzing)")
    {
        ba::credentials c;
        std::string why;
        REQUIRE(ba::sansio::parse_credentials_json(
            R"({"Code": "Success", "AccessKeyId": "A", "SecretAccessKey": "S", "Token": "T", "Expiration": "4060-01-01T00:00:00Z"})",
            ba::sansio::credential_doc::imds, c, why));
        REQUIRE(c.expiration);
        CHECK(*c.expiration > std::chrono::system_clock::now() + std::chrono::hours(24 * 365 * 200));
        CHECK_FALSE(ba::sansio::parse_credentials_json(R"({"Version": 1, "AccessKeyId": "A"})",
                                                       ba::sansio::credential_doc::process, c, why));
        CHECK(why == "SecretAccessKey is missing");
        CHECK_FALSE(ba::sansio::parse_sts_credentials("<ErrorResponse><Error><Code>X</Code><Message>m</Message></Error></ErrorResponse>", c, why));
        CHECK(why == "STS error X: m");
        CHECK_FALSE(ba::sansio::parse_sts_credentials("<unclosed", c, why));
        CHECK(why.find("not valid XML") != std::string::npos);
    }
}

#include <bedrock_agent/impl/internal/sansio/xml_reader.hpp>

#include <random>

namespace {

// What the reader finds at one path (or why the document was refused).
std::string xml_at(std::string_view doc, std::vector<std::string_view> path, bool* ok = nullptr)
{
    ba::sansio::xml_field f[] = {ba::sansio::xml_field(std::move(path))};
    std::string why;
    bool good = ba::sansio::read_xml(doc, f, why);
    if (ok) *ok = good;
    return good ? (f[0].found ? f[0].text : "<not found>") : why;
}

}  // namespace

TEST_SUITE("config")
{
    TEST_CASE("STS answers: AWS's documented AssumeRoleWithWebIdentityResponse and ErrorResponse")
    {
        const char* answer = R"(<?xml version="1.0" encoding="UTF-8"?>
<AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleWithWebIdentityResult>
    <SubjectFromWebIdentityToken>amzn1.account.AF6RHO7KZU5XRVQJGXK6HB56KR2A</SubjectFromWebIdentityToken>
    <Audience>client.5498841531868486423.1548@apps.example.com</Audience>
    <AssumedRoleUser>
      <Arn>arn:aws:sts::123456789012:assumed-role/FederatedWebIdentityRole/app1</Arn>
      <AssumedRoleId>AROACLKWSDQRAOEXAMPLE:app1</AssumedRoleId>
    </AssumedRoleUser>
    <Credentials>
      <SessionToken>AQoDYXdzEE0a8ANXXXXXXXXNO1ewxE5TijQyp+IEXAMPLE</SessionToken>
      <SecretAccessKey>wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY</SecretAccessKey>
      <Expiration>2014-10-24T23:00:23Z</Expiration>
      <AccessKeyId>ASgeIAIOSFODNN7EXAMPLE</AccessKeyId>
    </Credentials>
    <SourceIdentity>SourceIdentityValue</SourceIdentity>
    <Provider>www.amazon.com</Provider>
  </AssumeRoleWithWebIdentityResult>
  <ResponseMetadata>
    <RequestId>ad4156e9-bce1-11e2-82e6-6b6efEXAMPLE</RequestId>
  </ResponseMetadata>
</AssumeRoleWithWebIdentityResponse>
)";
        ba::credentials c;
        std::string why;
        REQUIRE(ba::sansio::parse_sts_credentials(answer, c, why));
        CHECK(c.access_key_id == "ASgeIAIOSFODNN7EXAMPLE");
        CHECK(c.secret_access_key == "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY");
        CHECK(c.session_token == "AQoDYXdzEE0a8ANXXXXXXXXNO1ewxE5TijQyp+IEXAMPLE");
        REQUIRE(c.expiration);
        CHECK(*c.expiration == std::chrono::sys_days{std::chrono::year{2014} / 10 / 24} + std::chrono::hours(23) +
                                   std::chrono::minutes(0) + std::chrono::seconds(23));

        const char* error = R"(<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <Error>
    <Type>Sender</Type>
    <Code>InvalidIdentityToken</Code>
    <Message>Couldn&apos;t retrieve verification key from your identity provider</Message>
  </Error>
  <RequestId>e5b4a2a3-0000-0000-0000-000000000000</RequestId>
</ErrorResponse>)";
        CHECK_FALSE(ba::sansio::parse_sts_credentials(error, c, why));
        CHECK(why == "STS error InvalidIdentityToken: Couldn't retrieve verification key from your identity provider");

        CHECK_FALSE(ba::sansio::parse_sts_credentials("<AssumeRoleWithWebIdentityResponse/>", c, why));
        CHECK(why == "STS answer has no AssumeRoleWithWebIdentityResult/Credentials");
        CHECK_FALSE(ba::sansio::parse_sts_credentials(
            "<AssumeRoleWithWebIdentityResponse><AssumeRoleWithWebIdentityResult><Credentials><AccessKeyId>A</AccessKeyId>"
            "</Credentials></AssumeRoleWithWebIdentityResult></AssumeRoleWithWebIdentityResponse>", c, why));
        CHECK(why == "STS answer lacks AccessKeyId, SecretAccessKey or SessionToken");
    }

    TEST_CASE("XML reader: text, references, CDATA, comments and PIs inside the element asked for")
    {
        CHECK(xml_at("<a><b>x</b></a>", {"a", "b"}) == "x");
        CHECK(xml_at("\xEF\xBB\xBF<?xml version='1.0'?><!-- c --><a/>", {"a"}) == "");
        CHECK(xml_at("<a><b>1</b><b>2</b></a>", {"a", "b"}) == "1");                    // the first one
        CHECK(xml_at("<a><c><b>no</b></c><b>yes</b></a>", {"a", "b"}) == "yes");        // by path, not by name
        CHECK(xml_at("<a x='1' y = \"&amp;2\" >t</a>", {"a"}) == "t");                   // attributes skipped
        CHECK(xml_at("<a>A&amp;B&#x41;&#66;<!--c--><?p?><![CDATA[<x>&amp;]]>&lt;&gt;&quot;&apos;</a>", {"a"}) ==
              "A&BAB<x>&amp;<>\"'");
        CHECK(xml_at("<a>&#xe9;&#x20AC;&#x1F600;</a>", {"a"}) == "\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80");
        CHECK(xml_at("<a>x<b>inner</b>y</a>", {"a"}) == "x");  // text after a child is not the element's first text
        CHECK(xml_at("<sts:a><b/></sts:a>", {"a"}) == "<not found>");  // a prefix is part of the name
    }

    TEST_CASE("XML reader: a document that is not well formed is refused, naming what and the byte")
    {
        const std::pair<const char*, const char*> bad[] = {
            {"", "no root element at byte 0"},
            {"  <!-- only a comment -->", "no root element at byte 25"},
            {"<unclosed", "unclosed start tag at byte 9"},
            {"<a>", "unclosed element at byte 3"},
            {"<a><b></a></b>", "an end tag that does not match its start tag at byte 6"},
            {"<a>&foo;</a>", "an unknown entity (only XML's five are defined) at byte 3"},
            {"<a>AT&T</a>", "'&' that starts no reference at byte 5"},
            {"<a>&#;</a>", "an empty character reference at byte 3"},
            {"<a>&#x1G;</a>", "a bad digit in a character reference at byte 3"},
            {"<a>&#0;</a>", "a character reference to a character XML does not allow at byte 3"},
            {"<a>&#xD800;</a>", "a character reference to a character XML does not allow at byte 3"},
            {"<a>&#x110000;</a>", "a character reference beyond Unicode at byte 3"},
            {"<!DOCTYPE a [<!ENTITY x 'y'>]><a>&x;</a>", "a DOCTYPE is not accepted at byte 0"},
            {"<a><!DOCTYPE a></a>", "a declaration inside an element at byte 3"},
            {"<a/><b/>", "a second root element at byte 4"},
            {"<a/>x", "text after the root element at byte 4"},
            {"x<a/>", "text before the root element at byte 0"},
            {"<a b='<'/>", "'<' in an attribute value at byte 6"},
            {"<a b=c/>", "a quoted attribute value was expected at byte 5"},
            {"<a b='1'c='2'/>", "a space was expected before an attribute at byte 8"},
            {"<a b/>", "'=' was expected after an attribute name at byte 4"},
            {"<a b='1/>", "unclosed attribute value at byte 5"},
            {"<a/ >", "'>' was expected after '/' at byte 2"},
            {"<a></a x>", "'>' was expected at byte 7"},
            {"<a><!-- x</a>", "unclosed comment at byte 3"},
            {"<a><![CDATA[x</a>", "unclosed CDATA section at byte 3"},
            {"<a><?pi</a>", "unclosed processing instruction at byte 3"},
            {"<1a/>", "a name was expected at byte 1"},
            {"<a></>", "a name was expected at byte 5"},
        };
        for (auto [doc, why] : bad) {
            CAPTURE(doc);
            bool ok = true;
            CHECK(xml_at(doc, {"a"}, &ok) == why);
            CHECK_FALSE(ok);
        }
        std::string deep;
        for (int i = 0; i < 300; ++i) deep += "<a>";
        bool ok = true;
        CHECK(xml_at(deep, {"a"}, &ok) == "elements nested too deep at byte 771");
        CHECK_FALSE(ok);
    }

    TEST_CASE("XML reader: 2,000 generated documents give back the values they were written from")
    {
        // The oracle is the writer: each value (any bytes XML allows, '<', '&', ']]>' and UTF-8
        // included) is escaped in one of several ways, and placed among comments, PIs, attributes,
        // sibling elements and whitespace; the reader must return it exactly.
        std::mt19937 rng(20261129);
        const std::vector<std::string> atoms{"a", "Z", "0", " ", "\t", "\n", "<", ">", "&", "\"", "'", "]]>", "]", "/",
                                             "=", "?", "!", "-", "\xC3\xA9", "\xE2\x82\xAC", "\xF0\x9F\x98\x80"};
        auto pick = [&](std::size_t n) { return std::uniform_int_distribution<std::size_t>(0, n - 1)(rng); };
        auto escape = [&](const std::string& v) {
            std::string out;
            for (unsigned char ch : v) {
                switch (pick(ch == '<' || ch == '&' ? 3 : 5)) {
                case 0: out += "&#" + std::to_string(ch) + ";"; break;  // bytes < 0x80 only reach here as themselves
                case 1: {
                    char hex[8];
                    std::snprintf(hex, sizeof hex, "&#x%X;", ch);
                    out += hex;
                    break;
                }
                case 2:
                    out += ch == '<' ? "&lt;" : ch == '&' ? "&amp;" : ch == '>' ? "&gt;" : ch == '"' ? "&quot;"
                         : ch == '\'' ? "&apos;" : std::string(1, static_cast<char>(ch));
                    break;
                default: out += static_cast<char>(ch);
                }
            }
            return out;
        };
        auto misc = [&] {  // what may stand beside the root element
            const char* n[] = {"", " ", "\n", "<!-- a <comment> & -->", "<?pi x?>"};
            return std::string(n[pick(5)]);
        };
        auto noise = [&] {
            const char* n[] = {"", " ", "\n  ", "<!-- a <comment> & -->", "<?pi x?>", "<other k='v &amp; w'>x &lt; y</other>",
                               "<empty/>"};
            return std::string(n[pick(7)]);
        };
        for (int i = 0; i < 2000; ++i) {
            std::string value;
            for (std::size_t k = pick(12); k > 0; --k) value += atoms[pick(atoms.size())];
            std::string encoded;
            bool ascii_only = true;
            for (unsigned char ch : value) ascii_only = ascii_only && ch < 0x80;
            if (value.find("]]>") == std::string::npos && pick(4) == 0) {
                encoded = "<![CDATA[" + value + "]]>";
            } else if (ascii_only) {
                encoded = escape(value);
            } else {  // UTF-8 bytes cannot be character references one by one: escape only the markup
                for (char ch : value)
                    encoded += ch == '<' ? std::string("&lt;") : ch == '&' ? std::string("&amp;") : std::string(1, ch);
            }
            std::string doc = (pick(2) ? "<?xml version=\"1.0\"?>" : "") + misc() + "<root xmlns=\"urn:x\">" + noise() +
                              "<mid a=\"1\">" + noise() + "<val>" + encoded + "</val>" + noise() + "</mid>" + noise() +
                              "</root>" + misc();
            CAPTURE(doc);
            // The value's own text: encoded may be split by a comment only between whole parts,
            // so no noise goes inside <val>.
            CHECK(xml_at(doc, {"root", "mid", "val"}) == value);
        }
    }
}

TEST_SUITE("config")
{
    // The chain's order and its fail-closed rule, against botocore's create_credential_resolver
    // (botocore/credentials.py): environment, assume role, web identity, SSO, the credentials
    // file's keys, credential_process, the config file's keys, container, instance metadata.
    TEST_CASE("credential chain: botocore's order, and the first configured provider decides")
    {
        using ba::detail::io_provider;
        test_util::temp_dir d;
        fake_env e;
        e.vars["AWS_CONFIG_FILE"] = d.write("config", "[default]\nregion = eu-west-1\ncredential_process = /bin/creds\n"
                                                      "aws_access_key_id = AKIDCONFIG\naws_secret_access_key = S\n");
        e.vars["AWS_SHARED_CREDENTIALS_FILE"] =
            d.write("credentials", "[default]\naws_access_key_id = AKIDFILE\naws_secret_access_key = SFILE\n");
        ba::client_params p;
        auto s = ba::detail::resolve_settings(p, e.get());
        REQUIRE_FALSE(s.ec);
        CHECK(s.creds->access_key_id == "AKIDFILE");

        // Web identity comes before the credentials file's static keys.
        e.vars["AWS_WEB_IDENTITY_TOKEN_FILE"] = "/var/run/token";
        e.vars["AWS_ROLE_ARN"] = "arn:aws:iam::123456789012:role/r";
        s = ba::detail::resolve_settings(p, e.get());
        REQUIRE_FALSE(s.ec);
        CHECK_FALSE(s.creds);
        CHECK(s.provider == io_provider::web_identity);
        CHECK(s.web_identity_token_file == "/var/run/token");
        // A token file without a role ARN is an error (botocore's InvalidConfigError), not a skip.
        e.vars.erase("AWS_ROLE_ARN");
        s = ba::detail::resolve_settings(p, e.get());
        CHECK(s.ec == ba::errc::invalid_configuration);
        CHECK(s.why.find("has no role ARN configured") != std::string::npos);
        e.vars.erase("AWS_WEB_IDENTITY_TOKEN_FILE");

        // Without the credentials file's keys: credential_process, before the config file's keys.
        e.vars["AWS_SHARED_CREDENTIALS_FILE"] = d.write("credentials2", "");
        s = ba::detail::resolve_settings(p, e.get());
        CHECK_FALSE(s.creds);
        CHECK(s.provider == io_provider::process);
        CHECK(s.credential_process == "/bin/creds");
        // Without credential_process: the config file's keys.
        e.vars["AWS_CONFIG_FILE"] = d.write("config2", "[default]\nregion = eu-west-1\naws_access_key_id = AKIDCONFIG\naws_secret_access_key = S\n");
        CHECK(ba::detail::resolve_settings(p, e.get()).creds->access_key_id == "AKIDCONFIG");
        // Nothing in the files: the container endpoint, then instance metadata, then nothing.
        e.vars["AWS_CONFIG_FILE"] = d.write("config3", "[default]\nregion = eu-west-1\n");
        CHECK(ba::detail::resolve_settings(p, e.get()).provider == io_provider::imds);
        e.vars["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"] = "/v2/credentials/x";
        CHECK(ba::detail::resolve_settings(p, e.get()).provider == io_provider::container);
        e.vars.erase("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
        e.vars["AWS_EC2_METADATA_DISABLED"] = "true";
        s = ba::detail::resolve_settings(p, e.get());
        CHECK(s.provider == io_provider::none);
        CHECK(s.providers_tried.find("instance metadata: disabled") != std::string::npos);
    }

    TEST_CASE("credential chain: the profile merges both files, as botocore's Session.full_config")
    {
        using ba::detail::io_provider;
        test_util::temp_dir d;
        fake_env e;
        e.vars["AWS_CONFIG_FILE"] = d.write("config", "[profile dev]\nregion = eu-west-1\n");
        e.vars["AWS_SHARED_CREDENTIALS_FILE"] =
            d.write("credentials", "[dev]\nregion = us-west-2\ncredential_process = /bin/from-credentials-file\n");
        ba::client_params p;
        p.profile = "dev";
        auto s = ba::detail::resolve_settings(p, e.get());
        REQUIRE_FALSE(s.ec);
        CHECK(s.region == "us-west-2");  // the credentials file's value wins
        CHECK(s.provider == io_provider::process);
        CHECK(s.credential_process == "/bin/from-credentials-file");
        // A web identity configured in the profile, in the credentials file.
        e.vars["AWS_SHARED_CREDENTIALS_FILE"] =
            d.write("credentials2", "[dev]\nweb_identity_token_file = /t\nrole_arn = arn:aws:iam::1:role/x\n");
        s = ba::detail::resolve_settings(p, e.get());
        CHECK(s.provider == io_provider::web_identity);
        CHECK(s.role_arn == "arn:aws:iam::1:role/x");
        // A profile named explicitly ignores the environment's web identity variables
        // (disable_env_vars), but the environment's win when the profile comes from AWS_PROFILE.
        e.vars["AWS_WEB_IDENTITY_TOKEN_FILE"] = "/env-token";
        e.vars["AWS_ROLE_ARN"] = "arn:aws:iam::2:role/env";
        CHECK(ba::detail::resolve_settings(p, e.get()).web_identity_token_file == "/t");
        p.profile.reset();
        e.vars["AWS_PROFILE"] = "dev";
        s = ba::detail::resolve_settings(p, e.get());
        CHECK(s.web_identity_token_file == "/env-token");
        CHECK(s.role_arn == "arn:aws:iam::2:role/env");
    }

    TEST_CASE("credential chain: partial keys, assume role and SSO are errors, never a fall-through")
    {
        using ba::detail::io_provider;
        test_util::temp_dir d;
        fake_env e;
        e.vars["AWS_CONFIG_FILE"] = d.write(
            "config",
            "[profile both]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = base\ncredential_source = Environment\n"
            "[profile neither]\nrole_arn = arn:aws:iam::1:role/r\n"
            "[profile chained]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = base\n"
            "[profile base]\naws_access_key_id = AKIDBASE\naws_secret_access_key = S\n"
            "[profile sso]\nsso_session = corp\nsso_account_id = 123456789012\nsso_role_name = Dev\n"
            "[profile login]\nlogin_session = arn:aws:iam::1:user/u\n"
            "[profile halfkey]\naws_access_key_id = AKIDHALF\n");
        e.vars["AWS_SHARED_CREDENTIALS_FILE"] = d.write("credentials", "[halfcred]\naws_access_key_id = AKIDHALF\n");
        e.vars["AWS_REGION"] = "us-east-1";
        // Environment: an access key without its secret (botocore's PartialCredentialsError).
        e.vars["AWS_ACCESS_KEY_ID"] = "AKIDENV";
        ba::client_params p;
        auto s = ba::detail::resolve_settings(p, e.get());
        CHECK(s.ec == ba::errc::no_credentials);
        CHECK(s.why == "Partial credentials found in env, missing: AWS_SECRET_ACCESS_KEY");
        e.vars.erase("AWS_ACCESS_KEY_ID");
        struct expect {
            const char* profile;
            ba::errc ec;
            const char* why;
        };
        for (auto [profile, ec, why] : {
                 expect{"both", ba::errc::invalid_configuration, "The profile \"both\" contains both source_profile and credential_source."},
                 expect{"neither", ba::errc::invalid_configuration, "Partial credentials found in assume-role, missing: source_profile or credential_source"},
                 expect{"chained", ba::errc::invalid_configuration, "The profile \"chained\" assumes a role (role_arn with source_profile)"},
                 expect{"sso", ba::errc::invalid_configuration, "The profile \"sso\" uses IAM Identity Center (sso_account_id)"},
                 expect{"login", ba::errc::invalid_configuration, "The profile \"login\" uses AWS sign-in (login_session)"},
                 expect{"halfkey", ba::errc::no_credentials, "Partial credentials found in config-file, missing: aws_secret_access_key"},
                 expect{"halfcred", ba::errc::no_credentials, "Partial credentials found in shared-credentials-file, missing: aws_secret_access_key"}}) {
            CAPTURE(profile);
            e.vars["AWS_PROFILE"] = profile;
            s = ba::detail::resolve_settings(p, e.get());
            CHECK(s.ec == ec);
            CHECK_MESSAGE(s.why.rfind(why, 0) == 0, s.why);
            CHECK_FALSE(s.creds);
            CHECK(s.provider == io_provider::none);
        }
        // The environment's keys still come first (botocore: EnvProvider before AssumeRoleProvider).
        e.vars["AWS_PROFILE"] = "sso";
        e.vars["AWS_ACCESS_KEY_ID"] = "AKIDENV";
        e.vars["AWS_SECRET_ACCESS_KEY"] = "SENV";
        s = ba::detail::resolve_settings(p, e.get());
        REQUIRE_FALSE(s.ec);
        CHECK(s.creds->access_key_id == "AKIDENV");
    }
}

TEST_SUITE("config")
{
    TEST_CASE("cached credentials: fresh, in the refresh window (used, refreshed in the background), expired")
    {
        using ba::sansio::freshness;
        using namespace std::chrono;
        const auto t = system_clock::time_point{} + hours(500000);
        const auto window = ba::sansio::refresh_window(30);
        CHECK(window == minutes(5) + seconds(30));
        CHECK(ba::sansio::refresh_window(-5) == minutes(5));
        CHECK(ba::sansio::refresh_window(99) == minutes(6));
        const std::optional<system_clock::time_point> exp = t + hours(1);
        CHECK(ba::sansio::freshness_at(exp, t, window) == freshness::fresh);
        CHECK(ba::sansio::freshness_at(exp, *exp - window - seconds(1), window) == freshness::fresh);
        CHECK(ba::sansio::freshness_at(exp, *exp - window, window) == freshness::refresh);
        CHECK(ba::sansio::freshness_at(exp, *exp - seconds(1), window) == freshness::refresh);
        CHECK(ba::sansio::freshness_at(exp, *exp, window) == freshness::expired);
        CHECK(ba::sansio::freshness_at(std::nullopt, t + hours(100000), window) == freshness::fresh);
    }

    TEST_CASE("IMDSv2's token answer decides: use it, fail, or fall back to IMDSv1 (botocore's rule)")
    {
        using ba::sansio::imds_token_outcome;
        using ba::sansio::imds_token_verdict;
        const boost::system::error_code none;
        const auto refused = make_error_code(boost::asio::error::connection_refused);
        const auto timeout = make_error_code(ba::errc::timeout);
        CHECK(imds_token_outcome(none, false, 200, false) == imds_token_verdict::use_token);
        CHECK(imds_token_outcome(none, false, 400, false) == imds_token_verdict::refused);
        for (unsigned status : {403u, 404u, 405u}) {
            CHECK(imds_token_outcome(none, false, status, false) == imds_token_verdict::try_v1);
            CHECK(imds_token_outcome(none, false, status, true) == imds_token_verdict::v1_disabled);
        }
        CHECK(imds_token_outcome(timeout, true, 0, false) == imds_token_verdict::try_v1);
        CHECK(imds_token_outcome(timeout, true, 0, true) == imds_token_verdict::v1_disabled);
        CHECK(imds_token_outcome(refused, false, 0, false) == imds_token_verdict::no_service);
        CHECK(imds_token_outcome(refused, false, 0, true) == imds_token_verdict::no_service);
    }
}
