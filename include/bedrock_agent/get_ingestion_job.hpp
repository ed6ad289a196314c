#ifndef BEDROCK_AGENT_GET_INGESTION_JOB_HPP
#define BEDROCK_AGENT_GET_INGESTION_JOB_HPP

// Value types of the GetIngestionJob operation (service model bedrock-agent 2023-06-05). No I/O.

#include <bedrock_agent/stop_ingestion_job.hpp>  // ingestion_job

#include <string>

namespace bedrock_agent {

/// GetIngestionJobRequest. Every id is required and must match `[0-9a-zA-Z]{10}`; the client
/// checks that before any I/O and fails with errc::invalid_request naming the field.
struct get_ingestion_job_request {
    std::string knowledge_base_id;
    std::string data_source_id;
    std::string ingestion_job_id;
    bool operator==(const get_ingestion_job_request&) const = default;
};

/// GetIngestionJobResponse.
struct get_ingestion_job_response {
    bedrock_agent::ingestion_job ingestion_job;
    bool operator==(const get_ingestion_job_response&) const = default;
};

}  // namespace bedrock_agent

#endif
