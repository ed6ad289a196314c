// error.hpp comes first, outside the guard: in header-only mode it includes error.ipp, which
// includes this file back and needs it complete.
#include <bedrock_agent/error.hpp>

#ifndef BEDROCK_AGENT_IMPL_INTERNAL_SANSIO_ERROR_CLASSIFIER_HPP
#define BEDROCK_AGENT_IMPL_INTERNAL_SANSIO_ERROR_CLASSIFIER_HPP

// The one place that decides whether an outcome is worth retrying (AWS standard retry mode,
// botocore/retries/standard.py). The retry state machine and the error conditions only ask it.

#include <boost/asio/error.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/error.hpp>

#include <string_view>

namespace bedrock_agent::sansio {

enum class error_class {
    not_retryable,  ///< do not retry
    transient,   ///< 500/502/503/504, RequestTimeout*, dropped connections
    timeout,     ///< our own deadline passed mid-attempt (costs more retry quota)
    throttling,  ///< the service asked us to slow down
};

inline bool is_timeout(const boost::system::error_code& ec) noexcept
{
    return ec == errc::timeout || ec == boost::beast::error::timeout ||
           ec == boost::asio::error::timed_out;
}

/// A service answer: HTTP status and the sanitised AWS error code.
inline error_class classify(unsigned status, std::string_view aws_code) noexcept
{
    if (is_throttling_code(aws_code) || status == 429) return error_class::throttling;
    if (aws_code == "RequestTimeout" || aws_code == "RequestTimeoutException")
        return error_class::transient;
    if (status == 500 || status == 502 || status == 503 || status == 504) return error_class::transient;
    return error_class::not_retryable;
}

/// A failure known only by its error code (network, TLS, our own codes).
inline error_class classify(const boost::system::error_code& ec) noexcept
{
    namespace aerr = boost::asio::error;
    if (!ec) return error_class::not_retryable;
    if (is_timeout(ec)) return error_class::timeout;
    if (ec.category() == error_category()) {
        switch (static_cast<errc>(ec.value())) {
        case errc::throttling: return error_class::throttling;
        case errc::internal_server:
        case errc::service_unavailable: return error_class::transient;
        default: return error_class::not_retryable;
        }
    }
    // A connection that broke or never came up (botocore's ConnectionError / HTTPClientError).
    if (ec == aerr::connection_reset || ec == aerr::connection_refused ||
        ec == aerr::connection_aborted || ec == aerr::broken_pipe || ec == aerr::eof ||
        ec == aerr::network_unreachable || ec == aerr::host_unreachable ||
        ec == aerr::network_down || ec == aerr::network_reset ||
        ec == aerr::host_not_found_try_again || ec == boost::beast::http::error::end_of_stream ||
        // A name that did not resolve: botocore retries EndpointConnectionError, which covers it.
        ec == aerr::host_not_found || ec == aerr::no_data || ec == aerr::no_recovery ||
        ec == boost::beast::http::error::partial_message ||
        ec == boost::asio::ssl::error::stream_truncated)
        return error_class::transient;
    // Malformed HTTP from the peer (a proxy or a server mid-restart): botocore retries urllib3's
    // ProtocolError as HTTPClientError. Our own size limits are not retried.
    if (ec.category() == boost::beast::http::make_error_code(boost::beast::http::error::bad_version).category() &&
        ec != boost::beast::http::error::body_limit && ec != boost::beast::http::error::header_limit &&
        ec != boost::beast::http::error::buffer_overflow)
        return error_class::transient;
    return error_class::not_retryable;
}

}  // namespace bedrock_agent::sansio

#endif
