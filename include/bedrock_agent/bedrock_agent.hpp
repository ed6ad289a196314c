#ifndef BEDROCK_AGENT_BEDROCK_AGENT_HPP
#define BEDROCK_AGENT_BEDROCK_AGENT_HPP

// Everything public.
#include <bedrock_agent/blocking_client.hpp>
#include <bedrock_agent/client.hpp>
#include <bedrock_agent/client_params.hpp>
#include <bedrock_agent/credentials.hpp>
#include <bedrock_agent/diagnostics.hpp>
#include <bedrock_agent/endpoint_resolver.hpp>
#include <bedrock_agent/error.hpp>
#include <bedrock_agent/error_with_diagnostics.hpp>
#include <bedrock_agent/pool_params.hpp>
#include <bedrock_agent/protocol.hpp>
#include <bedrock_agent/retry_params.hpp>
#include <bedrock_agent/sigv4.hpp>
#include <bedrock_agent/get_ingestion_job.hpp>
#include <bedrock_agent/stop_ingestion_job.hpp>
#include <bedrock_agent/waiter_params.hpp>

#endif
