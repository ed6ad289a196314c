// The default credential chain's I/O providers through the client: credential_process, the
// container endpoint and IMDSv2, with caching, single flight and refresh. Environment variables
// are set per test and restored after; every server is on loopback.
#include <bedrock_agent/bedrock_agent.hpp>
#include <bedrock_agent/impl/internal/io/credential_providers.hpp>

#include "common/io_util.hpp"
#include "common/test_util.hpp"
#include "output/json_output.hpp"
#include "local_endpoint/server.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>

#include <doctest/doctest.h>

#include <cstdlib>
#include <cerrno>
#include <filesystem>
#include <system_error>
#include <fstream>
#include <map>
#include <atomic>
#include <mutex>

namespace asio = boost::asio;
namespace ba = bedrock_agent;
namespace local = bedrock_agent::local;
using namespace std::chrono_literals;
using boost::system::error_code;

namespace {

using test_util::run;

const ba::stop_ingestion_job_request req{"KB12345678", "DS12345678", "IJ12345678"};

// Sets variables for one test; restores the old values after. Every chain-related variable is
// cleared first, so the machine's own configuration cannot leak in.
struct env_guard {
    std::map<std::string, std::optional<std::string>> saved;
    explicit env_guard(std::map<std::string, std::string> vars)
    {
        // Instance metadata stays off unless the test points it at its own loopback server.
        bool own_imds = vars.count("AWS_EC2_METADATA_SERVICE_ENDPOINT") > 0;
        for (const char* n : {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE",
                              "AWS_DEFAULT_PROFILE", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE",
                              "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI",
                              "AWS_CONTAINER_AUTHORIZATION_TOKEN", "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
                              "AWS_EC2_METADATA_DISABLED", "AWS_EC2_METADATA_SERVICE_ENDPOINT",
                              "AWS_EC2_METADATA_V1_DISABLED", "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_ENDPOINT_URL",
                              "AWS_ENDPOINT_URL_BEDROCK_AGENT", "AWS_CA_BUNDLE", "AWS_MAX_ATTEMPTS", "AWS_WEB_IDENTITY_TOKEN_FILE",
                              "AWS_ROLE_ARN", "AWS_ROLE_SESSION_NAME", "AWS_ENDPOINT_URL_STS"})
            vars.emplace(n, "");
        vars.emplace("AWS_CONFIG_FILE", "/nonexistent/config");
        vars.emplace("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/credentials");
        if (!own_imds) vars["AWS_EC2_METADATA_DISABLED"] = "true";
        for (auto& [k, v] : vars) {
            const char* old = std::getenv(k.c_str());
            saved[k] = old ? std::optional<std::string>(old) : std::nullopt;
            if (v.empty()) unsetenv(k.c_str());
            else setenv(k.c_str(), v.c_str(), 1);
        }
    }
    ~env_guard()
    {
        for (auto& [k, v] : saved) {
            if (v) setenv(k.c_str(), v->c_str(), 1);
            else unsetenv(k.c_str());
        }
    }
};

std::string iso(std::chrono::system_clock::time_point t)
{
    auto ms = std::chrono::time_point_cast<std::chrono::milliseconds>(t);
    return ba::programs::format_timestamp(ba::timestamp{ms.time_since_epoch()});
}

std::string creds_json(const std::string& ak, std::chrono::system_clock::time_point exp, bool process)
{
    return std::string("{") + (process ? "\"Version\": 1, " : "\"Code\": \"Success\", ") + "\"AccessKeyId\": \"" + ak +
           "\", \"SecretAccessKey\": \"S3CR3T\", \"" + (process ? "SessionToken" : "Token") +
           "\": \"TOK\", \"Expiration\": \"" + iso(exp) + "\"}";
}

struct recording_server {
    std::mutex m;
    std::vector<std::string> authorizations;
    local::server_thread st;
    recording_server()
        : st(plain(), [this](const local::request_type& r, const local::request_info&) {
              std::lock_guard g(m);
              authorizations.emplace_back(r[boost::beast::http::field::authorization]);
              local::reply rep;
              rep.status = 202;
              rep.body = R"({"ingestionJob":{"knowledgeBaseId":"KB12345678","dataSourceId":"DS12345678","ingestionJobId":"IJ12345678","status":"STOPPING","startedAt":"2026-01-01T00:00:00Z","updatedAt":"2026-01-01T00:00:00Z"}})";
              return rep;
          })
    {
    }
    static local::server_options plain()
    {
        local::server_options o;
        o.tls = false;
        return o;
    }
    std::string url() { return st.get().url(); }
    std::string last_key()
    {
        std::lock_guard g(m);
        if (authorizations.empty()) return {};
        auto& a = authorizations.back();
        auto at = a.find("Credential=") + 11;
        return a.substr(at, a.find('/', at) - at);
    }
};

ba::client_params params(const std::string& url)
{
    ba::client_params p;
    p.region = "us-east-1";
    p.endpoint_url = url;
    p.retry.max_attempts = 1;
    return p;
}

int count_lines(const std::string& path)
{
    std::ifstream f(path);
    int n = 0;
    for (std::string l; std::getline(f, l);) ++n;
    return n;
}

}  // namespace

