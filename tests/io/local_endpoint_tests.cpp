// The bundled local endpoint's service, driven directly: routes, lifecycle, AWS's errors and the
// SigV4 check (signatures made with the library's signer, as a client would).
#include <bedrock_agent/bedrock_agent.hpp>
#include <bedrock_agent/impl/internal/sansio/request_builder.hpp>

#include "local_endpoint/service.hpp"

#include <doctest/doctest.h>

#include <sstream>
#include <thread>

namespace ba = bedrock_agent;
namespace local = bedrock_agent::local;
namespace http = boost::beast::http;
using namespace std::chrono_literals;

namespace {

local::request_type signed_stop(const std::string& kb, const std::string& ds, const std::string& job,
                                const std::string& secret = "bedrock-agent-local-secret",
                                std::chrono::system_clock::time_point when = std::chrono::system_clock::now())
{
    ba::endpoint ep;
    std::string why;
    ba::parse_endpoint("https://127.0.0.1:8443", ep, why);
    ba::credentials creds{"AKIDLOCALEXAMPLE", secret, {}};
    // The builder validates nothing itself, so malformed ids reach the server as they would from
    // another client.
    ba::sansio::build_context ctx{ep, creds, "us-east-1", when, "id", 1, 1, nullptr};
    auto r = ba::sansio::build_stop_ingestion_job({kb, ds, job}, ctx);
    local::request_type out{r.method(), r.target(), 11};
    for (auto& f : r) out.set(f.name_string(), f.value());
    return out;
}

std::string error_type(const local::reply& r)
{
    for (auto& [k, v] : r.headers)
        if (k == "X-Amzn-Errortype") return v;
    return {};
}

ba::stop_ingestion_job_response parse(const local::reply& r)
{
    ba::stop_ingestion_job_response out;
    ba::diagnostics d;
    REQUIRE_FALSE(ba::parse_stop_ingestion_job_response(r.body, out, d));
    return out;
}

}  // namespace

