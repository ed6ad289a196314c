#ifndef BEDROCK_AGENT_IMPL_ERROR_IPP
#define BEDROCK_AGENT_IMPL_ERROR_IPP

#include <bedrock_agent/error.hpp>
#include <bedrock_agent/impl/internal/sansio/error_classifier.hpp>

#include <array>

namespace bedrock_agent {
namespace detail {

class errc_category final : public boost::system::error_category {
public:
    const char* name() const noexcept override { return "bedrock_agent"; }
    std::string message(int ev) const override
    {
        switch (static_cast<errc>(ev)) {
        case errc::throttling: return "the service throttled the request (ThrottlingException)";
        case errc::access_denied: return "access denied (AccessDeniedException)";
        case errc::validation: return "the service rejected the input (ValidationException)";
        case errc::internal_server: return "the service failed internally (InternalServerException)";
        case errc::resource_not_found: return "resource not found (ResourceNotFoundException)";
        case errc::conflict: return "conflict with the resource's state (ConflictException)";
        case errc::service_quota_exceeded: return "service quota exceeded (ServiceQuotaExceededException)";
        case errc::service_unavailable: return "the service is unavailable (HTTP 502/503/504)";
        case errc::unknown_service_error: return "the service returned an unrecognised error";
        case errc::invalid_request: return "invalid request";
        case errc::invalid_response: return "invalid response from the service";
        case errc::timeout: return "timed out";
        case errc::response_too_large: return "the response is larger than the configured limit";
        case errc::no_credentials: return "no AWS credentials found";
        case errc::invalid_configuration: return "invalid configuration";
        }
        return "unknown bedrock_agent error";
    }
    boost::system::error_condition default_error_condition(int ev) const noexcept override
    {
        switch (static_cast<errc>(ev)) {
        case errc::throttling: return make_error_condition(condition::throttling);
        case errc::timeout: return make_error_condition(condition::timeout);
        default: return {ev, *this};
        }
    }
};

class condition_category_impl final : public boost::system::error_category {
public:
    const char* name() const noexcept override { return "bedrock_agent.condition"; }
    std::string message(int ev) const override
    {
        switch (static_cast<condition>(ev)) {
        case condition::retryable: return "retryable error";
        case condition::throttling: return "throttling error";
        case condition::timeout: return "timeout";
        }
        return "unknown condition";
    }
    bool equivalent(const boost::system::error_code& ec, int cond) const noexcept override
    {
        switch (static_cast<condition>(cond)) {
        case condition::retryable: return sansio::classify(ec) != sansio::error_class::not_retryable;
        case condition::throttling: return sansio::classify(ec) == sansio::error_class::throttling;
        case condition::timeout: return sansio::is_timeout(ec);
        }
        return false;
    }
    bool equivalent(int code, const boost::system::error_condition& cond) const noexcept override
    {
        return cond.category() == *this && cond.value() == code;
    }
};

}  // namespace detail

BEDROCK_AGENT_DECL const boost::system::error_category& error_category() noexcept
{
    static const detail::errc_category c;
    return c;
}

BEDROCK_AGENT_DECL const boost::system::error_category& condition_category() noexcept
{
    static const detail::condition_category_impl c;
    return c;
}

BEDROCK_AGENT_DECL bool is_throttling_code(std::string_view code) noexcept
{
    // botocore standard.py ThrottledRetryableChecker._THROTTLED_ERROR_CODES.
    static constexpr std::array<std::string_view, 14> codes{
        "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException",
        "TooManyRequestsException", "ProvisionedThroughputExceededException",
        "TransactionInProgressException", "RequestLimitExceeded", "BandwidthLimitExceeded",
        "LimitExceededException", "RequestThrottled", "SlowDown", "PriorRequestNotComplete",
        "EC2ThrottledException"};
    for (auto c : codes)
        if (c == code) return true;
    return false;
}

BEDROCK_AGENT_DECL errc errc_from_aws_code(std::string_view code, unsigned status) noexcept
{
    if (is_throttling_code(code)) return errc::throttling;  // ThrottlingException is one of them
    if (code == "AccessDeniedException") return errc::access_denied;
    if (code == "ValidationException") return errc::validation;
    if (code == "InternalServerException") return errc::internal_server;
    if (code == "ResourceNotFoundException") return errc::resource_not_found;
    if (code == "ConflictException") return errc::conflict;
    if (code == "ServiceQuotaExceededException") return errc::service_quota_exceeded;
    // A code we do not model: fall back on the status, as aws-sdk-cpp's
    // GetErrorForHttpResponseCode does (aws-sdk-cpp CoreErrors.cpp).
    switch (status) {
    case 429: return errc::throttling;
    case 401:
    case 403: return errc::access_denied;
    case 404: return errc::resource_not_found;
    case 500: return errc::internal_server;
    case 502:
    case 503:
    case 504: return errc::service_unavailable;
    default: return errc::unknown_service_error;
    }
}

}  // namespace bedrock_agent

#endif
