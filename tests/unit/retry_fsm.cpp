// The standard-mode retry state machine, stepped action by action.
#include <bedrock_agent/impl/internal/sansio/retry_fsm.hpp>

#include <boost/asio/error.hpp>

#include <doctest/doctest.h>

namespace ba = bedrock_agent;
using ba::sansio::attempt_outcome;
using ba::sansio::retry_action;
using ba::sansio::retry_fsm;
using ba::sansio::retry_quota;
using namespace std::chrono;

namespace {
const attempt_outcome throttled{ba::errc::throttling, 429, "ThrottlingException"};
const attempt_outcome server_error{ba::errc::internal_server, 500, "InternalServerException"};
const attempt_outcome success{};
}  // namespace

TEST_SUITE("retry")
{
    TEST_CASE("throttled three times: send, sleep, send, sleep, send, done(throttling)")
    {
        ba::retry_params p;
        retry_quota q(p.quota_capacity);
        retry_fsm fsm(p, q);
        auto a = fsm.start();
        CHECK(a.kind == retry_action::send);
        CHECK(a.attempt == 1);
        a = fsm.resume(throttled, 0.5);
        CHECK(a.kind == retry_action::sleep);
        CHECK(a.delay == milliseconds(500));  // 0.5 * min(2^0 * 1 s, 20 s)
        a = fsm.resume_after_sleep();
        CHECK(a.kind == retry_action::send);
        CHECK(a.attempt == 2);
        a = fsm.resume(throttled, 0.5);
        CHECK(a.kind == retry_action::sleep);
        CHECK(a.delay == milliseconds(1000));  // 0.5 * 2 s
        a = fsm.resume_after_sleep();
        CHECK(a.attempt == 3);
        a = fsm.resume(throttled, 0.5);
        CHECK(a.kind == retry_action::done);
        CHECK(a.ec == ba::errc::throttling);
        CHECK(fsm.attempts() == 3);
        CHECK(q.available() == 490);  // two retries at 5 tokens each
    }

    TEST_CASE("backoff is capped at max_backoff and scales with the random input")
    {
        ba::retry_params p;
        p.max_attempts = 10;
        retry_quota q(p.quota_capacity);
        retry_fsm fsm(p, q);
        fsm.start();
        for (int i = 1; i < 8; ++i) {
            auto a = fsm.resume(server_error, 0.999999);
            REQUIRE(a.kind == retry_action::sleep);
            CHECK(a.delay <= p.max_backoff);
            CHECK(a.delay <= p.base_delay * (1 << (i - 1)));
            fsm.resume_after_sleep();
        }
        auto a = fsm.resume(server_error, 0.0);
        CHECK(a.delay == nanoseconds(0));
    }

    TEST_CASE("non-retryable errors end at once")
    {
        for (auto o : {attempt_outcome{ba::errc::validation, 400, "ValidationException"},
                       attempt_outcome{ba::errc::conflict, 409, "ConflictException"},
                       attempt_outcome{ba::errc::access_denied, 403, "AccessDeniedException"},
                       attempt_outcome{ba::errc::resource_not_found, 404, "ResourceNotFoundException"},
                       attempt_outcome{boost::asio::error::operation_aborted, 0, {}}}) {
            ba::retry_params p;
            retry_quota q;
            retry_fsm fsm(p, q);
            fsm.start();
            auto a = fsm.resume(o, 0.5);
            CHECK(a.kind == retry_action::done);
            CHECK(a.ec == o.ec);
            CHECK(q.available() == 500);
        }
    }

    TEST_CASE("transient: 5xx, RequestTimeout codes, dropped connections, timeouts")
    {
        for (auto o : {attempt_outcome{ba::errc::service_unavailable, 503, "503"},
                       attempt_outcome{ba::errc::service_unavailable, 502, "502"},
                       attempt_outcome{ba::errc::service_unavailable, 504, "504"},
                       attempt_outcome{ba::errc::unknown_service_error, 400, "RequestTimeoutException"},
                       attempt_outcome{ba::errc::unknown_service_error, 400, "PriorRequestNotComplete"},
                       attempt_outcome{boost::asio::error::connection_reset, 0, {}},
                       attempt_outcome{boost::asio::error::eof, 0, {}}}) {
            CAPTURE(o.ec.message());
            ba::retry_params p;
            retry_quota q;
            retry_fsm fsm(p, q);
            fsm.start();
            CHECK(fsm.resume(o, 0.5).kind == retry_action::sleep);
            CHECK(q.available() == 495);
        }
        ba::retry_params p;
        retry_quota q;
        retry_fsm fsm(p, q);
        fsm.start();
        CHECK(fsm.resume(attempt_outcome{ba::errc::timeout, 0, {}}, 0.5).kind == retry_action::sleep);
        CHECK(q.available() == 490);  // a timeout costs 10
    }

    TEST_CASE("the quota: success gives back 1, or what its retries took; empty quota stops retries")
    {
        ba::retry_params p;
        retry_quota q(12);
        {
            retry_fsm fsm(p, q);
            fsm.start();
            CHECK(fsm.resume(success, 0.5).kind == retry_action::done);
            CHECK(q.available() == 12);  // capped at capacity
        }
        {
            retry_fsm fsm(p, q);
            fsm.start();
            CHECK(fsm.resume(server_error, 0.5).kind == retry_action::sleep);
            CHECK(q.available() == 7);
            fsm.resume_after_sleep();
            CHECK(fsm.resume(server_error, 0.5).kind == retry_action::sleep);
            CHECK(q.available() == 2);
            fsm.resume_after_sleep();
            auto a = fsm.resume(success, 0.5);
            CHECK(a.kind == retry_action::done);
            CHECK_FALSE(a.ec);
            CHECK(q.available() == 7);  // the last acquisition comes back
        }
        {
            retry_quota empty(4);
            retry_fsm fsm(p, empty);
            fsm.start();
            auto a = fsm.resume(server_error, 0.5);
            CHECK(a.kind == retry_action::done);
            CHECK(a.quota_exhausted);
            CHECK(a.ec == ba::errc::internal_server);
        }
    }

    TEST_CASE("max_attempts 1 disables retries")
    {
        ba::retry_params p;
        p.max_attempts = 1;
        retry_quota q;
        retry_fsm fsm(p, q);
        fsm.start();
        CHECK(fsm.resume(throttled, 0.5).kind == retry_action::done);
    }
}

