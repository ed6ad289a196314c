#ifndef BEDROCK_AGENT_PROTOCOL_HPP
#define BEDROCK_AGENT_PROTOCOL_HPP

// The sans-io core of the REST-JSON wire protocol for StopIngestionJob: request validation,
// endpoint parsing, response and error parsing, RFC 3339 timestamps. No sockets, no clocks: the
// client, the command and the local endpoint are all built on these functions, and the tests
// drive them directly. (What the programs print is theirs: src/common/json_output.hpp.)

#include <bedrock_agent/detail/config.hpp>
#include <bedrock_agent/diagnostics.hpp>
#include <bedrock_agent/error.hpp>
#include <bedrock_agent/get_ingestion_job.hpp>
#include <bedrock_agent/stop_ingestion_job.hpp>

#include <boost/system/error_code.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace bedrock_agent {

/// Checks the request against the model (every id required, pattern `[0-9a-zA-Z]{10}`).
/// On failure returns errc::invalid_request, and diag.client_message() names the field and rule.
BEDROCK_AGENT_DECL boost::system::error_code validate(const stop_ingestion_job_request& req, diagnostics& diag);
BEDROCK_AGENT_DECL boost::system::error_code validate(const get_ingestion_job_request& req, diagnostics& diag);

/// True if `id` matches the model's `Id` shape: `[0-9a-zA-Z]{10}`.
BEDROCK_AGENT_DECL bool is_valid_id(std::string_view id) noexcept;

/// Where requests go: parsed from "https://host[:port][/base/path]" (IPv6 as "[::1]").
struct endpoint {
    bool tls = true;
    std::string host;       ///< without brackets
    std::uint16_t port = 443;
    std::string base_path;  ///< "" or "/prefix" (no trailing '/'): kept before the operation's path
    std::string host_header;  ///< host, plus ":port" when the port is not the scheme's default
    bool operator==(const endpoint&) const = default;
};

/// Parses an endpoint URL; on failure returns errc::invalid_configuration and names the fault.
BEDROCK_AGENT_DECL boost::system::error_code parse_endpoint(std::string_view url, endpoint& out, std::string& why);

/// The operation's path with the labels percent-encoded: /knowledgebases/{kb}/datasources/{ds}/ingestionjobs/{job}/stop
BEDROCK_AGENT_DECL std::string stop_ingestion_job_path(const stop_ingestion_job_request& req);
/// /knowledgebases/{kb}/datasources/{ds}/ingestionjobs/{job}
BEDROCK_AGENT_DECL std::string get_ingestion_job_path(const get_ingestion_job_request& req);

/// RFC 3339 date-time ("2019-12-16T22:48:18-01:00", optional fraction, 'Z' or an offset) to UTC ms.
/// Digits past milliseconds are truncated. Returns false if `s` is not a valid date-time.
BEDROCK_AGENT_DECL bool parse_timestamp(std::string_view s, timestamp& out) noexcept;

/// Parses a 2xx StopIngestionJob body. The body is taken as received (simdjson's padding is
/// handled inside). On failure returns errc::invalid_response with the member at fault named in
/// diag.client_message(), and `out` holds what was parsed so far. `out` is overwritten in place:
/// parsing into the same object again allocates nothing once its strings have grown.
BEDROCK_AGENT_DECL boost::system::error_code parse_stop_ingestion_job_response(std::string_view body,
                                                                              stop_ingestion_job_response& out,
                                                                              diagnostics& diag);

/// Parses a 2xx GetIngestionJob body (the same rules as StopIngestionJob's).
BEDROCK_AGENT_DECL boost::system::error_code parse_get_ingestion_job_response(std::string_view body,
                                                                             get_ingestion_job_response& out,
                                                                             diagnostics& diag);

/// What the error parser needs from a non-2xx response.
struct error_response_view {
    unsigned status = 0;
    std::string_view reason{};             ///< the status line's reason phrase
    std::string_view error_type_header{};  ///< X-Amzn-Errortype, if present
    std::string_view request_id_header{};  ///< x-amzn-RequestId, if present
    std::string_view body{};
};

/// The restJson1 error rules (Smithy aws-restjson1-protocol.rst): code from X-Amzn-Errortype, else `__type`, else
/// `code`, sanitised; message from `message` or `Message`; `fieldList` for ValidationException.
/// Fills diag (code, message, request id, status, field list) and returns the mapped errc.
BEDROCK_AGENT_DECL boost::system::error_code parse_error_response(const error_response_view& resp, diagnostics& diag);

/// "aws.ns#FooError:http://..." -> "FooError".
BEDROCK_AGENT_DECL std::string_view sanitize_error_code(std::string_view code) noexcept;

}  // namespace bedrock_agent

#ifdef BEDROCK_AGENT_HEADER_ONLY
#include <bedrock_agent/impl/protocol.ipp>
#endif

#endif