TEST_SUITE("credentials")
{
    TEST_CASE("credential_process: success, and single flight for 1,000 concurrent callers")
    {
        recording_server srv;
        test_util::temp_dir d;
        auto script = d.write("proc.sh", "echo run >> " + d.p("count") + "\nsleep 0.2\necho '" +
                                            creds_json("AKIDPROCESS", std::chrono::system_clock::now() + 1h, true) + "'\n");
        auto config = d.write("config", "[default]\ncredential_process = sh " + script + "\n");
        env_guard env({{"AWS_CONFIG_FILE", config}});
        run([&](asio::io_context& io) -> asio::awaitable<void> {
            ba::client c(io.get_executor(), params(srv.url()));
            int done = 0, failed = 0;
            for (int i = 0; i < 1000; ++i)
                c.stop_ingestion_job(req, [&](error_code ec, auto) {
                    ++done;
                    failed += ec ? 1 : 0;
                });
            while (done < 1000) {
                asio::steady_timer t(io, 10ms);
                co_await t.async_wait(asio::use_awaitable);
            }
            CHECK(failed == 0);
            co_await c.stop_ingestion_job(req);  // cached: no new run
        });
        CHECK(count_lines(d.p("count")) == 1);
        CHECK(srv.last_key() == "AKIDPROCESS");
    }

    TEST_CASE("credential_process: a failure carries its stderr; bad output names the member")
    {
        test_util::temp_dir d;
        recording_server srv;
        for (auto [body, expected] :
             {std::pair<std::string, std::string>{"echo 'token expired, run aws sso login' >&2; exit 3",
                                                  "exited with status 3: token expired, run aws sso login"},
              {"echo '{\"Version\": 2}'", "Version must be 1"},
              {"echo '{\"Version\": 1, \"AccessKeyId\": \"A\"}'", "SecretAccessKey is missing"},
              {"echo 'not json'", "not valid JSON"},
              // (a here-document: dash's echo would turn \r\n into real bytes, making the JSON invalid)
              {"cat <<'E'\n{\"Version\": 1, \"AccessKeyId\": \"A\", \"SecretAccessKey\": \"S\", \"SessionToken\": \"T\\r\\nX-Evil: 1\"}\nE",
               "control character"}}) {
            CAPTURE(body);
            auto script = d.write("proc.sh", body + "\n");
            auto config = d.write("config", "[default]\ncredential_process = sh " + script + "\n");
            env_guard env({{"AWS_CONFIG_FILE", config}});
            run([&](asio::io_context& io) -> asio::awaitable<void> {
                ba::client c(io.get_executor(), params(srv.url()));
                ba::diagnostics diag;
                auto [ec, r] = co_await c.stop_ingestion_job(req, diag, asio::as_tuple(asio::use_awaitable));
                CHECK(ec == ba::errc::no_credentials);
                CHECK(diag.client_message().find(expected) != std::string::npos);
                CHECK(diag.client_message().find("credential_process") != std::string::npos);
            });
        }
        CHECK(srv.authorizations.empty());
    }

    TEST_CASE("refresh: inside the refresh window calls keep the old credentials while one refresh runs; a failed refresh keeps serving them")
    {
        recording_server srv;
        test_util::temp_dir d;
        // First run: credentials expiring in 3 minutes (inside the 5-6 minute window); later runs fail.
        auto script = d.write("proc.sh", "if [ -f " + d.p("ran") + " ]; then echo run >> " + d.p("count") +
                                            "; echo 'refresh failed' >&2; exit 1; fi\ntouch " + d.p("ran") + "\necho '" +
                                            creds_json("AKIDFIRST", std::chrono::system_clock::now() + 3min, true) + "'\n");
        auto config = d.write("config", "[default]\ncredential_process = sh " + script + "\n");
        env_guard env({{"AWS_CONFIG_FILE", config}});
        run([&](asio::io_context& io) -> asio::awaitable<void> {
            ba::client c(io.get_executor(), params(srv.url()));
            co_await c.stop_ingestion_job(req);
            CHECK(srv.last_key() == "AKIDFIRST");
            for (int i = 0; i < 3; ++i) {
                co_await c.stop_ingestion_job(req);  // served from the cache; a background refresh fails
                asio::steady_timer t(io, 100ms);
                co_await t.async_wait(asio::use_awaitable);
            }
            CHECK(srv.last_key() == "AKIDFIRST");
        });
        CHECK(count_lines(d.p("count")) >= 1);  // refreshes were attempted
        CHECK(count_lines(d.p("count")) <= 3);  // ... one at a time
    }

    TEST_CASE("credentials that arrive expired are not used, and are fetched again (botocore raises)")
    {
        recording_server srv;
        test_util::temp_dir d;
        auto script = d.write("proc.sh", "echo run >> " + d.p("count") + "\necho '" +
                                            creds_json("AKIDEXPIRED", std::chrono::system_clock::now() - 1min, true) + "'\n");
        auto config = d.write("config", "[default]\ncredential_process = sh " + script + "\n");
        env_guard env({{"AWS_CONFIG_FILE", config}});
        run([&](asio::io_context& io) -> asio::awaitable<void> {
            ba::client c(io.get_executor(), params(srv.url()));
            ba::diagnostics diag;
            auto [ec, r] = co_await c.stop_ingestion_job(req, diag, asio::as_tuple(asio::use_awaitable));
            CHECK(ec == ba::errc::no_credentials);
            CHECK_MESSAGE(diag.client_message().find("refreshed credentials are still expired") != std::string::npos,
                          diag.client_message());
            auto [ec2, r2] = co_await c.stop_ingestion_job(req, diag, asio::as_tuple(asio::use_awaitable));
            CHECK(ec2 == ba::errc::no_credentials);
        });
        CHECK(count_lines(d.p("count")) == 2);  // each call fetched again
        CHECK(srv.authorizations.empty());      // nothing was signed with them
    }

    TEST_CASE("container endpoint: FULL_URI on loopback, token file wins and is re-read")
    {
        recording_server srv;
        test_util::temp_dir d;
        std::mutex m;
        std::vector<std::string> auths;
        local::server_options o;
        o.tls = false;
        local::server_thread meta(o, [&](const local::request_type& r, const local::request_info&) {
            std::lock_guard g(m);
            auths.emplace_back(r[boost::beast::http::field::authorization]);
            local::reply rep;
            if (r.target() != "/v2/credentials" || r[boost::beast::http::field::accept] != "application/json") {
                rep.status = 404;
                return rep;
            }
            rep.status = 200;
            // Inside the refresh window (4 min left): each call starts a fetch (the second in the
            // background, while these still serve).
            rep.body = creds_json("AKIDCONTAINER", std::chrono::system_clock::now() + 4min, false);
            return rep;
        });
        auto token_file = d.write("token", "FILETOKEN1\n");
        env_guard env({{"AWS_CONTAINER_CREDENTIALS_FULL_URI", meta.get().url() + "/v2/credentials"},
                       {"AWS_CONTAINER_AUTHORIZATION_TOKEN", "ENVTOKEN"},
                       {"AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", token_file}});
        run([&](asio::io_context& io) -> asio::awaitable<void> {
            ba::client c(io.get_executor(), params(srv.url()));
            ba::diagnostics diag;
            auto [ec, r] = co_await c.stop_ingestion_job(req, diag, asio::as_tuple(asio::use_awaitable));
            (void)ec;
            d.write("token", "FILETOKEN2\n");
            auto [ec2, r2] = co_await c.stop_ingestion_job(req, diag, asio::as_tuple(asio::use_awaitable));
            (void)ec2;
        });
        REQUIRE(auths.size() == 2);
        CHECK(auths[0] == "FILETOKEN1");
        CHECK(auths[1] == "FILETOKEN2");
        CHECK(srv.last_key() == "AKIDCONTAINER");
    }

    TEST_CASE("container endpoint: a token file that is missing or over 1 MiB is named, and no request goes out")
    {
        recording_server srv;
        test_util::temp_dir d;
        std::atomic<int> hits{0};
        local::server_options o;
        o.tls = false;
        local::server_thread meta(o, [&](const local::request_type&, const local::request_info&) {
            ++hits;
            local::reply rep;
            rep.status = 200;
            rep.body = creds_json("AKIDCONTAINER", std::chrono::system_clock::now() + 1h, false);
            return rep;
        });
        std::string big(std::size_t{1} << 20, 'T');
        big += "\n";  // the limit counts the whole file, line end included
        auto token_file = d.write("token", big);
        env_guard env({{"AWS_CONTAINER_CREDENTIALS_FULL_URI", meta.get().url() + "/v2/credentials"},
                       {"AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", token_file}});
        // One call through a new client (credentials are fetched once per client): its error and message.
        auto call = [&] {
            std::pair<boost::system::error_code, std::string> out;
            run([&](asio::io_context& io) -> asio::awaitable<void> {
                ba::client c(io.get_executor(), params(srv.url()));
                ba::diagnostics diag;
                auto [ec, r] = co_await c.stop_ingestion_job(req, diag, asio::as_tuple(asio::use_awaitable));
                out = {ec, diag.client_message()};
            });
            return out;
        };
        auto [ec, why] = call();
        CHECK(ec == ba::errc::no_credentials);
        CHECK(why.find(token_file + ": larger than 1048576 bytes") != std::string::npos);
        CHECK(why.find("TTTT") == std::string::npos);
        std::filesystem::remove(token_file);
        std::tie(ec, why) = call();
        CHECK(ec == ba::errc::no_credentials);
        CHECK(why.find(token_file + ": no such regular file") != std::string::npos);
        std::filesystem::create_symlink(token_file, token_file);  // cannot be opened: ELOOP, named
        std::tie(ec, why) = call();
        CHECK(ec == ba::errc::no_credentials);
        CHECK(why.find(token_file + ": " + std::generic_category().message(ELOOP)) != std::string::npos);
        std::filesystem::remove(token_file);
        CHECK(hits == 0);
        // A token file within the limit is read, and the call succeeds (the exact bound is tested
        // on read_small_file: a megabyte of header is more than the metadata server takes).
        d.write("token", "FILETOKEN\n");
        CHECK_FALSE(call().first);
        CHECK(hits == 1);
        CHECK(srv.last_key() == "AKIDCONTAINER");
    }

    TEST_CASE("container endpoint: an https FULL_URI is verified (a self-signed server is refused)")
    {
        recording_server srv;
        std::atomic<int> hits{0};
        local::server_thread meta({}, [&](const local::request_type&, const local::request_info&) {
            ++hits;
            local::reply rep;
            rep.status = 200;
            rep.body = creds_json("AKIDTLS", std::chrono::system_clock::now() + 1h, false);
            return rep;
        });
        env_guard env({{"AWS_CONTAINER_CREDENTIALS_FULL_URI", meta.get().url() + "/creds"}});
        run([&](asio::io_context& io) -> asio::awaitable<void> {
            ba::client c(io.get_executor(), params(srv.url()));
            ba::diagnostics diag;
            auto [ec, r] = co_await c.stop_ingestion_job(req, diag, asio::as_tuple(asio::use_awaitable));
            CHECK(ec == ba::errc::no_credentials);
            CHECK(diag.client_message().find("container endpoint") != std::string::npos);
        });
        CHECK(hits == 0);  // the TLS handshake failed: no request went out
    }

    TEST_CASE("container endpoint: plain http to a host outside the allow-list is refused without a connection")
    {
        recording_server srv;
        env_guard env(std::map<std::string, std::string>{{"AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://192.0.2.10/creds"}});
        run([&](asio::io_context& io) -> asio::awaitable<void> {
            ba::client c(io.get_executor(), params(srv.url()));
            ba::diagnostics diag;
            auto [ec, r] = co_await c.stop_ingestion_job(req, diag, asio::as_tuple(asio::use_awaitable));
            CHECK(ec == ba::errc::no_credentials);
            CHECK(diag.client_message().find("allowed only for loopback") != std::string::npos);
        });
    }

    TEST_CASE("IMDSv2: token, role, credentials; IMDSv1 fallback when the token PUT is refused")
    {
        recording_server srv;
        for (bool v2 : {true, false}) {
            CAPTURE(v2);
            std::mutex m;
            std::vector<std::string> seen;
            local::server_options o;
            o.tls = false;
            local::server_thread imds(o, [&](const local::request_type& r, const local::request_info&) {
                std::lock_guard g(m);
                std::string t(r.target());
                seen.push_back(std::string(r.method_string()) + " " + t + " token=" +
                               std::string(r["x-aws-ec2-metadata-token"]));
                local::reply rep;
                if (t == "/latest/api/token" && r.method() == boost::beast::http::verb::put) {
                    rep.status = v2 && r["x-aws-ec2-metadata-token-ttl-seconds"] == "21600" ? 200 : 403;
                    rep.body = "TOKEN123";
                } else if (t == "/latest/meta-data/iam/security-credentials/") {
                    rep.status = 200;
                    rep.body = "my-role";
                } else if (t == "/latest/meta-data/iam/security-credentials/my-role") {
                    rep.status = 200;
                    rep.body = creds_json("AKIDIMDS", std::chrono::system_clock::now() + 6h, false);
                } else {
                    rep.status = 404;
                }
                return rep;
            });
            env_guard env({{"AWS_EC2_METADATA_SERVICE_ENDPOINT", imds.get().url()}});
            run([&](asio::io_context& io) -> asio::awaitable<void> {
                ba::client c(io.get_executor(), params(srv.url()));
                co_await c.stop_ingestion_job(req);
            });
            CHECK(srv.last_key() == "AKIDIMDS");
            REQUIRE(seen.size() == 3);
            if (v2) {
                CHECK(seen[1] == "GET /latest/meta-data/iam/security-credentials/ token=TOKEN123");
                CHECK(seen[2] == "GET /latest/meta-data/iam/security-credentials/my-role token=TOKEN123");
            } else {
                CHECK(seen[1] == "GET /latest/meta-data/iam/security-credentials/ token=");
            }
        }
    }

    TEST_CASE("nothing anywhere: the error lists the providers tried")
    {
        recording_server srv;
        env_guard env(std::map<std::string, std::string>{});
        run([&](asio::io_context& io) -> asio::awaitable<void> {
            ba::client c(io.get_executor(), params(srv.url()));
            ba::diagnostics diag;
            auto [ec, r] = co_await c.stop_ingestion_job(req, diag, asio::as_tuple(asio::use_awaitable));
            CHECK(ec == ba::errc::no_credentials);
            for (const char* p : {"environment", "shared credentials file", "credential_process", "container endpoint",
                                  "instance metadata: disabled"})
                CHECK_MESSAGE(diag.client_message().find(p) != std::string::npos, diag.client_message());
        });
    }
}

