#ifndef BEDROCK_AGENT_IMPL_INTERNAL_OPERATIONS_GET_INGESTION_JOB_HPP
#define BEDROCK_AGENT_IMPL_INTERNAL_OPERATIONS_GET_INGESTION_JOB_HPP

// The GetIngestionJob operation as a descriptor (impl/internal/operation.hpp says what one
// holds). From the service model, bedrock-agent 2023-06-05 service-2.json, "GetIngestionJob":
//   "http":{"method":"GET","requestUri":"/knowledgebases/{knowledgeBaseId}/datasources/{dataSourceId}/ingestionjobs/{ingestionJobId}","responseCode":200}
// Three URI labels, no body, no idempotency token; a read (no "idempotent" trait in the model,
// but it changes nothing).

#include <bedrock_agent/get_ingestion_job.hpp>
#include <bedrock_agent/protocol.hpp>
#include <bedrock_agent/impl/internal/operations/job_labels.hpp>

#include <string>
#include <string_view>

namespace bedrock_agent::detail {

struct get_ingestion_job_op : job_labels {
    using request = get_ingestion_job_request;
    using response = get_ingestion_job_response;
    static constexpr std::string_view name = "GetIngestionJob";
    static constexpr std::string_view method = "GET";
    static constexpr bool idempotent = true;
    static constexpr bool has_body = false;

    template <class Sink>
    static void path(Sink&& sink, const request& r)
    {
        job_path(sink, r);
    }
    static std::string encoded_path(const request& r) { return get_ingestion_job_path(r); }
    static void body(std::string&, const request&) {}

    static boost::system::error_code validate(const request& r, diagnostics& d) { return bedrock_agent::validate(r, d); }
    static boost::system::error_code parse(std::string_view body, response& out, diagnostics& d)
    {
        return parse_get_ingestion_job_response(body, out, d);
    }
};

template <>
struct operation_for<get_ingestion_job_request> {
    using type = get_ingestion_job_op;
};

}  // namespace bedrock_agent::detail

#endif
