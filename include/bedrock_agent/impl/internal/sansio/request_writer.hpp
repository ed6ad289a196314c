#ifndef BEDROCK_AGENT_IMPL_INTERNAL_SANSIO_REQUEST_WRITER_HPP
#define BEDROCK_AGENT_IMPL_INTERNAL_SANSIO_REQUEST_WRITER_HPP

// The request of one attempt, written as wire bytes into a buffer the caller reuses: the same
// bytes as request_builder's message (the tests compare them), without building a message.
//
// A request without a body (StopIngestionJob, GetIngestionJob) has a fixed shape: its canonical
// request is
//   {METHOD} \n {path} \n \n host:{host} \n x-amz-date:{date} \n [x-amz-security-token:{token} \n]
//   \n host;x-amz-date[;x-amz-security-token] \n {sha256("")}
// and when the path needs no encoding or normalisation (alphanumeric labels, no base path) and
// the token has no character that canonicalisation would change, the writer hashes those pieces
// as they are and signs with the derived key's precomputed HMAC states: no allocation once
// `out` has grown. Any other request takes the generic signer (sigv4::sign), which is the
// reference. The operation's descriptor (impl/internal/operations/) gives the method and path.

#include <bedrock_agent/impl/internal/crypto.hpp>
#include <bedrock_agent/impl/internal/sansio/request_builder.hpp>

#include <array>
#include <chrono>
#include <cstring>
#include <string>
#include <string_view>

namespace bedrock_agent::sansio {

/// A UUID v4 as 36 characters, without allocating.
using uuid_text = std::array<char, 36>;

inline uuid_text make_uuid_v4(std::uint64_t hi, std::uint64_t lo) noexcept
{
    hi = (hi & 0xffffffffffff0fffull) | 0x0000000000004000ull;  // version 4
    lo = (lo & 0x3fffffffffffffffull) | 0x8000000000000000ull;  // variant 10
    unsigned char b[16];
    for (int i = 0; i < 8; ++i) {
        b[i] = static_cast<unsigned char>(hi >> (56 - 8 * i));
        b[8 + i] = static_cast<unsigned char>(lo >> (56 - 8 * i));
    }
    uuid_text t;
    char* o = t.data();
    for (int i = 0; i < 16; ++i) {
        if (i == 4 || i == 6 || i == 8 || i == 10) *o++ = '-';
        o = detail::write_hex(o, b + i, 1);
    }
    return t;
}

/// Serialises a Beast request head (request_builder's message) to wire bytes.
inline void serialize_head(std::string& out, const http_request& r)
{
    out.clear();
    const auto method = r.method_string();
    out.append(method.data(), method.size()).append(" ").append(r.target().data(), r.target().size()).append(" HTTP/1.1\r\n");
    for (const auto& f : r)
        out.append(f.name_string().data(), f.name_string().size())
            .append(": ")
            .append(f.value().data(), f.value().size())
            .append("\r\n");
    out.append("\r\n");
}

class request_writer {
public:
    /// Writes (replacing `out`'s contents) the signed request of one attempt. The request must
    /// have passed validate().
    template <class Request>
    void write(std::string& out, const Request& req, const build_context& ctx)
    {
        using op = typename detail::operation_for<Request>::type;
        if (!fast_path_applies(req, ctx)) {
            serialize_head(out, build_request(req, ctx));
            return;
        }
        const auto& ep = ctx.ep;
        const auto& cr = ctx.creds;
        update_date(ctx.now);
        const std::string_view date8(amz_date_, 8), amz_date(amz_date_, 16);
        sigv4::signing_key_cache& keys = ctx.key_cache ? *ctx.key_cache : local_keys_;
        const auto& key = keys.get(cr.secret_access_key, date8, ctx.region, signing_name);
        if (!key_valid_ || key != key_ || date8 != std::string_view(scope_).substr(0, 8) || ctx.region != scope_region_) {
            key_ = key;
            hmac_.set(key_.data(), key_.size());
            scope_.assign(date8).append("/").append(ctx.region).append("/bedrock/aws4_request");
            scope_region_.assign(ctx.region);
            key_valid_ = true;
        }
        const bool token = !cr.session_token.empty();
        const std::string_view signed_headers = token ? "host;x-amz-date;x-amz-security-token" : "host;x-amz-date";
        using namespace std::string_view_literals;

        // Canonical request, written whole into a reused buffer and hashed in one call (a
        // dozen small SHA256_Update calls cost more than the hashing of their bytes).
        std::size_t path_size = 0;
        op::path([&](std::string_view piece) { path_size += piece.size(); }, req);
        scratch_.resize(256 + path_size + ep.host_header.size() + cr.session_token.size() + scope_.size());
        cursor c{scratch_.data()};
        c.put(op::method, "\n"sv);
        c.put_path(req);
        c.put("\n\nhost:"sv, ep.host_header, "\nx-amz-date:"sv, amz_date, "\n"sv);
        if (token) c.put("x-amz-security-token:"sv, cr.session_token, "\n"sv);
        c.put("\n"sv, signed_headers, "\n"sv, sigv4::empty_payload_sha256);
        detail::sha256_state h;
        h.update(std::string_view(scratch_.data(), static_cast<std::size_t>(c.p - scratch_.data())));
        unsigned char creq_hash[32];
        h.final(creq_hash);

        // String to sign, MACed with the derived key.
        c = cursor{scratch_.data()};
        c.put("AWS4-HMAC-SHA256\n"sv, amz_date, "\n"sv, scope_, "\n"sv);
        c.p = detail::write_hex(c.p, creq_hash, 32);
        auto m = hmac_.begin();
        m.update(std::string_view(scratch_.data(), static_cast<std::size_t>(c.p - scratch_.data())));
        unsigned char sig[32];
        hmac_.finish(m, sig);

        // The request, in request_builder's header order, into `out` (sized once, then filled).
        out.resize(512 + path_size + ep.host_header.size() + user_agent.size() + cr.session_token.size() +
                   cr.access_key_id.size() + scope_.size() + ctx.invocation_id.size());
        c = cursor{out.data()};
        c.put(op::method, " "sv);
        c.put_path(req);
        c.put(" HTTP/1.1\r\nHost: "sv, ep.host_header, "\r\nUser-Agent: "sv, user_agent);
        if (token) c.put("\r\nX-Amz-Security-Token: "sv, cr.session_token);
        c.put("\r\nX-Amz-Date: "sv, amz_date, "\r\nAuthorization: AWS4-HMAC-SHA256 Credential="sv, cr.access_key_id,
              "/"sv, scope_, ", SignedHeaders="sv, signed_headers, ", Signature="sv);
        c.p = detail::write_hex(c.p, sig, 32);
        c.put("\r\namz-sdk-invocation-id: "sv, ctx.invocation_id, "\r\namz-sdk-request: attempt="sv);
        c.put_uint(ctx.attempt);
        c.put("; max="sv);
        c.put_uint(ctx.max_attempts);
        if constexpr (sends_content_length(op::method)) c.put("\r\nContent-Length: 0"sv);
        c.put("\r\n\r\n"sv);
        out.resize(static_cast<std::size_t>(c.p - out.data()));
    }

