#ifndef BEDROCK_AGENT_IMPL_INTERNAL_SANSIO_REQUEST_BUILDER_HPP
#define BEDROCK_AGENT_IMPL_INTERNAL_SANSIO_REQUEST_BUILDER_HPP

// An operation's request -> the HTTP request botocore sends (botocore/serialize.py, RestJSONSerializer),
// for example StopIngestionJob's:
//   POST /knowledgebases/{kb}/datasources/{ds}/ingestionjobs/{job}/stop
//   Host, User-Agent, X-Amz-Date, [X-Amz-Security-Token], Authorization (signing name "bedrock",
//   signed headers host;x-amz-date[;x-amz-security-token]), amz-sdk-invocation-id,
//   amz-sdk-request: attempt=N; max=M, Content-Length: 0. No body, no Content-Type.
// A GET (GetIngestionJob) has no Content-Length: botocore sets it for every method but GET, HEAD
// and OPTIONS (botocore/awsrequest.py, AWSRequestPreparer._prepare_headers).
// The method and the path come from the operation's descriptor (impl/internal/operations/).

#include <bedrock_agent/credentials.hpp>
#include <bedrock_agent/detail/config.hpp>
#include <bedrock_agent/protocol.hpp>
#include <bedrock_agent/impl/internal/operations/all.hpp>
#include <bedrock_agent/sigv4.hpp>

#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/message.hpp>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

namespace bedrock_agent::sansio {

inline constexpr std::string_view signing_name = "bedrock";
inline constexpr std::string_view user_agent = "bedrock-agent-asio/" BEDROCK_AGENT_VERSION_STRING " lang/cpp";

using http_request = boost::beast::http::request<boost::beast::http::empty_body>;

/// Whether botocore sends Content-Length for a request of this method (botocore/awsrequest.py,
/// AWSRequestPreparer._prepare_headers: not for GET, HEAD or OPTIONS).
constexpr bool sends_content_length(std::string_view method) noexcept
{
    return method != "GET" && method != "HEAD" && method != "OPTIONS";
}

struct build_context {
    const endpoint& ep;
    const credentials& creds;
    std::string_view region;
    std::chrono::system_clock::time_point now;
    std::string_view invocation_id;
    unsigned attempt = 1;
    unsigned max_attempts = 1;
    sigv4::signing_key_cache* key_cache = nullptr;
};

/// Builds and signs one attempt (any operation without a body). The request must have passed
/// its validation.
template <class Request>
inline http_request build_request(const Request& req, const build_context& ctx, sigv4::signing_result* stages = nullptr)
{
    namespace http = boost::beast::http;
    using op = typename detail::operation_for<Request>::type;
    static_assert(!op::has_body, "request bodies are not written here yet");
    std::string target = ctx.ep.base_path + op::encoded_path(req);
    sigv4::header_view hv[] = {{"host", ctx.ep.host_header}};
    sigv4::signable_request sreq{op::method, target, {}, hv, {}, sigv4::empty_payload_sha256};
    sigv4::signing_params sp{ctx.creds.access_key_id, ctx.creds.secret_access_key, ctx.creds.session_token,
                             ctx.region, signing_name, ctx.now, {}};
    sigv4::signing_result sig = sigv4::sign(sreq, sp, ctx.key_cache);

    http_request r{http::string_to_verb(op::method), target, 11};
    r.set(http::field::host, ctx.ep.host_header);
    r.set(http::field::user_agent, user_agent);
    for (auto& h : sig.headers_to_add) r.set(h.name, h.value);
    r.set("amz-sdk-invocation-id", ctx.invocation_id);
    char buf[48];
    int n = std::snprintf(buf, sizeof buf, "attempt=%u; max=%u", ctx.attempt, ctx.max_attempts);
    r.set("amz-sdk-request", std::string_view(buf, static_cast<std::size_t>(n)));
    if (sends_content_length(op::method)) r.set(http::field::content_length, "0");
    r.keep_alive(true);
    if (stages) *stages = std::move(sig);
    return r;
}

inline http_request build_stop_ingestion_job(const stop_ingestion_job_request& req, const build_context& ctx,
                                             sigv4::signing_result* stages = nullptr)
{
    return build_request(req, ctx, stages);
}

}  // namespace bedrock_agent::sansio

#endif
