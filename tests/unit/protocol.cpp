// Request validation, endpoint URLs, label encoding, RFC 3339 timestamps and the response parser.
#include <bedrock_agent/protocol.hpp>
#include <output/json_output.hpp>

#include "common/test_util.hpp"

#include <doctest/doctest.h>

#include <regex>

namespace ba = bedrock_agent;
using namespace std::chrono;

namespace {

double epoch_seconds(ba::timestamp t) { return static_cast<double>(t.time_since_epoch().count()) / 1000.0; }

// Pulls `"datetime": "..."` and `params: { datetime: N }` of one test id out of a Smithy file, so
// the test uses the suite's own data.
std::pair<std::string, double> smithy_datetime_case(const std::string& file, const std::string& id)
{
    std::string text = test_util::read_file(test_util::shared_dir() / "testdata/protocol-tests/restJson1" / file);
    auto at = text.find("id: \"" + id + "\"");
    REQUIRE(at != std::string::npos);
    std::smatch m;
    std::string rest = text.substr(at);
    REQUIRE(std::regex_search(rest, m, std::regex("\"datetime\": \"([^\"]+)\"")));
    std::string value = m[1];
    REQUIRE(std::regex_search(rest, m, std::regex("params: \\{ datetime: ([0-9.]+) \\}")));
    return {value, std::stod(m[1])};
}

const char* full_body = R"({
  "ingestionJob": {
    "knowledgeBaseId": "KBID123456",
    "dataSourceId": "DSID123456",
    "ingestionJobId": "JOBID12345",
    "description": "nightly \u00e9 sync",
    "status": "STOPPING",
    "statistics": {
      "numberOfDocumentsScanned": 10, "numberOfMetadataDocumentsScanned": 2,
      "numberOfNewDocumentsIndexed": 3, "numberOfModifiedDocumentsIndexed": 4,
      "numberOfMetadataDocumentsModified": 5, "numberOfDocumentsDeleted": 6,
      "numberOfDocumentsFailed": 7, "numberOfDocumentsSkipped": 9223372036854775807,
      "numberOfSomethingNew": 1
    },
    "failureReasons": ["a", "b\nc"],
    "startedAt": "2015-08-30T12:30:00.123456+00:00",
    "updatedAt": "2015-08-30T12:36:00Z",
    "futureMember": {"nested": [1, 2, {"x": null}]}
  },
  "alsoUnknown": true
})";

std::string replace(std::string s, const std::string& from, const std::string& to)
{
    auto at = s.find(from);
    REQUIRE(at != std::string::npos);
    s.replace(at, from.size(), to);
    return s;
}

}  // namespace

