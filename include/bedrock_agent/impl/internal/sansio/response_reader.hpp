#ifndef BEDROCK_AGENT_IMPL_INTERNAL_SANSIO_RESPONSE_READER_HPP
#define BEDROCK_AGENT_IMPL_INTERNAL_SANSIO_RESPONSE_READER_HPP

// An HTTP/1.1 response parser that keeps only what the client uses: the status, the reason, the
// two x-amzn headers and the body (Content-Length or chunked), in a response_data the connection
// reuses, so a response costs no allocation once its buffers have grown. Beast's basic_parser
// does the HTTP grammar, the limits and keep-alive; this class only stores.

#include <boost/beast/http/basic_parser.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace bedrock_agent::sansio {

struct response_data {
    unsigned status = 0;
    std::string reason;
    std::string request_id;   ///< x-amzn-RequestId
    std::string error_type;   ///< X-Amzn-ErrorType
    std::string date;         ///< Date, of an error answer (for clock skew correction)
    std::string body;
    bool keep_fields = false;  ///< also record every header (for debug logs)
    std::vector<std::pair<std::string, std::string>> fields;

    void clear() noexcept
    {
        status = 0;
        reason.clear();
        request_id.clear();
        error_type.clear();
        date.clear();
        body.clear();
        fields.clear();
    }
};

class response_reader : public boost::beast::http::basic_parser<false> {
    using error_code = boost::beast::error_code;
    using string_view = boost::beast::string_view;

public:
    /// Clears `d` and fills it as the response is parsed.
    explicit response_reader(response_data& d) noexcept : d_(d) { d_.clear(); }

    /// put(), except for one input that Boost 1.81's parser wrongly asserts on in Debug builds:
    /// a chunked body whose first chunk is the last ("0\r\n") and has one more byte after it,
    /// handed over again after need_more (the assertion wants 5 bytes; fixed in Beast after 1.81,
    /// boostorg/beast#2861). Such input is never a whole message, the least being "0\r\n\r\n",
    /// so it waits for more here, as the parser itself answers in release builds. The caller
    /// hands over the buffer again only once it has grown.
    ///
    /// After the head, the bytes that are not body (chunk-size lines, chunk extensions, trailers)
    /// are bounded by meta_limit(): Beast 1.81 limits none of them. A line still unfinished past
    /// the limit, or more than the limit in all, fails with http::error::header_limit.
    std::size_t feed(boost::asio::const_buffer b, error_code& ec)
    {
        if (b.size() == 4 && !chunk_seen_ && is_header_done() && chunked() &&
            std::string_view(static_cast<const char*>(b.data()), 3) == "0\r\n") {
            ec = boost::beast::http::error::need_more;
            return 0;
        }
        std::size_t used = put(b, ec);
        // (Eager parsing hands every body byte over as it comes, so what stays unconsumed after
        // the head is an unfinished chunk-size line, extension or trailer.)
        if (ec == boost::beast::http::error::need_more && is_header_done() && b.size() - used > meta_limit_)
            ec = boost::beast::http::error::header_limit;
        return used;
    }

    /// The most bytes of chunk-size lines, chunk extensions and trailers a response may carry.
    void meta_limit(std::size_t n) noexcept { meta_limit_ = n; }

private:
    static std::string_view to_std_view(string_view s) noexcept { return {s.data(), s.size()}; }
    static bool iequals(std::string_view a, std::string_view b) noexcept
    {
        if (a.size() != b.size()) return false;
        for (std::size_t i = 0; i < a.size(); ++i) {
            char x = a[i], y = b[i];
            if (x >= 'A' && x <= 'Z') x = static_cast<char>(x + 32);
            if (y >= 'A' && y <= 'Z') y = static_cast<char>(y + 32);
            if (x != y) return false;
        }
        return true;
    }

    void on_request_impl(boost::beast::http::verb, string_view, string_view, int, error_code&) override {}
    void on_response_impl(int code, string_view reason, int, error_code&) override
    {
        d_.status = static_cast<unsigned>(code);
        d_.reason.assign(reason.data(), reason.size());
    }
    void on_field_impl(boost::beast::http::field, string_view name, string_view value, error_code& ec) override
    {
        if (is_header_done() && !count_meta(name.size() + value.size() + 4, ec)) return;  // a trailer
        if (iequals(to_std_view(name), "x-amzn-requestid")) d_.request_id.assign(value.data(), value.size());
        else if (iequals(to_std_view(name), "x-amzn-errortype")) d_.error_type.assign(value.data(), value.size());
        else if (d_.status >= 400 && iequals(to_std_view(name), "date")) d_.date.assign(value.data(), value.size());  // errors only
        if (d_.keep_fields) d_.fields.emplace_back(std::string(to_std_view(name)), std::string(to_std_view(value)));
    }
    void on_header_impl(error_code&) override {}
    void on_body_init_impl(const boost::optional<std::uint64_t>& length, error_code&) override
    {
        // The body limit was checked against Content-Length before this call.
        if (length && *length < (std::uint64_t{1} << 24)) d_.body.reserve(static_cast<std::size_t>(*length));
    }
    std::size_t on_body_impl(string_view s, error_code&) override
    {
        d_.body.append(s.data(), s.size());
        return s.size();
    }
    void on_chunk_header_impl(std::uint64_t, string_view ext, error_code& ec) override
    {
        chunk_seen_ = true;
        count_meta(ext.size(), ec);
    }
    bool count_meta(std::size_t n, error_code& ec) noexcept
    {
        meta_used_ += n;
        if (meta_used_ <= meta_limit_) return true;
        ec = boost::beast::http::error::header_limit;
        return false;
    }
    std::size_t on_chunk_body_impl(std::uint64_t, string_view s, error_code&) override
    {
        d_.body.append(s.data(), s.size());
        return s.size();
    }
    void on_finish_impl(error_code&) override {}

    response_data& d_;
    bool chunk_seen_ = false;  ///< a chunk header has been parsed
    std::size_t meta_limit_ = 64 * 1024;
    std::size_t meta_used_ = 0;  ///< chunk extensions and trailers so far
};

}  // namespace bedrock_agent::sansio

#endif
