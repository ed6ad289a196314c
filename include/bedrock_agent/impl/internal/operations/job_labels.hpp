#ifndef BEDROCK_AGENT_IMPL_INTERNAL_OPERATIONS_JOB_LABELS_HPP
#define BEDROCK_AGENT_IMPL_INTERNAL_OPERATIONS_JOB_LABELS_HPP

// The URI of the operations on one ingestion job (Stop, Get):
// /knowledgebases/{knowledgeBaseId}/datasources/{dataSourceId}/ingestionjobs/{ingestionJobId}
// as pieces for the request writer (the labels as they are: the writer only takes its fixed-shape
// path when they need no encoding), and the labels for that check.

#include <string_view>

namespace bedrock_agent::detail {

template <class Op>
struct operation_for;

struct job_labels {
    template <class Sink, class Request>
    static void job_path(Sink&& sink, const Request& r)
    {
        sink(std::string_view("/knowledgebases/"));
        sink(std::string_view(r.knowledge_base_id));
        sink(std::string_view("/datasources/"));
        sink(std::string_view(r.data_source_id));
        sink(std::string_view("/ingestionjobs/"));
        sink(std::string_view(r.ingestion_job_id));
    }
    template <class F, class Request>
    static void labels(F&& f, const Request& r)
    {
        f(std::string_view(r.knowledge_base_id));
        f(std::string_view(r.data_source_id));
        f(std::string_view(r.ingestion_job_id));
    }
};

}  // namespace bedrock_agent::detail

#endif
