// libFuzzer targets, one per parser of untrusted input. Build with clang and
// -fsanitize=fuzzer,address,undefined and -DFUZZ_TARGET=<n> (see tests/fuzz/run.sh):
//   1 response  2 error  3 timestamp  4 http_response  5 shared_config  6 credentials_json  7 sts_xml
#include <bedrock_agent/protocol.hpp>
#include <bedrock_agent/shared_config.hpp>
#include <bedrock_agent/impl/internal/sansio/credential_json.hpp>
#include <bedrock_agent/impl/internal/sansio/sts_xml.hpp>

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

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
    if (!ec) (void)ba::to_json(r);
#elif FUZZ_TARGET == 2
    ba::diagnostics d;
    std::string_view type = size > 0 && data[0] & 1 ? std::string_view("ns#Type:uri") : std::string_view();
    (void)ba::parse_error_response({static_cast<unsigned>(400 + (size % 200)), "Reason", type, "rid", in}, d);
    (void)ba::sanitize_error_code(in);
#elif FUZZ_TARGET == 3
    ba::timestamp t;
    if (ba::parse_timestamp(in, t)) {
        ba::timestamp back;
        if (!ba::parse_timestamp(ba::format_timestamp(t), back) || back != t) __builtin_trap();
    }
#elif FUZZ_TARGET == 4
    // The HTTP response framing the client accepts, with its limits.
    namespace http = boost::beast::http;
    http::response_parser<http::string_body> p;
    p.header_limit(64 * 1024);
    p.body_limit(1024 * 1024);
    boost::beast::error_code ec;
    p.put(boost::asio::buffer(data, size), ec);
    if (!ec && !p.is_done()) p.put_eof(ec);
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
