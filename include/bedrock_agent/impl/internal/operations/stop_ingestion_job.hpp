#ifndef BEDROCK_AGENT_IMPL_INTERNAL_OPERATIONS_STOP_INGESTION_JOB_HPP
#define BEDROCK_AGENT_IMPL_INTERNAL_OPERATIONS_STOP_INGESTION_JOB_HPP

// The StopIngestionJob operation as a descriptor (impl/internal/operation.hpp says what one
// holds). From the service model, bedrock-agent 2023-06-05 service-2.json, "StopIngestionJob":
//   "http":{"method":"POST","requestUri":"/knowledgebases/{knowledgeBaseId}/datasources/{dataSourceId}/ingestionjobs/{ingestionJobId}/stop","responseCode":202}
// Three URI labels, no body, no idempotency token; "idempotent":true in the model.

#include <bedrock_agent/protocol.hpp>
#include <bedrock_agent/impl/internal/operations/job_labels.hpp>
#include <bedrock_agent/stop_ingestion_job.hpp>

#include <string>
#include <string_view>

namespace bedrock_agent::detail {

struct stop_ingestion_job_op : job_labels {
    using request = stop_ingestion_job_request;
    using response = stop_ingestion_job_response;
    static constexpr std::string_view name = "StopIngestionJob";
    static constexpr std::string_view method = "POST";
    static constexpr bool idempotent = true;
    static constexpr bool has_body = false;

    /// The path, piece by piece: literal text and the URI labels. A label goes out as it is
    /// when it needs no percent-encoding (labels()); otherwise the generic writer encodes it.
    template <class Sink>
    static void path(Sink&& sink, const request& r)
    {
        job_path(sink, r);
        sink(std::string_view("/stop"));
    }
    static std::string encoded_path(const request& r) { return stop_ingestion_job_path(r); }
    static void body(std::string&, const request&) {}

    static boost::system::error_code validate(const request& r, diagnostics& d) { return bedrock_agent::validate(r, d); }
    static boost::system::error_code parse(std::string_view body, response& out, diagnostics& d)
    {
        return parse_stop_ingestion_job_response(body, out, d);
    }
};

template <>
struct operation_for<stop_ingestion_job_request> {
    using type = stop_ingestion_job_op;
};

}  // namespace bedrock_agent::detail

#endif