TEST_SUITE("credentials")
{
    TEST_CASE("web identity: STS AssumeRoleWithWebIdentity on loopback (AWS_ENDPOINT_URL_STS), XML parsed")
    {
        recording_server srv;
        test_util::temp_dir d;
        for (bool ok : {true, false}) {
            CAPTURE(ok);
            std::mutex m;
            std::string body_seen;
            local::server_options o;
            o.tls = false;
            local::server_thread sts(o, [&](const local::request_type& r, const local::request_info&) {
                std::lock_guard g(m);
                body_seen = r.body();
                local::reply rep;
                rep.headers = {{"Content-Type", "text/xml"}};
                if (ok) {
                    rep.status = 200;
                    rep.body = "<AssumeRoleWithWebIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">"
                               "<AssumeRoleWithWebIdentityResult><Credentials><AccessKeyId>AKIDWEBID</AccessKeyId>"
                               "<SecretAccessKey>S</SecretAccessKey><SessionToken>T</SessionToken>"
                               "<Expiration>" + iso(std::chrono::system_clock::now() + 1h) + "</Expiration>"
                               "</Credentials></AssumeRoleWithWebIdentityResult></AssumeRoleWithWebIdentityResponse>";
                } else {
                    rep.status = 400;
                    rep.body = "<ErrorResponse><Error><Type>Sender</Type><Code>InvalidIdentityToken</Code>"
                               "<Message>Token expired</Message></Error></ErrorResponse>";
                }
                return rep;
            });
            auto token = d.write("token", "eyJ.web.identity.token\n");
            env_guard env({{"AWS_WEB_IDENTITY_TOKEN_FILE", token},
                           {"AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/r"},
                           {"AWS_ROLE_SESSION_NAME", "sess"},
                           {"AWS_ENDPOINT_URL_STS", sts.get().url()}});
            run([&](asio::io_context& io) -> asio::awaitable<void> {
                ba::client c(io.get_executor(), params(srv.url()));
                ba::diagnostics diag;
                auto [ec, r] = co_await c.stop_ingestion_job(req, diag, asio::as_tuple(asio::use_awaitable));
                if (ok) {
                    CHECK_FALSE(ec);
                } else {
                    CHECK(ec == ba::errc::no_credentials);
                    CHECK(diag.client_message().find("STS error InvalidIdentityToken: Token expired") != std::string::npos);
                    CHECK(diag.client_message().find("eyJ") == std::string::npos);  // the token is a secret
                }
            });
            CHECK(body_seen.find("Action=AssumeRoleWithWebIdentity") != std::string::npos);
            CHECK(body_seen.find("RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fr") != std::string::npos);
            CHECK(body_seen.find("WebIdentityToken=eyJ.web.identity.token") != std::string::npos);
            if (ok) CHECK(srv.last_key() == "AKIDWEBID");
        }
    }

    TEST_CASE("web identity over https: STS is verified against AWS_CA_BUNDLE, as botocore's STS client is")
    {
        recording_server srv;
        test_util::temp_dir d;
        local::server_thread sts({}, [&](const local::request_type&, const local::request_info&) {
            local::reply rep;
            rep.status = 200;
            rep.headers = {{"Content-Type", "text/xml"}};
            rep.body = "<AssumeRoleWithWebIdentityResponse><AssumeRoleWithWebIdentityResult><Credentials>"
                       "<AccessKeyId>AKIDSTSTLS</AccessKeyId><SecretAccessKey>S</SecretAccessKey>"
                       "<SessionToken>T</SessionToken></Credentials></AssumeRoleWithWebIdentityResult>"
                       "</AssumeRoleWithWebIdentityResponse>";
            return rep;
        });
        auto ca = d.path / "sts-ca.pem";
        sts.get().identity().write_ca_file(ca.string());
        auto token = d.write("token", "eyJ.web.identity.token");
        // (CA bundle, expected outcome): the server's CA; none (the system store does not know
        // this self-signed server); a file that does not exist.
        for (std::string bundle : {ca.string(), std::string(), (d.path / "missing.pem").string()}) {
            CAPTURE(bundle);
            env_guard env({{"AWS_WEB_IDENTITY_TOKEN_FILE", token},
                           {"AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/r"},
                           {"AWS_ENDPOINT_URL_STS", sts.get().url()},
                           {"AWS_CA_BUNDLE", bundle}});
            REQUIRE(sts.get().url().rfind("https://", 0) == 0);
            run([&](asio::io_context& io) -> asio::awaitable<void> {
                ba::client c(io.get_executor(), params(srv.url()));  // plain http: the bundle is STS's business here
                ba::diagnostics diag;
                auto [ec, r] = co_await c.stop_ingestion_job(req, diag, asio::as_tuple(asio::use_awaitable));
                if (bundle == ca.string()) {
                    CHECK_FALSE(ec);
                } else {
                    CHECK(ec == ba::errc::no_credentials);
                    if (bundle.empty())
                        CHECK(diag.client_message().find("TLS handshake with ") != std::string::npos);
                    else
                        CHECK(diag.client_message().find("cannot read the CA bundle " + bundle) != std::string::npos);
                }
            });
            if (bundle == ca.string()) CHECK(srv.last_key() == "AKIDSTSTLS");
        }
    }

    // The credential endpoints' requests go through the client's own connection code
    // (detail::simple_request over detail::exchange); these check what that code adds.

    TEST_CASE("credential endpoint requests: the bytes sent (Content-Length as Beast's prepare_payload set it; CR/LF refused)")
    {
        namespace http = boost::beast::http;
        using headers = std::vector<std::pair<std::string, std::string>>;
        const headers ttl{{"x-aws-ec2-metadata-token-ttl-seconds", "21600"}};
        CHECK(ba::detail::simple_request_bytes(http::verb::put, "/latest/api/token", "169.254.169.254", ttl, "") ==
              "PUT /latest/api/token HTTP/1.1\r\nHost: 169.254.169.254\r\nUser-Agent: bedrock-agent-asio/" BEDROCK_AGENT_VERSION_STRING
              "\r\nx-aws-ec2-metadata-token-ttl-seconds: 21600\r\nContent-Length: 0\r\n\r\n");
        CHECK(ba::detail::simple_request_bytes(http::verb::get, "/creds", "127.0.0.1:8080", {}, "") ==
              "GET /creds HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nUser-Agent: bedrock-agent-asio/" BEDROCK_AGENT_VERSION_STRING "\r\n\r\n");
        auto post = ba::detail::simple_request_bytes(http::verb::post, "/", "sts.amazonaws.com", {}, "Action=X");
        CHECK(post.find("\r\nContent-Length: 8\r\n\r\nAction=X") != std::string::npos);
        CHECK(ba::detail::simple_request_bytes(http::verb::get, "/", "h", headers{{"Authorization", "a\r\nX-Injected: 1"}}, "").empty());
    }

    TEST_CASE("credential endpoint requests: an IPv6 host goes in brackets in the Host header (IMDS's fd00:ec2::254)")
    {
        std::string host_seen;
        std::mutex m;
        local::server_options o = recording_server::plain();
        o.address = "::1";
        std::unique_ptr<local::server_thread> meta;
        try {
            meta = std::make_unique<local::server_thread>(o, [&](const local::request_type& r, const local::request_info&) {
                std::lock_guard g(m);
                host_seen = std::string(r[boost::beast::http::field::host]);
                local::reply rep;
                rep.status = 200;
                rep.body = "ok";
                return rep;
            });
        } catch (const std::exception& e) {
            // Written reason: some CI containers have no IPv6 loopback; the bytes are checked below anyway.
            MESSAGE("IPv6 loopback unavailable, the exchange part is not run: " << e.what());
        }
        if (meta) {
            auto url = meta->get().url();
            auto port = static_cast<std::uint16_t>(std::stoi(url.substr(url.rfind(':') + 1)));
            run([&](asio::io_context& io) -> asio::awaitable<void> {
                const std::vector<std::pair<std::string, std::string>> no_headers;
                auto r = co_await ba::detail::simple_request(io.get_executor(), "::1", port, false,
                                                             boost::beast::http::verb::get, "/latest/meta-data/", no_headers,
                                                             std::string(), 5s, std::string());
                CHECK_FALSE(r.ec);
                CHECK(r.body == "ok");
            });
            std::lock_guard g(m);
            CHECK(host_seen == "[::1]:" + std::to_string(port));
        }
    }

    TEST_CASE("credential endpoint requests: one deadline bounds the whole request (a server that accepts and never answers)")
    {
        run([&](asio::io_context& io) -> asio::awaitable<void> {
            asio::ip::tcp::acceptor acc(io, asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
            asio::ip::tcp::socket held(io);
            acc.async_accept(held, [](error_code) {});  // accepted, then silence
            auto port = acc.local_endpoint().port();
            auto t0 = std::chrono::steady_clock::now();
            // (Named arguments: GCC 12 mishandles braced lists as coroutine call arguments.)
            const std::vector<std::pair<std::string, std::string>> no_headers;
            auto r = co_await ba::detail::simple_request(io.get_executor(), "127.0.0.1", port, false,
                                                         boost::beast::http::verb::get, "/creds", no_headers,
                                                         std::string(), 300ms, std::string());
            auto took = std::chrono::steady_clock::now() - t0;
            CHECK(r.ec == ba::errc::timeout);
            CHECK(took >= 250ms);
            CHECK(took < 2s);
        });
    }

    TEST_CASE("credential endpoint requests: the answer is read to its end, and a body over 64 KiB is refused")
    {
        for (std::size_t size : {std::size_t(1000), std::size_t(64 * 1024), std::size_t(64 * 1024 + 1)}) {
            CAPTURE(size);
            local::server_thread meta(recording_server::plain(), [&](const local::request_type&, const local::request_info&) {
                local::reply rep;
                rep.status = 200;
                rep.body = std::string(size, 'x');
                return rep;
            });
            auto port = static_cast<std::uint16_t>(std::stoi(meta.get().url().substr(meta.get().url().rfind(':') + 1)));
            run([&](asio::io_context& io) -> asio::awaitable<void> {
                const std::vector<std::pair<std::string, std::string>> no_headers;
                auto r = co_await ba::detail::simple_request(io.get_executor(), "127.0.0.1", port, false,
                                                             boost::beast::http::verb::get, "/creds", no_headers,
                                                             std::string(), 5s, std::string());
                if (size <= 64 * 1024) {
                    CHECK_FALSE(r.ec);
                    CHECK(r.status == 200);
                    CHECK(r.body == std::string(size, 'x'));
                } else {
                    CHECK(r.ec == boost::beast::http::error::body_limit);
                }
            });
        }
    }
}

// A configured provider that fails ends the chain (botocore's credentials.py: the web identity,
// container and process providers raise; CredentialResolver.load_credentials does not catch it).
// Falling through to instance metadata would run the call as another principal: on EKS, the
// node's instance role.
namespace {

/// An IMDS on loopback that hands out AKIDIMDS, counting the requests it sees.
struct answering_imds {
    std::atomic<int> requests{0};
    local::server_thread st;
    answering_imds()
        : st(recording_server::plain(), [this](const local::request_type& r, const local::request_info&) {
              ++requests;
              std::string t(r.target());
              local::reply rep;
              rep.status = 200;
              if (t == "/latest/api/token") rep.body = "TOKEN";
              else if (t == "/latest/meta-data/iam/security-credentials/") rep.body = "node-role";
              else rep.body = creds_json("AKIDIMDS", std::chrono::system_clock::now() + 6h, false);
              return rep;
          })
    {
    }
};

/// One call through a fresh client with the current environment: its error and client_message().
std::pair<error_code, std::string> call_once(recording_server& srv)
{
    std::pair<error_code, std::string> out;
    run([&](asio::io_context& io) -> asio::awaitable<void> {
        ba::client c(io.get_executor(), params(srv.url()));
        ba::diagnostics diag;
        auto [ec, r] = co_await c.stop_ingestion_job(req, diag, asio::as_tuple(asio::use_awaitable));
        out = {ec, diag.client_message()};
    });
    return out;
}

}  // namespace

TEST_SUITE("credentials")
{
    TEST_CASE("web identity that fails ends the chain: instance metadata is never asked")
    {
        recording_server srv;
        answering_imds imds;
        test_util::temp_dir d;
        local::server_options o;
        o.tls = false;
        local::server_thread sts(o, [&](const local::request_type&, const local::request_info&) {
            local::reply rep;
            rep.status = 403;
            rep.body = "<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code>"
                       "<Message>Not authorized to perform sts:AssumeRoleWithWebIdentity</Message></Error></ErrorResponse>";
            return rep;
        });
        auto token = d.write("token", "eyJ.web.identity.token");
        // (what goes wrong): STS refuses; the token file is missing; STS is not there at all.
        for (int fault : {0, 1, 2}) {
            CAPTURE(fault);
            std::string sts_url = fault == 2 ? "http://127.0.0.1:1" : sts.get().url();
            env_guard env({{"AWS_WEB_IDENTITY_TOKEN_FILE", fault == 1 ? (d.path / "missing").string() : token},
                           {"AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/r"},
                           {"AWS_ENDPOINT_URL_STS", sts_url},
                           {"AWS_EC2_METADATA_SERVICE_ENDPOINT", imds.st.get().url()}});
            auto [ec, message] = call_once(srv);
            CHECK(ec == ba::errc::no_credentials);
            CHECK_MESSAGE(message.find("web identity") != std::string::npos, message);
            if (fault == 0)
                CHECK_MESSAGE(message.find("AccessDenied") != std::string::npos, message);
            CHECK(imds.requests == 0);
            CHECK(srv.last_key().empty());  // no request went to the service
        }
    }

    TEST_CASE("a container endpoint that fails ends the chain: instance metadata is never asked")
    {
        recording_server srv;
        answering_imds imds;
        local::server_options o;
        o.tls = false;
        local::server_thread container(o, [&](const local::request_type&, const local::request_info&) {
            local::reply rep;
            rep.status = 500;
            rep.body = "{\"Code\":\"InternalError\"}";
            return rep;
        });
        env_guard env({{"AWS_CONTAINER_CREDENTIALS_FULL_URI", container.get().url() + "/creds"},
                       {"AWS_EC2_METADATA_SERVICE_ENDPOINT", imds.st.get().url()}});
        auto [ec, message] = call_once(srv);
        CHECK(ec == ba::errc::no_credentials);
        CHECK_MESSAGE(message.find("container endpoint: HTTP 500") != std::string::npos, message);
        CHECK(imds.requests == 0);
        CHECK(srv.last_key().empty());
    }

    TEST_CASE("a web identity token file without a role ARN is invalid_configuration, not a fall-through")
    {
        recording_server srv;
        answering_imds imds;
        test_util::temp_dir d;
        env_guard env({{"AWS_WEB_IDENTITY_TOKEN_FILE", d.write("token", "eyJ.t")},
                       {"AWS_EC2_METADATA_SERVICE_ENDPOINT", imds.st.get().url()}});
        auto [ec, message] = call_once(srv);
        CHECK(ec == ba::errc::invalid_configuration);
        CHECK_MESSAGE(message.find("no role ARN configured") != std::string::npos, message);
        CHECK(imds.requests == 0);
    }

    TEST_CASE("a profile that assumes a role or uses SSO is a clear error, not a fall-through to instance metadata")
    {
        recording_server srv;
        answering_imds imds;
        test_util::temp_dir d;
        auto config = d.write("config",
                              "[profile ar]\nrole_arn = arn:aws:iam::123456789012:role/r\nsource_profile = base\n"
                              "[profile base]\naws_access_key_id = AKIDBASE\naws_secret_access_key = S\n"
                              "[profile sso]\nsso_start_url = https://example.awsapps.com/start\nsso_region = us-east-1\n"
                              "sso_account_id = 123456789012\nsso_role_name = Dev\n");
        for (std::string profile : {"ar", "sso"}) {
            CAPTURE(profile);
            env_guard env({{"AWS_CONFIG_FILE", config}, {"AWS_PROFILE", profile},
                           {"AWS_EC2_METADATA_SERVICE_ENDPOINT", imds.st.get().url()}});
            auto [ec, message] = call_once(srv);
            CHECK(ec == ba::errc::invalid_configuration);
            CHECK_MESSAGE(message.find("profile \"" + profile + "\"") != std::string::npos,
                          message);
        }
        CHECK(imds.requests == 0);
        CHECK(srv.last_key().empty());
    }
}

TEST_SUITE("credentials")
{
    TEST_CASE("request targets from the environment or an answer are checked: no CR, LF, space or control byte")
    {
        recording_server srv;
        // AWS_CONTAINER_CREDENTIALS_RELATIVE_URI with a header injected: refused, naming the
        // variable and the byte, before any connection (169.254.170.2 is never dialled).
        for (std::string rel : {std::string("/v2/creds\r\nX-Injected: 1"), std::string("/v2/creds x"), std::string("/v2/\x01"), std::string("v2/creds")}) {
            CAPTURE(rel);
            env_guard env({{"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", rel}});
            auto [ec, message] = call_once(srv);
            CHECK(ec == ba::errc::no_credentials);
            CHECK_MESSAGE(message.find("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI") != std::string::npos, message);
        }
        // An instance metadata service that answers a role name which would change the next
        // request's target: refused, and the credentials request never goes out.
        for (std::string role : {"evil role", "evil\r", "../../latest/api/token", "r?x=1"}) {
            CAPTURE(role);
            std::atomic<int> requests{0};
            local::server_options o;
            o.tls = false;
            local::server_thread imds(o, [&](const local::request_type& r, const local::request_info&) {
                ++requests;
                local::reply rep;
                rep.status = 200;
                rep.body = std::string(r.target()) == "/latest/api/token" ? "TOKEN" : role;
                return rep;
            });
            env_guard env({{"AWS_EC2_METADATA_SERVICE_ENDPOINT", imds.get().url()}});
            auto [ec, message] = call_once(srv);
            CHECK(ec == ba::errc::no_credentials);
            CHECK_MESSAGE(message.find("the role name holds a character IAM does not allow") != std::string::npos, message);
            CHECK(requests == 2);  // the token and the role name, not the credentials
        }
        CHECK(srv.last_key().empty());
    }
}

TEST_SUITE("credentials")
{
    TEST_CASE("the shared fetch belongs to the cache: a cancelled caller gets operation_aborted, the others their credentials")
    {
        recording_server srv;
        test_util::temp_dir d;
        auto script = d.write("proc.sh", "echo run >> " + d.p("count") + "\nsleep 2\necho '" +
                                            creds_json("AKIDSHARED", std::chrono::system_clock::now() + 1h, true) + "'\n");
        auto config = d.write("config", "[default]\ncredential_process = sh " + script + "\n");
        env_guard env({{"AWS_CONFIG_FILE", config}});
        run([&](asio::io_context& io) -> asio::awaitable<void> {
            ba::client c(io.get_executor(), params(srv.url()));
            asio::cancellation_signal cancel_first;
            std::optional<error_code> first, second;
            // The first caller starts the fetch; the second waits for it.
            c.stop_ingestion_job(req, asio::bind_cancellation_slot(cancel_first.slot(), [&](error_code ec, auto) { first = ec; }));
            c.stop_ingestion_job(req, [&](error_code ec, auto) { second = ec; });
            asio::steady_timer t(io, 100ms);
            co_await t.async_wait(asio::use_awaitable);
            cancel_first.emit(asio::cancellation_type::terminal);
            while (!first || !second) {
                t.expires_after(10ms);
                co_await t.async_wait(asio::use_awaitable);
            }
            CHECK(*first == asio::error::operation_aborted);
            CHECK_FALSE(*second);
        });
        CHECK(srv.last_key() == "AKIDSHARED");
        CHECK(srv.authorizations.size() == 1);
        CHECK(count_lines(d.p("count")) == 1);
    }

    TEST_CASE("a waiter destroyed with its client gets operation_aborted, not a timeout")
    {
        recording_server srv;
        test_util::temp_dir d;
        auto script = d.write("proc.sh", "sleep 2\necho '" +
                                            creds_json("AKIDLATE", std::chrono::system_clock::now() + 1h, true) + "'\n");
        auto config = d.write("config", "[default]\ncredential_process = sh " + script + "\n");
        env_guard env({{"AWS_CONFIG_FILE", config}});
        run([&](asio::io_context& io) -> asio::awaitable<void> {
            std::optional<error_code> a, b;
            {
                ba::client c(io.get_executor(), params(srv.url()));
                c.stop_ingestion_job(req, [&](error_code ec, auto) { a = ec; });
                c.stop_ingestion_job(req, [&](error_code ec, auto) { b = ec; });
                asio::steady_timer t(io, 100ms);
                co_await t.async_wait(asio::use_awaitable);
            }  // the client goes while both wait for the fetch
            asio::steady_timer t(io, 10ms);
            while (!a || !b) {
                t.expires_after(10ms);
                co_await t.async_wait(asio::use_awaitable);
            }
            CHECK(*a == asio::error::operation_aborted);
            CHECK(*b == asio::error::operation_aborted);
        });
        CHECK(srv.authorizations.empty());
    }

    TEST_CASE("credentials are read again before each attempt: a retry signs with the refreshed ones")
    {
        test_util::temp_dir d;
        // First run: AKIDOLD, expiring 3 s from now; later runs: AKIDNEW for an hour.
        auto script = d.write("proc.sh", "if [ -f " + d.p("ran") + " ]; then echo '" +
                                             creds_json("AKIDNEW", std::chrono::system_clock::now() + 1h, true) +
                                             "'; exit 0; fi\ntouch " + d.p("ran") + "\necho '" +
                                             creds_json("AKIDOLD", std::chrono::system_clock::now() + 3s, true) + "'\n");
        auto config = d.write("config", "[default]\ncredential_process = sh " + script + "\n");
        std::mutex m;
        std::vector<std::string> keys;
        local::server_options o;
        o.tls = false;
        // The first attempt is answered 503 after 4 s, when AKIDOLD has expired: the retry must
        // fetch and sign with AKIDNEW.
        local::server_thread st(o, [&](const local::request_type& r, const local::request_info&) {
            std::lock_guard g(m);
            std::string a(r[boost::beast::http::field::authorization]);
            auto at = a.find("Credential=") + 11;
            keys.push_back(a.substr(at, a.find('/', at) - at));
            local::reply rep;
            if (keys.size() == 1) {
                rep.status = 503;
                rep.delay = 4s;
                rep.body = "{\"message\":\"busy\"}";
                rep.headers = {{"X-Amzn-ErrorType", "ServiceUnavailableException"}};
            } else {
                rep.status = 202;
                rep.body = R"({"ingestionJob":{"knowledgeBaseId":"KB12345678","dataSourceId":"DS12345678","ingestionJobId":"IJ12345678","status":"STOPPING","startedAt":"2026-01-01T00:00:00Z","updatedAt":"2026-01-01T00:00:00Z"}})";
            }
            return rep;
        });
        env_guard env({{"AWS_CONFIG_FILE", config}});
        run([&](asio::io_context& io) -> asio::awaitable<void> {
            auto p = params(st.get().url());
            p.retry.max_attempts = 2;
            p.retry.base_delay = 1ms;
            ba::client c(io.get_executor(), p);
            ba::diagnostics diag;
            auto [ec, r] = co_await c.stop_ingestion_job(req, diag, asio::as_tuple(asio::use_awaitable));
            CHECK_MESSAGE(!ec, diag.client_message());
        });
        REQUIRE(keys.size() == 2);
        CHECK(keys[0] == "AKIDOLD");
        CHECK(keys[1] == "AKIDNEW");
    }

    TEST_CASE("operation_timeout bounds the wait for credentials: nothing is written after it, even on an idle connection")
    {
        recording_server srv;
        test_util::temp_dir d;
        // First run: credentials that expire 2 to 3 s later (whole seconds: never expired as they
        // arrive, which would make the first call fail); the second run takes 8 s.
        auto script = d.write("proc.sh", "if [ -f " + d.p("ran") + " ]; then sleep 8; fi\ntouch " + d.p("ran") +
                                             "\necho '{\"Version\": 1, \"AccessKeyId\": \"AKIDSHORT\", \"SecretAccessKey\": \"S\", "
                                             "\"Expiration\": \"'$(date -u -d '+3 seconds' +%Y-%m-%dT%H:%M:%SZ)'\"}'\n");
        auto config = d.write("config", "[default]\ncredential_process = sh " + script + "\n");
        env_guard env({{"AWS_CONFIG_FILE", config}});
        run([&](asio::io_context& io) -> asio::awaitable<void> {
            auto p = params(srv.url());
            p.operation_timeout = 2s;  // the first call (a shell run and a request) fits with a 10x margin
            ba::client c(io.get_executor(), p);
            ba::diagnostics diag;
            auto [ec, r] = co_await c.stop_ingestion_job(req, diag, asio::as_tuple(asio::use_awaitable));
            REQUIRE_MESSAGE(!ec, diag.client_message());  // a connection is now idle in the pool
            asio::steady_timer t(io, 3100ms);  // past the credentials' expiration (at most 3 s away)
            co_await t.async_wait(asio::use_awaitable);
            auto began = std::chrono::steady_clock::now();
            auto [ec2, r2] = co_await c.stop_ingestion_job(req, diag, asio::as_tuple(asio::use_awaitable));
            CHECK(ec2 == ba::errc::timeout);
            CHECK_MESSAGE(diag.client_message().find("waiting for credentials") != std::string::npos, diag.client_message());
            CHECK(std::chrono::steady_clock::now() - began < 5s);  // the 8 s fetch was not waited for
        });
        CHECK(srv.authorizations.size() == 1);
    }
}

namespace {

// A provider that throws after a short wait, then (on later fetches) answers.
asio::awaitable<ba::detail::fetch_result> throwing_then_answering(asio::any_io_executor ex, int* runs)
{
    ++*runs;
    asio::steady_timer t(ex, 50ms);
    co_await t.async_wait(asio::use_awaitable);
    if (*runs == 1) throw std::runtime_error("provider blew up");
    ba::detail::fetch_result r;
    r.creds = ba::credentials{"AKIDAFTER", "S", "", {}};
    co_return r;
}

}  // namespace

TEST_SUITE("credentials")
{
    TEST_CASE("an exception inside a fetch completes every waiter with an error and clears the in-flight flag")
    {
        int runs = 0;
        ba::detail::chain_config cfg;
        cfg.fetch_override = [&runs](asio::any_io_executor ex) { return throwing_then_answering(ex, &runs); };
        run([&](asio::io_context& io) -> asio::awaitable<void> {
            auto cache = std::make_shared<ba::detail::credentials_cache>(io.get_executor(), cfg, std::string());
            auto deadline = std::chrono::steady_clock::now() + 10s;
            std::vector<ba::detail::cached_credentials> got(3);
            int done = 0;
            for (auto& g : got)
                asio::co_spawn(io, ba::detail::credentials_cache::get(cache, deadline), [&](std::exception_ptr e, ba::detail::cached_credentials r) {
                    CHECK_FALSE(e);
                    g = std::move(r);
                    ++done;
                });
            asio::steady_timer t(io);
            while (done < 3) {
                t.expires_after(10ms);
                co_await t.async_wait(asio::use_awaitable);
            }
            for (auto& g : got) {
                CHECK(g.ec == ba::errc::no_credentials);
                CHECK_MESSAGE(g.why.find("provider blew up") != std::string::npos, g.why);
            }
            // Not stuck "fetching": the next caller starts a new fetch, which answers.
            auto again = co_await ba::detail::credentials_cache::get(cache, deadline);
            CHECK_FALSE(again.ec);
            REQUIRE(again.creds);
            CHECK(again.creds->access_key_id == "AKIDAFTER");
        });
        CHECK(runs == 2);
    }
}

TEST_SUITE("credentials")
{
    TEST_CASE("web identity: STS's IDPCommunicationError and throttling are retried, as botocore's STS client does")
    {
        recording_server srv;
        test_util::temp_dir d;
        std::atomic<int> seen{0};
        local::server_options o;
        o.tls = false;
        local::server_thread sts(o, [&](const local::request_type&, const local::request_info&) {
            int n = ++seen;
            local::reply rep;
            if (n == 1 || n == 2) {
                rep.status = 400;
                rep.body = std::string("<ErrorResponse><Error><Type>Sender</Type><Code>") +
                           (n == 1 ? "IDPCommunicationError" : "Throttling") + "</Code><Message>later</Message></Error></ErrorResponse>";
            } else {
                rep.status = 200;
                rep.body = "<AssumeRoleWithWebIdentityResponse><AssumeRoleWithWebIdentityResult><Credentials>"
                           "<AccessKeyId>AKIDRETRIED</AccessKeyId><SecretAccessKey>S</SecretAccessKey>"
                           "<SessionToken>T</SessionToken></Credentials></AssumeRoleWithWebIdentityResult>"
                           "</AssumeRoleWithWebIdentityResponse>";
            }
            return rep;
        });
        env_guard env({{"AWS_WEB_IDENTITY_TOKEN_FILE", d.write("token", "eyJ.t")},
                       {"AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/r"},
                       {"AWS_ENDPOINT_URL_STS", sts.get().url()}});
        auto [ec, message] = call_once(srv);
        CHECK_MESSAGE(!ec, message);
        CHECK(seen == 3);
        CHECK(srv.last_key() == "AKIDRETRIED");
    }
}

#include <csignal>
#include <sstream>
#include <thread>
#include <boost/asio/detached.hpp>
#include <pthread.h>

namespace {

std::string read_text(const std::string& path)
{
    std::ifstream f(path);
    std::string s, line;
    while (std::getline(f, line)) s += line + "\n";
    return s;
}

bool process_gone(pid_t pid)
{
    // Gone, or a zombie waiting for an init that does not reap (a container's PID 1).
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    if (!stat) return true;
    std::string all((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
    auto close = all.rfind(')');
    return close != std::string::npos && all.size() > close + 2 && all[close + 2] == 'Z';
}

}  // namespace

TEST_SUITE("credentials")
{
    TEST_CASE("credential_process hygiene: no inherited descriptors, default signals, its own process group")
    {
        test_util::temp_dir d;
        // A descriptor without CLOEXEC, a blocked signal and an ignored one in the parent.
        int leak[2];
        REQUIRE(::pipe(leak) == 0);
        sigset_t block, old;
        sigemptyset(&block);
        sigaddset(&block, SIGTERM);
        pthread_sigmask(SIG_BLOCK, &block, &old);
        auto old_int = std::signal(SIGINT, SIG_IGN);
        const std::string report = d.p("report");
        auto script = d.write("probe.sh", "ls /proc/self/fd > " + report + ".fds\n"
                                          "grep -E '^(SigBlk|SigIgn)' /proc/self/status > " + report + ".sig\n"
                                          "echo $(cut -d' ' -f5 /proc/$$/stat) > " + report + ".pgrp\n"
                                          "exit 1\n");
        run([&](asio::io_context& io) -> asio::awaitable<void> {
            auto r = co_await ba::detail::run_credential_process(io.get_executor(), "sh " + script, 10s);
            CHECK(r.ec == ba::errc::no_credentials);
        });
        pthread_sigmask(SIG_SETMASK, &old, nullptr);
        std::signal(SIGINT, old_int);
        ::close(leak[0]);
        ::close(leak[1]);
        // ls sees 0, 1, 2 and its own directory handle: nothing of ours.
        CHECK(read_text(report + ".fds") == "0\n1\n2\n3\n");
        // No standard signal (1-31) blocked or ignored; the mask and dispositions of glibc's
        // reserved real-time signals are not the library's to set.
        std::istringstream sig(read_text(report + ".sig"));
        std::string name, mask;
        int lines = 0;
        while (sig >> name >> mask) {
            CAPTURE(name);
            ++lines;
            CHECK((std::stoull(mask, nullptr, 16) & 0x7fffffffull) == 0);
        }
        CHECK(lines == 2);
        // A process group of its own (led by the /bin/sh we spawned), not ours.
        long pgrp = std::atol(read_text(report + ".pgrp").c_str());
        CHECK(pgrp > 0);
        CHECK(pgrp != static_cast<long>(::getpgrp()));
    }

    TEST_CASE("credential_process: the timeout kills the whole process group; a destroyed io_context still reaps")
    {
        test_util::temp_dir d;
        // The shell starts a grandchild and waits: both must be gone after the timeout.
        auto script = d.write("hang.sh", "sleep 60 & echo $! > " + d.p("grandchild") + "\necho $$ > " + d.p("child") +
                                         "\nwait\n");
        run([&](asio::io_context& io) -> asio::awaitable<void> {
            auto r = co_await ba::detail::run_credential_process(io.get_executor(), "sh " + script, 300ms);
            CHECK(r.ec == ba::errc::no_credentials);
            CHECK(r.why.find("timed out") != std::string::npos);
        });
        for (const char* who : {"child", "grandchild"}) {
            CAPTURE(who);
            pid_t pid = std::atoi(read_text(d.p(who)).c_str());
            REQUIRE(pid > 0);
            for (int i = 0; i < 200 && !process_gone(pid); ++i) std::this_thread::sleep_for(10ms);
            CHECK(process_gone(pid));
        }
        // The io_context goes while the fetch waits for the child: the child is killed and reaped.
        // ($$ is the /bin/sh the library spawned: the command runs in it.)
        const std::string command2 = "echo $$ > " + d.p("child2") + "; sleep 60; true";
        {
            asio::io_context io;
            asio::co_spawn(io, ba::detail::run_credential_process(io.get_executor(), command2, 60s), asio::detached);
            for (int i = 0; i < 500 && read_text(d.p("child2")).empty(); ++i) io.run_for(10ms);
            io.run_for(50ms);
        }
        pid_t pid = std::atoi(read_text(d.p("child2")).c_str());
        REQUIRE(pid > 0);
        CHECK_FALSE(std::filesystem::exists("/proc/" + std::to_string(pid)));  // reaped: not even a zombie
    }
}

namespace {

// The cache's wall clock, set by the test (credentials_cache::now_).
std::chrono::system_clock::time_point fake_now;
std::chrono::system_clock::time_point read_fake_now() { return fake_now; }

// Fetch n answers credentials that expire n hours after `t0`.
asio::awaitable<ba::detail::fetch_result> answer_expiring(int* runs, std::chrono::system_clock::time_point t0)
{
    ++*runs;
    ba::detail::fetch_result r;
    r.creds = ba::credentials{"AKID" + std::to_string(*runs), "S", "", t0 + std::chrono::hours(*runs)};
    co_return r;
}

}  // namespace

TEST_SUITE("credentials")
{
    TEST_CASE("the cache on a fake clock: fresh, refreshed in the background within the window, fetched again once expired")
    {
        using namespace std::chrono;
        int runs = 0;
        const auto t0 = system_clock::time_point{} + hours(480000);
        fake_now = t0;
        ba::detail::chain_config cfg;
        cfg.fetch_override = [&runs, t0](asio::any_io_executor) { return answer_expiring(&runs, t0); };
        run([&](asio::io_context& io) -> asio::awaitable<void> {
            auto cache = std::make_shared<ba::detail::credentials_cache>(io.get_executor(), cfg, std::string());
            cache->now_ = &read_fake_now;
            const auto deadline = steady_clock::now() + 10s;
            auto got = co_await ba::detail::credentials_cache::get(cache, deadline);
            REQUIRE(got.creds);
            CHECK(got.creds->access_key_id == "AKID1");
            CHECK(cache->current() == got.creds);  // fresh: no wait, no fetch
            fake_now = t0 + hours(1) - minutes(6) - seconds(1);  // before any window (5 to 6 min)
            CHECK(cache->current() == got.creds);
            fake_now = t0 + hours(1) - minutes(5);  // inside every window
            CHECK(cache->current() == nullptr);      // the fast path steps aside...
            auto during = co_await ba::detail::credentials_cache::get(cache, deadline);
            REQUIRE(during.creds);
            CHECK(during.creds->access_key_id == "AKID1");  // ...the old ones still serve...
            CHECK(cache->fetches() == 2);                     // ...while one refresh runs
            // The refresh ends: its credentials (valid until t0 + 2 h) are current.
            CHECK(co_await test_util::eventually(io, [&] { return cache->current() != nullptr; }));
            CHECK(cache->current()->access_key_id == "AKID2");
            fake_now = t0 + hours(2);  // they expire
            CHECK(cache->current() == nullptr);
            auto after = co_await ba::detail::credentials_cache::get(cache, deadline);
            REQUIRE(after.creds);
            CHECK(cache->fetches() == 3);  // an expired value is never served: a fetch, waited for
            CHECK(after.creds->access_key_id == "AKID3");
        });
    }
}
