// The StopIngestionJob vectors generated with botocore (shared/testdata/sigv4/bedrock-agent-vectors):
// signing cases stage by stage, and the request builder against botocore's wire capture.
#include <bedrock_agent/impl/internal/sansio/request_builder.hpp>
#include <bedrock_agent/sigv4.hpp>

#include "common/test_util.hpp"

#include <doctest/doctest.h>
#include <simdjson.h>

#include <iostream>

namespace sigv4 = bedrock_agent::sigv4;
namespace ba = bedrock_agent;

namespace {

simdjson::dom::element load_vectors(simdjson::dom::parser& p, std::string& text)
{
    text = test_util::read_file(test_util::shared_dir() /
                                "testdata/sigv4/bedrock-agent-vectors/stop-ingestion-job-botocore-vectors.json");
    return p.parse(text);
}

std::string str(simdjson::dom::element e) { return std::string(std::string_view(e)); }

}  // namespace

TEST_SUITE("bedrock-vectors")
{
    TEST_CASE("StopIngestionJob signing vectors (botocore 1.43.11)")
    {
        simdjson::dom::parser p;
        std::string text;
        auto root = load_vectors(p, text);
        int n = 0;
        for (const char* name : {"stop-ingestion-job-minimal", "stop-ingestion-job-session-token",
                                 "stop-ingestion-job-custom-endpoint-port", "double-encoding-demo-nonS3"}) {
            CAPTURE(name);
            auto v = root[name];
            auto in = v["inputs"];
            ba::endpoint ep;
            std::string why;
            std::string url = str(in["url"]);
            // The URL's path is the wire path; the endpoint part is everything before it.
            auto path_at = url.find('/', url.find("://") + 3);
            REQUIRE_FALSE(ba::parse_endpoint(url.substr(0, path_at), ep, why));
            std::string path = url.substr(path_at);
            std::string token;
            if (!in["session_token"].is_null()) token = str(in["session_token"]);
            std::chrono::system_clock::time_point t;
            REQUIRE(sigv4::parse_amz_date(str(in["timestamp"]), t));
            sigv4::header_view hv[] = {{"host", ep.host_header}};
            const std::string method = str(in["method"]), body = str(in["body"]);  // outlive req's views
            sigv4::signable_request req{method, path, {}, hv, body, {}};
            std::string ak = str(in["access_key_id"]), sk = str(in["secret_access_key"]);
            std::string region = str(in["region"]), service = str(in["signing_name"]);
            sigv4::signing_params params{ak, sk, token, region, service, t, {}};
            auto res = sigv4::sign(req, params);
            CHECK(res.canonical_request == str(v["canonical_request"]));
            CHECK(res.string_to_sign == str(v["string_to_sign"]));
            CHECK(res.signature == str(v["signature"]));
            simdjson::dom::object after = v["headers_after_signing"];
            std::size_t expected_headers = 0;
            for (auto [k, val] : after) {
                ++expected_headers;
                bool found = false;
                for (auto& h : res.headers_to_add) {
                    if (h.name == k) {
                        found = true;
                        CHECK(h.value == std::string_view(val));
                    }
                }
                CHECK_MESSAGE(found, "missing header ", std::string(k));
            }
            CHECK(res.headers_to_add.size() == expected_headers);
            ++n;
        }
        std::cout << "[bedrock-vectors] " << n << " signing vectors checked stage by stage\n";
        CHECK(n == 4);
    }
}

TEST_SUITE("request")
{
    TEST_CASE("the builder produces botocore's wire request")
    {
        simdjson::dom::parser p;
        std::string text;
        auto cap = load_vectors(p, text)["botocore-wire-capture-stop-ingestion-job"]["request"];
        ba::endpoint ep;
        std::string why;
        REQUIRE_FALSE(ba::parse_endpoint("https://bedrock-agent.us-east-1.amazonaws.com", ep, why));
        ba::credentials creds{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", {}};
        std::chrono::system_clock::time_point t;
        REQUIRE(sigv4::parse_amz_date("20150830T123600Z", t));
        ba::stop_ingestion_job_request r{"KBID123456", "DSID123456", "JOBID12345"};
        ba::sansio::build_context ctx{ep, creds, "us-east-1", t, "00000000-0000-4000-8000-000000000000", 1, 3, nullptr};
        auto req = ba::sansio::build_stop_ingestion_job(r, ctx);

        CHECK(std::string(req.method_string()) == str(cap["method"]));
        CHECK("https://" + ep.host_header + std::string(req.target()) == str(cap["url"]));
        simdjson::dom::object headers = cap["headers"];
        for (auto [k, v] : headers) {
            CAPTURE(std::string(k));
            REQUIRE(req.find(std::string(k)) != req.end());
            std::string ours(req[std::string(k)]);
            if (k == "User-Agent") {
                CHECK(ours.starts_with("bedrock-agent-asio/"));  // names this library, not botocore
            } else if (k == "amz-sdk-request") {
                CHECK(ours == "attempt=1; max=3");  // botocore's legacy mode omits max
            } else {
                CHECK(ours == std::string_view(v));
            }
        }
        CHECK(req.find(boost::beast::http::field::content_type) == req.end());
        CHECK(std::string(req[boost::beast::http::field::host]) == "bedrock-agent.us-east-1.amazonaws.com");
        CHECK(req.find("X-Amz-Security-Token") == req.end());
    }

    TEST_CASE("session token, non-default port and attempt numbers")
    {
        ba::endpoint ep;
        std::string why;
        REQUIRE_FALSE(ba::parse_endpoint("http://127.0.0.1:8080", ep, why));
        ba::credentials creds{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "TOKEN"};
        std::chrono::system_clock::time_point t;
        REQUIRE(sigv4::parse_amz_date("20150830T123600Z", t));
        ba::stop_ingestion_job_request r{"KBID123456", "DSID123456", "JOBID12345"};
        ba::sansio::build_context ctx{ep, creds, "us-east-1", t, "id", 2, 5, nullptr};
        sigv4::signing_result stages;
        auto req = ba::sansio::build_stop_ingestion_job(r, ctx, &stages);
        CHECK(std::string(req[boost::beast::http::field::host]) == "127.0.0.1:8080");
        CHECK(std::string(req["X-Amz-Security-Token"]) == "TOKEN");
        CHECK(stages.signed_headers == "host;x-amz-date;x-amz-security-token");
        CHECK(std::string(req["amz-sdk-request"]) == "attempt=2; max=5");
        CHECK(std::string(req[boost::beast::http::field::content_length]) == "0");
    }

    TEST_CASE("uuid v4 formatting")
    {
        auto u = ba::sansio::format_uuid_v4(~0ull, ~0ull);
        CHECK(u.size() == 36);
        CHECK(u[14] == '4');
        CHECK((u[19] == '8' || u[19] == '9' || u[19] == 'a' || u[19] == 'b'));
        CHECK(ba::sansio::format_uuid_v4(0, 0) == "00000000-0000-4000-8000-000000000000");
    }
}
