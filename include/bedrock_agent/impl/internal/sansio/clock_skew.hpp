#ifndef BEDROCK_AGENT_IMPL_INTERNAL_SANSIO_CLOCK_SKEW_HPP
#define BEDROCK_AGENT_IMPL_INTERNAL_SANSIO_CLOCK_SKEW_HPP

// Clock skew correction, as the AWS SDKs for Java (ClockSkewAdjuster, ClockSkew.java), Go
// (aws/retry ClockSkew), JavaScript v3 (middleware-signing's getSkewCorrectedDate) and Rust do
// it: when the service refuses a signature as out of date, the client takes the offset between
// the response's Date header and its own clock, signs with it from then on, and retries. Pure
// functions: the caller passes the clock.

#include <chrono>
#include <optional>
#include <string_view>

namespace bedrock_agent::sansio {

/// The AWS error codes that say a signature's time is off (aws-sdk-java-v2's
/// ClockSkew.CLOCK_SKEW_ERROR_CODES).
inline bool is_clock_skew_code(std::string_view code) noexcept
{
    return code == "RequestTimeTooSkewed" || code == "RequestExpired" || code == "RequestInTheFuture" ||
           code == "InvalidSignatureException" || code == "SignatureDoesNotMatch" || code == "AuthFailure";
}

/// An HTTP Date in the IMF-fixdate form every HTTP/1.1 server sends (RFC 9110 section 5.6.7):
/// "Sun, 06 Nov 1994 08:49:37 GMT". Anything else is nullopt.
inline std::optional<std::chrono::system_clock::time_point> parse_http_date(std::string_view s) noexcept
{
    if (s.size() != 29 || s[3] != ',' || s[4] != ' ' || s[7] != ' ' || s[11] != ' ' || s[16] != ' ' || s[19] != ':' ||
        s[22] != ':' || s.substr(25) != " GMT")
        return std::nullopt;
    auto num = [&](std::size_t at, std::size_t n, int& out) {
        out = 0;
        for (std::size_t i = at; i < at + n; ++i) {
            if (s[i] < '0' || s[i] > '9') return false;
            out = out * 10 + (s[i] - '0');
        }
        return true;
    };
    static constexpr std::string_view months = "JanFebMarAprMayJunJulAugSepOctNovDec";
    const auto m = months.find(s.substr(8, 3));
    int day, year, hh, mm, ss;
    if (m == std::string_view::npos || m % 3 != 0 || !num(5, 2, day) || !num(12, 4, year) || !num(17, 2, hh) ||
        !num(20, 2, mm) || !num(23, 2, ss) || hh > 23 || mm > 59 || ss > 60)
        return std::nullopt;
    const std::chrono::year_month_day ymd{std::chrono::year(year), std::chrono::month(static_cast<unsigned>(m / 3 + 1)),
                                          std::chrono::day(static_cast<unsigned>(day))};
    if (!ymd.ok()) return std::nullopt;
    return std::chrono::sys_days(ymd) + std::chrono::hours(hh) + std::chrono::minutes(mm) + std::chrono::seconds(ss);
}

/// The skew past which the offset is corrected (the SDKs' 4 minutes; the service allows 5).
inline constexpr std::chrono::minutes clock_skew_threshold{4};

/// After an error answer: the offset to add to the local clock when signing (server time minus
/// local time), if the error says the signature's time is off and the server's Date is more than
/// clock_skew_threshold away from `local_now`; else nullopt.
inline std::optional<std::chrono::seconds> clock_skew_offset(std::string_view aws_code, std::string_view date,
                                                             std::chrono::system_clock::time_point local_now) noexcept
{
    if (!is_clock_skew_code(aws_code)) return std::nullopt;
    auto server = parse_http_date(date);
    if (!server) return std::nullopt;
    auto skew = std::chrono::duration_cast<std::chrono::seconds>(*server - local_now);
    if (skew < clock_skew_threshold && skew > -clock_skew_threshold) return std::nullopt;
    return skew;
}

}  // namespace bedrock_agent::sansio

#endif
