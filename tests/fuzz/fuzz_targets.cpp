// libFuzzer targets, one per parser of untrusted input. Build with clang and
// -fsanitize=fuzzer,address,undefined and -DFUZZ_TARGET=<n> (see tests/fuzz/run.sh):
//   1 response  2 error  3 timestamp  4 http_response  5 shared_config  6 credentials_json  7 sts_xml
#include <bedrock_agent/protocol.hpp>
#include <output/json_output.hpp>
#include <bedrock_agent/shared_config.hpp>
#include <bedrock_agent/impl/internal/sansio/credential_json.hpp>
#include <bedrock_agent/impl/internal/sansio/sts_xml.hpp>

#include <bedrock_agent/impl/internal/sansio/response_reader.hpp>

#include <cstdint>
#include <string_view>

namespace ba = bedrock_agent;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    std::string_view in(reinterpret_cast<const char*>(data), size);
#if FUZZ_TARGET == 1
    ba::stop_ingestion_job_response r;
    ba::diagnostics d;
    auto ec = ba::parse_stop_ingestion_job_response(in, r, d);
    if (!ec) (void)ba::programs::to_json(r);
#elif FUZZ_TARGET == 2
    ba::diagnostics d;
    std::string_view type = size > 0 && data[0] & 1 ? std::string_view("ns#Type:uri") : std::string_view();
    (void)ba::parse_error_response({static_cast<unsigned>(400 + (size % 200)), "Reason", type, "rid", in}, d);
    (void)ba::sanitize_error_code(in);
#elif FUZZ_TARGET == 3
    ba::timestamp t;
    if (ba::parse_timestamp(in, t)) {
        ba::timestamp back;
        if (!ba::parse_timestamp(ba::programs::format_timestamp(t), back) || back != t) __builtin_trap();
    }
#elif FUZZ_TARGET == 4
    // The client's response reader, fed in two pieces (split where the first byte says) and
    // parsed the way the client's loop does, then the body as the client would take it.
    ba::sansio::response_data d;
    d.keep_fields = size % 2;
    ba::sansio::response_reader r(d);
    r.header_limit(64 * 1024);
    r.body_limit(1024 * 1024);
    r.eager(true);
    std::size_t split = size ? data[0] % (size + 1) : 0;
    std::string pending;
    boost::beast::error_code ec;
    for (std::string_view piece : {in.substr(0, split), in.substr(split)}) {
        // The client parses again only after a read brought bytes (a read gives at least one, or
        // an error): Beast's parser must not be handed the same bytes again after need_more.
        if (piece.empty()) continue;
        pending.append(piece);
        while (!pending.empty() && !r.is_done() && !ec) {
            auto used = r.feed(boost::asio::buffer(pending), ec);
            pending.erase(0, used);
            if (ec == boost::beast::http::error::need_more) {
                ec = {};
                break;
            }
            if (used == 0) break;
        }
    }
    if (!ec && !r.is_done() && r.got_some()) r.put_eof(ec);
    if (!ec && r.is_done()) {
        ba::diagnostics diag;
        ba::stop_ingestion_job_response resp;
        if (d.status / 100 == 2) (void)ba::parse_stop_ingestion_job_response(d.body, resp, diag);
        else (void)ba::parse_error_response({d.status, d.reason, d.error_type, d.request_id, d.body}, diag);
    }
#elif FUZZ_TARGET == 5
    ba::shared_config_file f;
    std::string why;
    (void)ba::shared_config_file::parse(in, size % 2 ? ba::shared_config_file::file_kind::config
                                                     : ba::shared_config_file::file_kind::credentials,
                                        "fuzz", f, why);
#elif FUZZ_TARGET == 6
    ba::credentials c;
    std::string why;
    (void)ba::sansio::parse_credentials_json(in, ba::sansio::credential_doc::process, c, why);
    (void)ba::sansio::parse_credentials_json(in, ba::sansio::credential_doc::container, c, why);
    (void)ba::sansio::parse_credentials_json(in, ba::sansio::credential_doc::imds, c, why);
#elif FUZZ_TARGET == 7
    ba::credentials c;
    std::string why;
    (void)ba::sansio::parse_sts_credentials(in, c, why);
#else
#error "define FUZZ_TARGET"
#endif
    return 0;
}
