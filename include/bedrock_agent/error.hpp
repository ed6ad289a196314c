#ifndef BEDROCK_AGENT_ERROR_HPP
#define BEDROCK_AGENT_ERROR_HPP

#include <bedrock_agent/detail/config.hpp>

#include <boost/system/error_code.hpp>

#include <string_view>
#include <type_traits>

namespace bedrock_agent {

/// What happened. Service errors map from the AWS error code (see `errc_from_aws_code`);
/// the others are raised on this side of the wire.
enum class errc {
    // Errors the service returned (the modeled StopIngestionJob errors first).
    throttling = 1,          ///< ThrottlingException (429) and the SDKs' other throttling codes
    access_denied,           ///< AccessDeniedException (403)
    validation,              ///< ValidationException (400)
    internal_server,         ///< InternalServerException (500)
    resource_not_found,      ///< ResourceNotFoundException (404)
    conflict,                ///< ConflictException (409)
    service_quota_exceeded,  ///< ServiceQuotaExceededException (402)
    service_unavailable,     ///< a bare 502/503/504 without a modeled error code
    unknown_service_error,   ///< any other non-2xx answer; diagnostics hold the code as sent

    // Errors raised by this library.
    invalid_request,         ///< the request failed validation before any I/O
    invalid_response,        ///< the response could not be parsed (diagnostics name the member)
    timeout,                 ///< attempt_timeout, operation_timeout, connect or handshake timeout
    response_too_large,      ///< the response headers or body went over the configured limit
    no_credentials,          ///< no credentials could be found
    invalid_configuration,   ///< region/endpoint/config could not be resolved
};

/// How callers group errors.
enum class condition {
    retryable = 1,  ///< worth trying again (transient, throttling, timeouts, dropped connections)
    throttling,     ///< the service asked us to slow down
    timeout,        ///< some deadline passed
};

BEDROCK_AGENT_DECL const boost::system::error_category& error_category() noexcept;
BEDROCK_AGENT_DECL const boost::system::error_category& condition_category() noexcept;

inline boost::system::error_code make_error_code(errc e) noexcept
{
    return {static_cast<int>(e), error_category()};
}

inline boost::system::error_condition make_error_condition(condition c) noexcept
{
    return {static_cast<int>(c), condition_category()};
}

/// Maps an AWS error code, as sanitised from the response, to an errc; when the code is unknown,
/// the HTTP status decides (429 throttling, 403 access_denied, 5xx ...).
BEDROCK_AGENT_DECL errc errc_from_aws_code(std::string_view aws_code, unsigned http_status) noexcept;

/// True for the throttling error codes of AWS's standard retry mode (botocore/retries/standard.py, ThrottledRetryableChecker).
BEDROCK_AGENT_DECL bool is_throttling_code(std::string_view aws_code) noexcept;

}  // namespace bedrock_agent

namespace boost::system {
template <>
struct is_error_code_enum<bedrock_agent::errc> : std::true_type {};
template <>
struct is_error_condition_enum<bedrock_agent::condition> : std::true_type {};
}  // namespace boost::system

#ifdef BEDROCK_AGENT_HEADER_ONLY
#include <bedrock_agent/impl/error.ipp>
#endif

#endif
