// Error parsing (restJson1 rules), error codes and conditions.
#include <bedrock_agent/error_with_diagnostics.hpp>
#include <bedrock_agent/protocol.hpp>

#include "common/test_util.hpp"

#include <boost/asio/error.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/beast/core/error.hpp>

#include <doctest/doctest.h>
#include <simdjson.h>

#include <iostream>

namespace ba = bedrock_agent;

TEST_SUITE("errors")
{
    TEST_CASE("the six botocore error-parsing cases")
    {
        std::string text = test_util::read_file(
            test_util::shared_dir() / "testdata/sigv4/bedrock-agent-vectors/stop-ingestion-job-botocore-vectors.json");
        simdjson::dom::parser p;
        simdjson::dom::array cases = p.parse(text)["botocore-error-parsing"];
        int n = 0;
        for (simdjson::dom::element c : cases) {
            unsigned status = static_cast<unsigned>(int64_t(c["http_status"]));
            CAPTURE(status);
            std::string errortype, request_id;
            for (auto [k, v] : simdjson::dom::object(c["headers"])) {
                std::string key(k);
                for (auto& ch : key) ch = static_cast<char>(std::tolower(ch));
                if (key == "x-amzn-errortype") errortype = std::string_view(v);
                if (key == "x-amzn-requestid") request_id = std::string_view(v);
            }
            std::string body{std::string_view(c["body"])};
            ba::diagnostics d;
            std::string reason = status == 503 ? "Service Unavailable" : "";
            auto ec = ba::parse_error_response({status, reason, errortype, request_id, body}, d);
            auto err = c["parsed_error"]["Error"];
            CHECK(d.aws_error_code() == std::string_view(err["Code"]));
            CHECK(d.message() == std::string_view(err["Message"]));
            CHECK(d.http_status() == status);
            if (c["request_id"].is_null()) CHECK(d.request_id().empty());
            else CHECK(d.request_id() == std::string_view(c["request_id"]));
            if (auto fl = c["parsed_error"]["fieldList"]; !fl.error()) {
                std::vector<ba::validation_field> expected;
                for (auto f : simdjson::dom::array(fl.value()))
                    expected.push_back({std::string(std::string_view(f["name"])), std::string(std::string_view(f["message"]))});
                CHECK(d.field_list() == expected);
            }
            switch (status) {
            case 429: CHECK(ec == ba::errc::throttling); break;
            case 404: CHECK(ec == ba::errc::resource_not_found); break;
            case 409: CHECK(ec == ba::errc::conflict); break;
            case 400: CHECK(ec == ba::errc::validation); break;
            case 500: CHECK(ec == ba::errc::internal_server); break;
            case 503: CHECK(ec == ba::errc::service_unavailable); break;
            default: FAIL("unexpected case");
            }
            ++n;
        }
        CHECK(n == 6);
        std::cout << "[errors] " << n << " botocore error-parsing cases checked\n";
    }

    TEST_CASE("each modeled StopIngestionJob error maps to its errc")
    {
        const std::tuple<unsigned, const char*, ba::errc> cases[] = {
            {429, "ThrottlingException", ba::errc::throttling},
            {403, "AccessDeniedException", ba::errc::access_denied},
            {400, "ValidationException", ba::errc::validation},
            {500, "InternalServerException", ba::errc::internal_server},
            {404, "ResourceNotFoundException", ba::errc::resource_not_found},
            {409, "ConflictException", ba::errc::conflict},
            {402, "ServiceQuotaExceededException", ba::errc::service_quota_exceeded},
            {418, "TeapotException", ba::errc::unknown_service_error},
        };
        for (auto [status, code, expected] : cases) {
            CAPTURE(code);
            ba::diagnostics d;
            std::string body = std::string(R"({"message":"m"})");
            auto ec = ba::parse_error_response({status, "", code, "rid", body}, d);
            CHECK(ec == expected);
            CHECK(d.aws_error_code() == code);
            CHECK(d.message() == "m");
        }
    }

    TEST_CASE("codes, conditions and messages")
    {
        boost::system::error_code ec = ba::errc::throttling;
        CHECK(ec == ba::condition::throttling);
        CHECK(ec == ba::condition::retryable);
        CHECK(ec != ba::condition::timeout);
        ec = ba::errc::timeout;
        CHECK(ec == ba::condition::timeout);
        CHECK(ec == ba::condition::retryable);
        ec = ba::errc::conflict;
        CHECK(ec != ba::condition::retryable);
        CHECK(ec.message().find("ConflictException") != std::string::npos);
        CHECK(boost::system::error_code(boost::beast::error::timeout) == ba::condition::timeout);
        CHECK(boost::system::error_code(boost::asio::error::connection_reset) == ba::condition::retryable);
        CHECK(boost::system::error_code(boost::asio::ssl::error::stream_truncated) == ba::condition::retryable);
        CHECK(boost::system::error_code(boost::asio::error::operation_aborted) != ba::condition::retryable);
        CHECK(boost::system::error_code(ba::errc::internal_server) == ba::condition::retryable);
        CHECK(boost::system::error_code(ba::errc::access_denied) != ba::condition::retryable);
        CHECK(std::string(ba::error_category().name()) == "bedrock_agent");
    }

    TEST_CASE("error_with_diagnostics carries the diagnostics")
    {
        ba::diagnostics d;
        ba::detail::diag(d).set_aws_error_code("ConflictException");
        ba::detail::diag(d).set_message("job not running");
        ba::detail::diag(d).set_attempts(1);
        ba::error_with_diagnostics e(ba::errc::conflict, d);
        CHECK(e.code() == ba::errc::conflict);
        CHECK(e.diagnostics() == d);
        CHECK(std::string(e.what()).find("ConflictException: job not running") == 0);
        const boost::system::system_error& base = e;
        CHECK(base.code() == ba::errc::conflict);
    }
}

