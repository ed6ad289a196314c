#ifndef BEDROCK_AGENT_STOP_INGESTION_JOB_HPP
#define BEDROCK_AGENT_STOP_INGESTION_JOB_HPP

// Value types of the StopIngestionJob operation (service model bedrock-agent 2023-06-05). No I/O.

#include <chrono>
#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace bedrock_agent {

/// Timestamps are UTC with millisecond precision (the service sends RFC 3339 date-times).
using timestamp = std::chrono::sys_time<std::chrono::milliseconds>;

/// StopIngestionJobRequest. Every id is required and must match `[0-9a-zA-Z]{10}`; the client
/// checks that before any I/O and fails with errc::invalid_request naming the field.
struct stop_ingestion_job_request {
    std::string knowledge_base_id;
    std::string data_source_id;
    std::string ingestion_job_id;
    bool operator==(const stop_ingestion_job_request&) const = default;
};

/// IngestionJobStatus. A value this library does not know is kept as `unknown` with its text in
/// ingestion_job::status_text.
enum class ingestion_job_status { starting, in_progress, complete, failed, stopping, stopped, unknown };

/// IngestionJobStatistics: all counters default to 0, as in the model.
struct ingestion_job_statistics {
    std::int64_t number_of_documents_scanned = 0;
    std::int64_t number_of_metadata_documents_scanned = 0;
    std::int64_t number_of_new_documents_indexed = 0;
    std::int64_t number_of_modified_documents_indexed = 0;
    std::int64_t number_of_metadata_documents_modified = 0;
    std::int64_t number_of_documents_deleted = 0;
    std::int64_t number_of_documents_failed = 0;
    std::int64_t number_of_documents_skipped = 0;
    bool operator==(const ingestion_job_statistics&) const = default;
};

/// IngestionJob.
struct ingestion_job {
    std::string knowledge_base_id;
    std::string data_source_id;
    std::string ingestion_job_id;
    std::optional<std::string> description;
    ingestion_job_status status = ingestion_job_status::unknown;
    std::string status_text;  ///< the status exactly as sent ("STOPPING", or a value we don't know)
    std::optional<ingestion_job_statistics> statistics;
    std::vector<std::string> failure_reasons;
    timestamp started_at{};
    timestamp updated_at{};
    bool operator==(const ingestion_job&) const = default;
};

/// StopIngestionJobResponse.
struct stop_ingestion_job_response {
    bedrock_agent::ingestion_job ingestion_job;
    bool operator==(const stop_ingestion_job_response&) const = default;
};

/// "STARTING", "IN_PROGRESS", ...; "UNKNOWN" for unknown.
inline const char* to_string(ingestion_job_status s) noexcept
{
    switch (s) {
    case ingestion_job_status::starting: return "STARTING";
    case ingestion_job_status::in_progress: return "IN_PROGRESS";
    case ingestion_job_status::complete: return "COMPLETE";
    case ingestion_job_status::failed: return "FAILED";
    case ingestion_job_status::stopping: return "STOPPING";
    case ingestion_job_status::stopped: return "STOPPED";
    case ingestion_job_status::unknown: break;
    }
    return "UNKNOWN";
}

inline std::ostream& operator<<(std::ostream& os, ingestion_job_status s) { return os << to_string(s); }

}  // namespace bedrock_agent

#endif