TEST_SUITE("local-endpoint")
{
    TEST_CASE("lifecycle: STARTING, IN_PROGRESS; stop: STOPPING, STOPPED; then ConflictException")
    {
        // On the service's own clock, moved by the test: the verdicts do not race real time.
        auto now = std::make_shared<std::chrono::system_clock::time_point>(std::chrono::system_clock::now());
        local::service_options o;
        o.starting = 50ms;
        o.stopping = 100ms;
        o.now = [now] { return *now; };
        local::service svc(o);
        svc.add_job("KB12345678", "DS12345678", "IJ12345678", "STARTING");
        local::request_info info{1, 1};
        local::request_type get{http::verb::get, "/knowledgebases/KB12345678/datasources/DS12345678/ingestionjobs/IJ12345678", 11};
        o.check_signatures = false;
        local::service unsigned_svc(o);
        unsigned_svc.add_job("KB12345678", "DS12345678", "IJ12345678", "STARTING");
        CHECK(parse(unsigned_svc.handle(get, info)).ingestion_job.status == ba::ingestion_job_status::starting);
        *now += 80ms;
        CHECK(parse(unsigned_svc.handle(get, info)).ingestion_job.status == ba::ingestion_job_status::in_progress);

        auto r = svc.handle(signed_stop("KB12345678", "DS12345678", "IJ12345678", "bedrock-agent-local-secret", *now), info);
        REQUIRE(r.status == 202);
        CHECK(parse(r).ingestion_job.status == ba::ingestion_job_status::stopping);
        *now += 150ms;
        r = svc.handle(signed_stop("KB12345678", "DS12345678", "IJ12345678", "bedrock-agent-local-secret", *now), info);
        CHECK(r.status == 409);
        CHECK(error_type(r) == "ConflictException");
        CHECK(r.body.find("STOPPED") != std::string::npos);
    }

    TEST_CASE("AWS's errors: not found, validation with a fieldList, bad or missing signatures, clock skew")
    {
        local::service svc(local::service_options{});
        svc.add_job("KB12345678", "DS12345678", "IJ12345678", "IN_PROGRESS");
        local::request_info info{1, 1};
        auto r = svc.handle(signed_stop("KB12345678", "DS12345678", "NOPE123456"), info);
        CHECK(r.status == 404);
        CHECK(error_type(r) == "ResourceNotFoundException");
        r = svc.handle(signed_stop("KB00000000", "DS12345678", "IJ12345678"), info);
        CHECK(error_type(r) == "ResourceNotFoundException");
        r = svc.handle(signed_stop("KB12345678", "DS12345678", "short"), info);
        CHECK(r.status == 400);
        CHECK(error_type(r) == "ValidationException");
        ba::diagnostics d;
        ba::parse_error_response({r.status, "", error_type(r), "", r.body}, d);
        REQUIRE(d.field_list().size() == 1);
        CHECK(d.field_list()[0].name == "ingestionJobId");

        r = svc.handle(signed_stop("KB12345678", "DS12345678", "IJ12345678", "wrong-secret"), info);
        CHECK(r.status == 403);
        CHECK(error_type(r) == "InvalidSignatureException");
        r = svc.handle(signed_stop("KB12345678", "DS12345678", "IJ12345678", "bedrock-agent-local-secret",
                                   std::chrono::system_clock::now() - 20min),
                       info);
        CHECK(r.status == 403);
        CHECK(r.body.find("skewed") != std::string::npos);
        auto unsigned_req = signed_stop("KB12345678", "DS12345678", "IJ12345678");
        unsigned_req.erase(http::field::authorization);
        r = svc.handle(unsigned_req, info);
        CHECK(r.status == 403);
        CHECK(error_type(r) == "MissingAuthenticationTokenException");
        // A header changed after signing breaks the signature.
        auto tampered = signed_stop("KB12345678", "DS12345678", "IJ12345678");
        tampered.set(http::field::host, "127.0.0.1:9999");
        CHECK(svc.handle(tampered, info).status == 403);
        // The good one goes through.
        CHECK(svc.handle(signed_stop("KB12345678", "DS12345678", "IJ12345678"), info).status == 202);
        CHECK(svc.stats().bad_signature == 4);
    }

    TEST_CASE("StartIngestionJob, seeds from JSON, and fault injection by rate")
    {
        local::service_options o;
        o.check_signatures = false;
        local::service svc(o);
        svc.load_seed_json(R"({"jobs":[{"knowledgeBaseId":"KB12345678","dataSourceId":"DS12345678","ingestionJobId":"IJ12345678","status":"COMPLETE","description":"seeded"}]})");
        local::request_info info{1, 1};
        local::request_type start{http::verb::put, "/knowledgebases/KB12345678/datasources/DS12345678/ingestionjobs/", 11};
        start.body() = R"({"description":"new one"})";
        auto r = svc.handle(start, info);
        REQUIRE(r.status == 202);
        auto job = parse(r).ingestion_job;
        CHECK(job.status == ba::ingestion_job_status::starting);
        CHECK(job.description == std::optional<std::string>("new one"));
        CHECK(ba::is_valid_id(job.ingestion_job_id));
        CHECK_THROWS_AS(svc.load_seed_json(R"({"jobs":[{"dataSourceId":"x"}]})"), std::invalid_argument);

        local::service_options f;
        f.check_signatures = false;
        f.throttle_rate = 1.0;
        local::service throttling(f);
        throttling.add_job("KB12345678", "DS12345678", "IJ12345678", "IN_PROGRESS");
        local::request_type get{http::verb::get, "/knowledgebases/KB12345678/datasources/DS12345678/ingestionjobs/IJ12345678", 11};
        r = throttling.handle(get, info);
        CHECK(r.status == 429);
        CHECK(error_type(r) == "ThrottlingException");
        f.throttle_rate = 0;
        f.drop_rate = 1.0;
        local::service dropping(f);
        CHECK(dropping.handle(get, info).kind == local::reply::close);
    }
}