    /// True when write() takes the fixed-shape path (for tests).
    template <class Request>
    static bool fast_path_applies(const Request& req, const build_context& ctx) noexcept
    {
        using op = typename detail::operation_for<Request>::type;
        if constexpr (op::has_body) return false;
        auto label_ok = [](std::string_view s) {
            if (s.empty()) return false;
            for (char c : s)
                if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))) return false;
            return true;
        };
        for (char c : ctx.creds.session_token)
            if (c <= ' ' || c > '~') return false;  // canonicalisation would trim or fold it
        for (char c : ctx.ep.host_header)
            if (c <= ' ' || c > '~') return false;
        bool labels_ok = true;
        op::labels([&](std::string_view l) { labels_ok = labels_ok && label_ok(l); }, req);
        return ctx.ep.base_path.empty() && labels_ok && !ctx.creds.access_key_id.empty() &&
               !ctx.creds.secret_access_key.empty() && !ctx.region.empty();
    }

private:
    void update_date(std::chrono::system_clock::time_point now)
    {
        using namespace std::chrono;
        auto s = floor<seconds>(now);
        if (s.time_since_epoch().count() == second_) return;
        second_ = s.time_since_epoch().count();
        auto days = floor<std::chrono::days>(s);
        year_month_day ymd(days);
        hh_mm_ss hms(s - days);
        auto put = [](char* p, unsigned v, int n) {
            for (int i = n - 1; i >= 0; --i, v /= 10) p[i] = static_cast<char>('0' + v % 10);
        };
        put(amz_date_, static_cast<unsigned>(static_cast<int>(ymd.year())), 4);
        put(amz_date_ + 4, static_cast<unsigned>(ymd.month()), 2);
        put(amz_date_ + 6, static_cast<unsigned>(ymd.day()), 2);
        amz_date_[8] = 'T';
        put(amz_date_ + 9, static_cast<unsigned>(hms.hours().count()), 2);
        put(amz_date_ + 11, static_cast<unsigned>(hms.minutes().count()), 2);
        put(amz_date_ + 13, static_cast<unsigned>(hms.seconds().count()), 2);
        amz_date_[15] = 'Z';
    }

    /// Writes into a buffer sized beforehand: the sizes above add the variable pieces to a
    /// margin for the fixed text (165 bytes in the canonical request, 99 in the string to sign,
    /// 367 in the request, both numbers included), which the writer's tests exercise.
    struct cursor {
        char* p;
        template <class... Pieces>
        void put(const Pieces&... pieces) noexcept
        {
            ((std::memcpy(p, std::string_view(pieces).data(), std::string_view(pieces).size()),
              p += std::string_view(pieces).size()),
             ...);
        }
        template <class Request>
        void put_path(const Request& req) noexcept
        {
            detail::operation_for<Request>::type::path([this](std::string_view piece) { put(piece); }, req);
        }
        void put_uint(unsigned v) noexcept
        {
            char b[10];
            int n = 0;
            do b[n++] = static_cast<char>('0' + v % 10);
            while ((v /= 10) != 0);
            while (n) *p++ = b[--n];
        }
    };

    std::int64_t second_ = INT64_MIN;
    char amz_date_[16] = {};
    sigv4::signing_key_cache local_keys_;
    std::string scratch_;  ///< the canonical request, then the string to sign
    std::array<unsigned char, 32> key_{};
    detail::hmac_sha256_key hmac_;
    std::string scope_;  ///< 20261129/us-east-1/bedrock/aws4_request
    std::string scope_region_;
    bool key_valid_ = false;
};

}  // namespace bedrock_agent::sansio

#endif