// errors.smithy, every client-side case, ported by id. Each gives the status, headers and body the
// suite lists, and the error code (and message) the suite expects the client to surface.
TEST_SUITE("smithy-errors")
{
    TEST_CASE("restJson1 errors.smithy")
    {
        struct smithy_case {
            const char* id;
            unsigned status;
            const char* errortype;
            const char* body;
            const char* code;
            const char* message;
        };
        const char* uri = ":http://internal.amazon.com/coral/com.amazon.coral.validate/";
        std::string with_uri = std::string("FooError") + uri;
        std::string ns_uri = std::string("aws.protocoltests.restjson#FooError") + uri;
        std::string diff_ns_uri = std::string("aws.different.namespace#FooError") + uri;
        std::string code_uri_ns = std::string(R"({"code": "aws.protocoltests.restjson#FooError)") + uri + "\"}";
        std::string type_uri_ns = std::string(R"({"__type": "aws.protocoltests.restjson#FooError)") + uri + "\"}";
        const smithy_case cases[] = {
            {"RestJsonInvalidGreetingError", 400, "InvalidGreeting", "{\n    \"Message\": \"Hi\"\n}", "InvalidGreeting", "Hi"},
            {"RestJsonComplexErrorWithNoMessage", 403, "ComplexError",
             R"({"TopLevel": "Top level", "Nested": {"Fooooo": "bar"}})", "ComplexError", ""},
            {"RestJsonEmptyComplexErrorWithNoMessage", 403, "ComplexError", "{}", "ComplexError", ""},
            {"RestJsonFooErrorUsingXAmznErrorType", 500, "FooError", "", "FooError", nullptr},
            {"RestJsonFooErrorUsingXAmznErrorTypeWithUri", 500, with_uri.c_str(), "", "FooError", nullptr},
            {"RestJsonFooErrorUsingXAmznErrorTypeWithUriAndNamespace", 500, ns_uri.c_str(), "", "FooError", nullptr},
            {"RestJsonFooErrorUsingXAmznErrorTypeWithUriAndDifferentNamespace", 500, diff_ns_uri.c_str(), "",
             "FooError", nullptr},
            {"RestJsonFooErrorUsingCode", 500, "", R"({"code": "FooError"})", "FooError", nullptr},
            {"RestJsonFooErrorUsingCodeAndNamespace", 500, "", R"({"code": "aws.protocoltests.restjson#FooError"})",
             "FooError", nullptr},
            {"RestJsonFooErrorUsingCodeUriAndNamespace", 500, "", code_uri_ns.c_str(), "FooError", nullptr},
            {"RestJsonFooErrorWithDunderType", 500, "", R"({"__type": "FooError"})", "FooError", nullptr},
            {"RestJsonFooErrorWithDunderTypeAndNamespace", 500, "", R"({"__type": "aws.protocoltests.restjson#FooError"})",
             "FooError", nullptr},
            {"RestJsonFooErrorWithDunderTypeUriAndNamespace", 500, "", type_uri_ns.c_str(), "FooError", nullptr},
            {"RestJsonFooErrorWithNestedTypeProperty", 500, "",
             R"({"__type": "aws.protocoltests.restjson#FooError", "ErrorDetails": [{"__type": "com.amazon.internal#ErrorDetails", "reason": "Some reason"}]})",
             "FooError", nullptr},
        };
        // Every client-side id in the file is ported here (RestJsonGreetingWithErrors* are success
        // cases with an X-Greeting header, a member StopIngestionJob does not have).
        std::string file = test_util::read_file(test_util::shared_dir() / "testdata/protocol-tests/restJson1/errors.smithy");
        int ids_in_file = 0;
        for (std::size_t at = 0; (at = file.find("id: \"", at)) != std::string::npos; ++at) ++ids_in_file;
        CHECK(ids_in_file == static_cast<int>(std::size(cases)) + 2);
        for (auto& c : cases) {
            CAPTURE(c.id);
            CHECK(file.find(std::string("id: \"") + c.id + "\"") != std::string::npos);
            ba::diagnostics d;
            ba::parse_error_response({c.status, "Internal Server Error", c.errortype, "", c.body}, d);
            CHECK(d.aws_error_code() == c.code);
            if (c.message) CHECK(d.message() == c.message);
        }
        std::cout << "[smithy-errors] " << std::size(cases) << " client-side cases of errors.smithy checked\n";
    }

    TEST_CASE("header wins over __type, __type over code; Message when message is absent")
    {
        ba::diagnostics d;
        ba::parse_error_response({400, "", "HeaderError", "", R"({"__type":"TypeError","code":"CodeError"})"}, d);
        CHECK(d.aws_error_code() == "HeaderError");
        ba::parse_error_response({400, "", "", "", R"({"code":"CodeError","__type":"ns#TypeError"})"}, d);
        CHECK(d.aws_error_code() == "TypeError");
        ba::parse_error_response({400, "", "", "", R"({"Message":"upper","message":"lower"})"}, d);
        CHECK(d.message() == "lower");
        CHECK(d.aws_error_code() == "400");
        ba::parse_error_response({502, "Bad Gateway", "", "", "<html><body>oops</body></html>"}, d);
        CHECK(d.aws_error_code() == "502");
        CHECK(d.message() == "Bad Gateway");
    }
}

#include <bedrock_agent/credentials.hpp>

#include <sstream>

TEST_SUITE("errors")
{
    TEST_CASE("credentials print without their secrets")
    {
        std::ostringstream os;
        os << ba::credentials{"AKIDEXAMPLE", "SECRETKEY", "SESSIONTOKEN", {}};
        CHECK(os.str().find("AKIDEXAMPLE") != std::string::npos);
        CHECK(os.str().find("SECRETKEY") == std::string::npos);
        CHECK(os.str().find("SESSIONTOKEN") == std::string::npos);
        CHECK(os.str().find("<redacted>") != std::string::npos);
    }
}
