#ifndef BEDROCK_AGENT_PROGRAMS_JSON_OUTPUT_HPP
#define BEDROCK_AGENT_PROGRAMS_JSON_OUTPUT_HPP

// What the programs print and serve, as JSON: the response as the AWS CLI prints it (AWS member
// names, 4-space indent, ISO 8601 times) and the JSON string escaping the command and the local
// endpoint write with. Not part of the library: a program's output format, not the client's.

#include <bedrock_agent/stop_ingestion_job.hpp>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <utility>

namespace bedrock_agent::programs {

/// ISO 8601 the way the AWS CLI prints it: "2015-08-30T12:30:00.123000+00:00" (no fraction when 0).
inline std::string format_timestamp(timestamp t)
{
    using namespace std::chrono;
    auto day = floor<days>(t);
    year_month_day ymd{day};
    hh_mm_ss<milliseconds> tod{t - day};
    char buf[40];
    int n = std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d", static_cast<int>(ymd.year()),
                          static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                          static_cast<int>(tod.hours().count()), static_cast<int>(tod.minutes().count()),
                          static_cast<int>(tod.seconds().count()));
    std::string out(buf, static_cast<std::size_t>(n));
    if (auto ms = tod.subseconds().count(); ms != 0) {
        std::snprintf(buf, sizeof buf, ".%03d000", static_cast<int>(ms));
        out += buf;
    }
    out += "+00:00";
    return out;
}

/// JSON string escaping.
inline void append_json_string(std::string& out, std::string_view s)
{
    out.push_back('"');
    for (unsigned char c : s) {
        switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        case '\b': out += "\\b"; break;
        case '\f': out += "\\f"; break;
        default:
            if (c < 0x20) {
                char buf[8];
                std::snprintf(buf, sizeof buf, "\\u%04x", c);
                out += buf;
            } else {
                out.push_back(static_cast<char>(c));
            }
        }
    }
    out.push_back('"');
}

/// The response as the AWS CLI prints it.
inline std::string to_json(const stop_ingestion_job_response& resp)
{
    const auto& j = resp.ingestion_job;
    std::string o;
    o.reserve(1024);
    auto key = [&](int indent, std::string_view k) {
        o.append(static_cast<std::size_t>(indent) * 4, ' ');
        append_json_string(o, k);
        o += ": ";
    };
    o += "{\n";
    key(1, "ingestionJob");
    o += "{\n";
    key(2, "knowledgeBaseId"), append_json_string(o, j.knowledge_base_id), o += ",\n";
    key(2, "dataSourceId"), append_json_string(o, j.data_source_id), o += ",\n";
    key(2, "ingestionJobId"), append_json_string(o, j.ingestion_job_id), o += ",\n";
    if (j.description) key(2, "description"), append_json_string(o, *j.description), o += ",\n";
    key(2, "status"), append_json_string(o, j.status_text.empty() ? to_string(j.status) : j.status_text), o += ",\n";
    if (j.statistics) {
        const auto& s = *j.statistics;
        key(2, "statistics");
        o += "{\n";
        const std::pair<const char*, std::int64_t> st[] = {
            {"numberOfDocumentsScanned", s.number_of_documents_scanned},
            {"numberOfMetadataDocumentsScanned", s.number_of_metadata_documents_scanned},
            {"numberOfNewDocumentsIndexed", s.number_of_new_documents_indexed},
            {"numberOfModifiedDocumentsIndexed", s.number_of_modified_documents_indexed},
            {"numberOfMetadataDocumentsModified", s.number_of_metadata_documents_modified},
            {"numberOfDocumentsDeleted", s.number_of_documents_deleted},
            {"numberOfDocumentsFailed", s.number_of_documents_failed},
            {"numberOfDocumentsSkipped", s.number_of_documents_skipped},
        };
        for (std::size_t i = 0; i < 8; ++i) {
            key(3, st[i].first);
            o += std::to_string(st[i].second);
            o += i + 1 < 8 ? ",\n" : "\n";
        }
        o += "        },\n";
    }
    if (!j.failure_reasons.empty()) {
        key(2, "failureReasons");
        o += "[\n";
        for (std::size_t i = 0; i < j.failure_reasons.size(); ++i) {
            o.append(12, ' ');
            append_json_string(o, j.failure_reasons[i]);
            o += i + 1 < j.failure_reasons.size() ? ",\n" : "\n";
        }
        o += "        ],\n";
    }
    key(2, "startedAt"), append_json_string(o, format_timestamp(j.started_at)), o += ",\n";
    key(2, "updatedAt"), append_json_string(o, format_timestamp(j.updated_at)), o += "\n";
    o += "    }\n}";
    return o;
}

}  // namespace bedrock_agent::programs

#endif