TEST_SUITE("request")
{
    TEST_CASE("validation names the field and the rule")
    {
        ba::diagnostics d;
        CHECK_FALSE(ba::validate(ba::stop_ingestion_job_request{"KB12345678", "DS12345678", "IJ12345678"}, d));
        auto ec = ba::validate(ba::stop_ingestion_job_request{"", "DS12345678", "IJ12345678"}, d);
        CHECK(ec == ba::errc::invalid_request);
        CHECK(d.client_message() == "knowledge_base_id (knowledgeBaseId) is required");
        ec = ba::validate(ba::stop_ingestion_job_request{"KB12345678", "DS1234567", "IJ12345678"}, d);
        CHECK(ec == ba::errc::invalid_request);
        CHECK(d.client_message().find("data_source_id (dataSourceId) must match the pattern [0-9a-zA-Z]{10}") == 0);
        ec = ba::validate(ba::stop_ingestion_job_request{"KB12345678", "DS12345678", "../../x/ab"}, d);
        CHECK(ec == ba::errc::invalid_request);
        CHECK(d.client_message().find("ingestion_job_id") == 0);
        ec = ba::validate(ba::stop_ingestion_job_request{"KB12345678", "DS12345678", std::string("IJ1234567\n", 10)}, d);
        CHECK(ec == ba::errc::invalid_request);
        CHECK(d.client_message().find("\\x0a") != std::string::npos);  // the bad byte is shown, escaped
        CHECK_FALSE(ba::is_valid_id("KB12345678 "));
        CHECK_FALSE(ba::is_valid_id("KB1234567\xc3\xa9"));
    }

    TEST_CASE("labels are percent-encoded; '/' cannot reach the path")
    {
        ba::stop_ingestion_job_request r{"KB ID/12+3", "DS12345678", "IJ12345678"};
        CHECK(ba::stop_ingestion_job_path(r) ==
              "/knowledgebases/KB%20ID%2F12%2B3/datasources/DS12345678/ingestionjobs/IJ12345678/stop");
    }

    TEST_CASE("GetIngestionJob: the same validation, its own path")
    {
        ba::diagnostics d;
        CHECK_FALSE(ba::validate(ba::get_ingestion_job_request{"KB12345678", "DS12345678", "IJ12345678"}, d));
        auto ec = ba::validate(ba::get_ingestion_job_request{"KB12345678", "", "IJ12345678"}, d);
        CHECK(ec == ba::errc::invalid_request);
        CHECK(d.client_message() == "data_source_id (dataSourceId) is required");
        ec = ba::validate(ba::get_ingestion_job_request{"KB12345678", "DS12345678", "IJ/2345678"}, d);
        CHECK(d.client_message().find("ingestion_job_id (ingestionJobId) must match the pattern [0-9a-zA-Z]{10}") == 0);
        CHECK(ba::get_ingestion_job_path({"KB ID/12+3", "DS12345678", "IJ12345678"}) ==
              "/knowledgebases/KB%20ID%2F12%2B3/datasources/DS12345678/ingestionjobs/IJ12345678");
        ba::get_ingestion_job_response out;
        CHECK_FALSE(ba::parse_get_ingestion_job_response(
            R"({"ingestionJob":{"knowledgeBaseId":"KB12345678","dataSourceId":"DS12345678","ingestionJobId":"IJ12345678",)"
            R"("status":"COMPLETE","startedAt":"2026-11-28T10:00:00Z","updatedAt":"2026-11-28T10:05:00.5Z"}})",
            out, d));
        CHECK(out.ingestion_job.status == ba::ingestion_job_status::complete);
        CHECK(out.ingestion_job.updated_at.time_since_epoch().count() % 1000 == 500);
        CHECK(ba::parse_get_ingestion_job_response(R"({"job":{}})", out, d) == ba::errc::invalid_response);
        CHECK(d.client_message() == "ingestionJob: required member is missing");
    }

    TEST_CASE("endpoint URLs")
    {
        ba::endpoint ep;
        std::string why;
        REQUIRE_FALSE(ba::parse_endpoint("https://bedrock-agent.us-east-1.amazonaws.com", ep, why));
        CHECK(ep.tls);
        CHECK(ep.port == 443);
        CHECK(ep.host_header == "bedrock-agent.us-east-1.amazonaws.com");
        REQUIRE_FALSE(ba::parse_endpoint("http://127.0.0.1:8080/prefix/", ep, why));
        CHECK_FALSE(ep.tls);
        CHECK(ep.port == 8080);
        CHECK(ep.host_header == "127.0.0.1:8080");
        CHECK(ep.base_path == "/prefix");
        REQUIRE_FALSE(ba::parse_endpoint("https://[::1]:8443", ep, why));
        CHECK(ep.host == "::1");
        CHECK(ep.host_header == "[::1]:8443");
        REQUIRE_FALSE(ba::parse_endpoint("https://example.com:443", ep, why));
        CHECK(ep.host_header == "example.com");
        for (const char* bad : {"ftp://x", "https://", "https://:80", "https://h:0", "https://h:99999",
                                "https://h:12a", "https://u@h", "https://h/a?b", "https://h x", "https://[::1",
                                "https://h:"}) {
            CAPTURE(bad);
            CHECK(ba::parse_endpoint(bad, ep, why) == ba::errc::invalid_configuration);
            CHECK(why.find("invalid endpoint URL") == 0);
        }
        // User information (a password) never reaches a message, whatever else is wrong with the
        // URL, and wherever the '@' is.
        for (const char* bad : {"https://user:s3cret@host", "http://admin:s3cret@127.0.0.1:8080/x",
                                "https://a-very-long-user-name-for-the-quote:s3cret@h", "https://:s3cret@h x",
                                "https://u:s3cret@h/a?b", "ftp://u:s3cret@h"}) {
            CAPTURE(bad);
            CHECK(ba::parse_endpoint(bad, ep, why) == ba::errc::invalid_configuration);
            CHECK_MESSAGE(why.find("s3cret") == std::string::npos, why);
            CHECK_MESSAGE(why.find("***@") != std::string::npos, why);
        }
    }
}