#include <bedrock_agent/impl/internal/sansio/clock_skew.hpp>

TEST_SUITE("retry")
{
    TEST_CASE("clock skew: the HTTP date, the offset past 4 minutes, and one immediate retry at no quota cost")
    {
        using ba::sansio::clock_skew_offset;
        using ba::sansio::parse_http_date;
        auto t = parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT");
        REQUIRE(t);
        CHECK(duration_cast<seconds>(t->time_since_epoch()).count() == 784111777);
        CHECK(parse_http_date("Mon, 07 Dec 2026 23:59:60 GMT"));  // a leap second is a valid field
        for (const char* bad : {"", "Sun, 06 Nov 1994 08:49:37 UTC", "Sunday, 06-Nov-94 08:49:37 GMT",
                                "Sun Nov  6 08:49:37 1994", "Sun, 31 Feb 1994 08:49:37 GMT", "Sun, 06 Nox 1994 08:49:37 GMT",
                                "Sun, 06 Nov 1994 24:49:37 GMT", "Sun, 0x Nov 1994 08:49:37 GMT"}) {
            CAPTURE(bad);
            CHECK_FALSE(parse_http_date(bad));
        }
        const auto local = *parse_http_date("Mon, 07 Dec 2026 12:00:00 GMT");
        // 20 minutes ahead, each of the codes: corrected.
        for (const char* code : {"RequestTimeTooSkewed", "RequestExpired", "InvalidSignatureException",
                                 "SignatureDoesNotMatch", "AuthFailure", "RequestInTheFuture"}) {
            CAPTURE(code);
            auto off = clock_skew_offset(code, "Mon, 07 Dec 2026 12:20:00 GMT", local);
            REQUIRE(off);
            CHECK(*off == minutes(20));
        }
        CHECK(*clock_skew_offset("InvalidSignatureException", "Mon, 07 Dec 2026 11:40:00 GMT", local) == minutes(-20));
        // Within 4 minutes, another code, or no usable date: nothing to correct.
        CHECK_FALSE(clock_skew_offset("InvalidSignatureException", "Mon, 07 Dec 2026 12:03:59 GMT", local));
        CHECK(clock_skew_offset("InvalidSignatureException", "Mon, 07 Dec 2026 12:04:00 GMT", local));
        CHECK_FALSE(clock_skew_offset("AccessDeniedException", "Mon, 07 Dec 2026 12:20:00 GMT", local));
        CHECK_FALSE(clock_skew_offset("InvalidSignatureException", "", local));

        // The state machine: one immediate retry (no sleep, no quota), then the normal rules.
        ba::retry_params p;
        retry_quota q(p.quota_capacity);
        retry_fsm fsm(p, q);
        fsm.start();
        attempt_outcome skewed{ba::errc::access_denied, 403, "InvalidSignatureException", true};
        auto a = fsm.resume(skewed, 0.5);
        CHECK(a.kind == retry_action::send);
        CHECK(a.attempt == 2);
        CHECK(q.available() == p.quota_capacity);
        a = fsm.resume(skewed, 0.5);  // a second time in the same call: fatal (a 403)
        CHECK(a.kind == retry_action::done);
        // max_attempts 1: no retry at all.
        p.max_attempts = 1;
        retry_fsm one(p, q);
        one.start();
        CHECK(one.resume(skewed, 0.5).kind == retry_action::done);
    }
}

#include <bedrock_agent/impl/internal/sansio/sts_xml.hpp>

TEST_SUITE("retry")
{
    TEST_CASE("retry parity with botocore: a name that does not resolve; STS's IDPCommunicationError and throttling")
    {
        using ba::sansio::classify;
        using ba::sansio::error_class;
        namespace aerr = boost::asio::error;
        // EndpointConnectionError covers every failed lookup.
        for (auto ec : {aerr::host_not_found, aerr::host_not_found_try_again, aerr::no_data, aerr::no_recovery}) {
            CAPTURE(boost::system::error_code(ec).message());
            CHECK(classify(ec) == error_class::transient);
        }
        using ba::sansio::sts_retryable;
        CHECK(sts_retryable({}, 400, "IDPCommunicationError"));
        CHECK(sts_retryable({}, 400, "Throttling"));
        CHECK(sts_retryable({}, 503, ""));
        CHECK(sts_retryable(aerr::connection_reset, 0, ""));
        CHECK(sts_retryable(ba::errc::timeout, 0, ""));
        CHECK_FALSE(sts_retryable({}, 400, "InvalidIdentityToken"));
        CHECK_FALSE(sts_retryable({}, 403, "AccessDenied"));
        CHECK_FALSE(sts_retryable({}, 400, "ExpiredTokenException"));
    }
}
