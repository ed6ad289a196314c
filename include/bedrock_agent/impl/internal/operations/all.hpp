#ifndef BEDROCK_AGENT_IMPL_INTERNAL_OPERATIONS_ALL_HPP
#define BEDROCK_AGENT_IMPL_INTERNAL_OPERATIONS_ALL_HPP

// Every operation's descriptor (a new operation adds its line here).

#include <bedrock_agent/impl/internal/operations/get_ingestion_job.hpp>
#include <bedrock_agent/impl/internal/operations/stop_ingestion_job.hpp>

#endif