TEST_SUITE("timestamps")
{
    TEST_CASE("restJson1 datetime-offsets.smithy and fractional-seconds.smithy")
    {
        for (auto [file, id] : {std::pair{"datetime-offsets.smithy", "RestJsonDateTimeWithNegativeOffset"},
                                std::pair{"datetime-offsets.smithy", "RestJsonDateTimeWithPositiveOffset"},
                                std::pair{"fractional-seconds.smithy", "RestJsonDateTimeWithFractionalSeconds"}}) {
            CAPTURE(id);
            auto [text, expected] = smithy_datetime_case(file, id);
            ba::timestamp t;
            REQUIRE(ba::parse_timestamp(text, t));
            CHECK(epoch_seconds(t) == doctest::Approx(expected).epsilon(1e-12));
        }
    }

    TEST_CASE("fractions, offsets and malformed date-times")
    {
        ba::timestamp t;
        REQUIRE(ba::parse_timestamp("2015-08-30T12:30:00.123456+00:00", t));
        CHECK(t.time_since_epoch().count() == 1440937800123);
        REQUIRE(ba::parse_timestamp("2015-08-30T12:30:00.1Z", t));
        CHECK(t.time_since_epoch().count() % 1000 == 100);
        REQUIRE(ba::parse_timestamp("2015-08-30t12:30:00z", t));
        REQUIRE(ba::parse_timestamp("2015-08-30T12:30:00+05:30", t));
        CHECK(ba::programs::format_timestamp(t) == "2015-08-30T07:00:00+00:00");
        // The ends of RFC 3339's range, in UTC, parse and write back.
        for (const char* edge : {"9999-12-31T23:59:59.999Z", "9999-12-31T23:48:17+01:00", "0000-01-01T00:00:00Z",
                                 "0000-01-01T00:30:00-01:00"}) {
            CAPTURE(edge);
            REQUIRE(ba::parse_timestamp(edge, t));
            ba::timestamp back;
            CHECK(ba::parse_timestamp(ba::programs::format_timestamp(t), back));
            CHECK(back == t);
        }
        for (const char* bad : {"", "2015-08-30", "2015-08-30T12:30:00", "2015-02-30T12:30:00Z",
                                "2015-08-30T24:30:00Z", "2015-08-30T12:30:00.Z", "2015-08-30T12:30:00+0530",
                                "2015-08-30 12:30:00Z", "2015-08-30T12:30:00Zjunk", "1440937800",
                                // in range as written, but not in UTC (found by fuzz_timestamp):
                                "9999-12-31T23:48:17-01:00", "0000-01-01T00:30:00+01:00"}) {
            CAPTURE(bad);
            CHECK_FALSE(ba::parse_timestamp(bad, t));
        }
    }

    TEST_CASE("format_timestamp prints as the AWS CLI does")
    {
        ba::timestamp t{milliseconds(1440937800123)};
        CHECK(ba::programs::format_timestamp(t) == "2015-08-30T12:30:00.123000+00:00");
        CHECK(ba::programs::format_timestamp(ba::timestamp{milliseconds(1440938160000)}) == "2015-08-30T12:36:00+00:00");
    }
}

TEST_SUITE("response")
{
    TEST_CASE("every member is parsed; unknown keys are ignored")
    {
        ba::stop_ingestion_job_response r;
        ba::diagnostics d;
        REQUIRE_FALSE(ba::parse_stop_ingestion_job_response(full_body, r, d));
        const auto& j = r.ingestion_job;
        CHECK(j.knowledge_base_id == "KBID123456");
        CHECK(j.data_source_id == "DSID123456");
        CHECK(j.ingestion_job_id == "JOBID12345");
        CHECK(j.description == std::optional<std::string>("nightly \xc3\xa9 sync"));
        CHECK(j.status == ba::ingestion_job_status::stopping);
        REQUIRE(j.statistics);
        CHECK(j.statistics->number_of_documents_scanned == 10);
        CHECK(j.statistics->number_of_metadata_documents_scanned == 2);
        CHECK(j.statistics->number_of_new_documents_indexed == 3);
        CHECK(j.statistics->number_of_modified_documents_indexed == 4);
        CHECK(j.statistics->number_of_metadata_documents_modified == 5);
        CHECK(j.statistics->number_of_documents_deleted == 6);
        CHECK(j.statistics->number_of_documents_failed == 7);
        CHECK(j.statistics->number_of_documents_skipped == 9223372036854775807LL);
        CHECK(j.failure_reasons == std::vector<std::string>{"a", "b\nc"});
        CHECK(j.started_at.time_since_epoch().count() == 1440937800123);
        CHECK(j.updated_at.time_since_epoch().count() == 1440938160000);
    }

    TEST_CASE("optional members may be absent or null; statistics default to 0")
    {
        ba::stop_ingestion_job_response r;
        ba::diagnostics d;
        REQUIRE_FALSE(ba::parse_stop_ingestion_job_response(
            R"({"ingestionJob":{"knowledgeBaseId":"K","dataSourceId":"D","ingestionJobId":"J","status":"COMPLETE",)"
            R"("description":null,"statistics":{"numberOfDocumentsScanned":1},"startedAt":"2020-01-01T00:00:00Z",)"
            R"("updatedAt":"2020-01-01T00:00:01Z"}})",
            r, d));
        CHECK_FALSE(r.ingestion_job.description);
        REQUIRE(r.ingestion_job.statistics);
        CHECK(r.ingestion_job.statistics->number_of_documents_failed == 0);
        CHECK(r.ingestion_job.failure_reasons.empty());
    }

    TEST_CASE("statistics members in any order, with unknown and null members between them")
    {
        ba::stop_ingestion_job_response r;
        ba::diagnostics d;
        REQUIRE_FALSE(ba::parse_stop_ingestion_job_response(
            R"({"ingestionJob":{"knowledgeBaseId":"K","dataSourceId":"D","ingestionJobId":"J","status":"COMPLETE",)"
            R"("statistics":{"numberOfDocumentsSkipped":8,"numberOfDocumentsFailed":7,"numberOfSomethingNew":99,)"
            R"("numberOfDocumentsDeleted":6,"numberOfMetadataDocumentsModified":5,"numberOfDocumentsScanned":1,)"
            R"("numberOfModifiedDocumentsIndexed":4,"numberOfNewDocumentsIndexed":3,"numberOfMetadataDocumentsScanned":null,)"
            R"("numberOfDocumentsScanned":11},"startedAt":"2020-01-01T00:00:00Z","updatedAt":"2020-01-01T00:00:01Z"}})",
            r, d));
        REQUIRE(r.ingestion_job.statistics);
        const auto& st = *r.ingestion_job.statistics;
        CHECK(st.number_of_documents_scanned == 11);  // a repeated member: the last one wins
        CHECK(st.number_of_metadata_documents_scanned == 0);
        CHECK(st.number_of_new_documents_indexed == 3);
        CHECK(st.number_of_modified_documents_indexed == 4);
        CHECK(st.number_of_metadata_documents_modified == 5);
        CHECK(st.number_of_documents_deleted == 6);
        CHECK(st.number_of_documents_failed == 7);
        CHECK(st.number_of_documents_skipped == 8);
    }

    TEST_CASE("an unknown status is kept as its text")
    {
        ba::stop_ingestion_job_response r;
        ba::diagnostics d;
        REQUIRE_FALSE(ba::parse_stop_ingestion_job_response(replace(full_body, "\"STOPPING\"", "\"PAUSED\""), r, d));
        CHECK(r.ingestion_job.status == ba::ingestion_job_status::unknown);
        CHECK(r.ingestion_job.status_text == "PAUSED");
    }

    TEST_CASE("bad bodies give invalid_response naming the member")
    {
        struct bad_case {
            std::string body;
            std::string message_part;
        };
        std::string b = full_body;
        std::vector<bad_case> cases = {
            {replace(b, "\"status\": \"STOPPING\",", ""), "ingestionJob.status: required member is missing"},
            {replace(b, "\"knowledgeBaseId\": \"KBID123456\",", ""), "ingestionJob.knowledgeBaseId: required"},
            {replace(b, "\"updatedAt\": \"2015-08-30T12:36:00Z\",", ""), "ingestionJob.updatedAt: required"},
            {"{}", "ingestionJob: required member is missing"},
            {replace(b, "\"STOPPING\"", "7"), "ingestionJob.status: wrong JSON type"},
            {replace(b, "\"numberOfDocumentsFailed\": 7", "\"numberOfDocumentsFailed\": \"7\""),
             "ingestionJob.statistics.numberOfDocumentsFailed: wrong JSON type"},
            {replace(b, "\"numberOfDocumentsFailed\": 7", "\"numberOfDocumentsFailed\": 1.5"),
             "ingestionJob.statistics.numberOfDocumentsFailed"},
            {replace(b, "\"numberOfDocumentsFailed\": 7", "\"numberOfDocumentsFailed\": 99999999999999999999"),
             "ingestionJob.statistics.numberOfDocumentsFailed"},
            {replace(b, "\"2015-08-30T12:36:00Z\"", "\"yesterday\""),
             "ingestionJob.updatedAt: not an RFC 3339 date-time: \"yesterday\""},
            {replace(b, "\"2015-08-30T12:36:00Z\"", "1440938160"), "ingestionJob.updatedAt: wrong JSON type"},
            {replace(b, "[\"a\", \"b\\nc\"]", "[\"a\", 3]"), "ingestionJob.failureReasons[]: wrong JSON type"},
            {replace(b, "\"statistics\": {", "\"statistics\": [{") , "ingestionJob.statistics"},
            {b.substr(0, b.size() / 2), "JSON"},
            {"", "response body: empty body"},
            {"[1]", "response body: not a JSON object"},
            {"null", "response body: not a JSON object"},
            {"not json", "response body"},
            {replace(b, "nightly \\u00e9 sync", "nightly \xc3 sync"), "invalid UTF-8"},
            {b + " {}", "trailing content"},
        };
        for (auto& c : cases) {
            CAPTURE(c.body);
            ba::stop_ingestion_job_response r;
            ba::diagnostics d;
            auto ec = ba::parse_stop_ingestion_job_response(c.body, r, d);
            CHECK(ec == ba::errc::invalid_response);
            CHECK_MESSAGE(d.client_message().find(c.message_part) != std::string::npos, d.client_message());
        }
    }

    TEST_CASE("the parser needs no padding from the caller")
    {
        // A body that ends exactly at the end of a heap block, so reading past it would be caught
        // by the sanitizers.
        std::string body = full_body;
        auto heap = std::make_unique<char[]>(body.size());
        std::memcpy(heap.get(), body.data(), body.size());
        ba::stop_ingestion_job_response r;
        ba::diagnostics d;
        CHECK_FALSE(ba::parse_stop_ingestion_job_response(std::string_view(heap.get(), body.size()), r, d));
    }

    TEST_CASE("to_json renders the AWS CLI's output")
    {
        ba::stop_ingestion_job_response r;
        ba::diagnostics d;
        REQUIRE_FALSE(ba::parse_stop_ingestion_job_response(full_body, r, d));
        std::string j = ba::programs::to_json(r);
        CHECK(j.find("    \"ingestionJob\": {\n        \"knowledgeBaseId\": \"KBID123456\",") != std::string::npos);
        CHECK(j.find("\"startedAt\": \"2015-08-30T12:30:00.123000+00:00\"") != std::string::npos);
        CHECK(j.find("\"numberOfDocumentsSkipped\": 9223372036854775807") != std::string::npos);
        CHECK(j.find("\"b\\nc\"") != std::string::npos);
        // And it parses back to the same value (timestamps are whole milliseconds).
        ba::stop_ingestion_job_response back;
        REQUIRE_FALSE(ba::parse_stop_ingestion_job_response(j, back, d));
        CHECK(back == r);
    }
}
