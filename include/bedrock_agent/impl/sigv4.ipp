#ifndef BEDROCK_AGENT_IMPL_SIGV4_IPP
#define BEDROCK_AGENT_IMPL_SIGV4_IPP

#include <bedrock_agent/sigv4.hpp>
#include <bedrock_agent/impl/internal/crypto.hpp>

#include <openssl/crypto.h>
#include <sys/mman.h>

#include <algorithm>
#include <cstring>
#include <cstdio>
#include <ctime>
#include <stdexcept>

namespace bedrock_agent::sigv4 {
namespace detail {

inline bool is_unreserved(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_' || c == '.' || c == '~';
}

inline int hex_value(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// Percent-decoding for query keys and values; a '%' not followed by two hex digits stays as is.
inline std::string uri_decode(std::string_view s)
{
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        int hi, lo;
        if (s[i] == '%' && i + 2 < s.size() &&
            (hi = hex_value(s[i + 1])) >= 0 && (lo = hex_value(s[i + 2])) >= 0) {
            out.push_back(static_cast<char>(hi * 16 + lo));
            i += 2;
        } else {
            out.push_back(s[i]);
        }
    }
    return out;
}

inline char ascii_lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }

inline bool iequals(std::string_view a, std::string_view b)
{
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
    return true;
}

// Headers never signed: they are changed by proxies or added after signing (botocore
// SIGNED_HEADERS_BLACKLIST in botocore/auth.py), plus Authorization itself.
inline bool is_unsigned_header(std::string_view lname)
{
    static constexpr std::string_view names[] = {
        "authorization", "connection", "expect", "keep-alive", "proxy-authenticate",
        "proxy-authorization", "te", "trailer", "transfer-encoding", "upgrade", "user-agent",
        "x-amzn-trace-id"};
    for (auto n : names)
        if (n == lname) return true;
    return false;
}

// Trim, and collapse every run of whitespace (folded continuation lines included) to one space.
inline void append_canonical_value(std::string& out, std::string_view v)
{
    bool pending_space = false;
    bool any = false;
    for (char c : v) {
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
            pending_space = any;
        } else {
            if (pending_space) out.push_back(' ');
            pending_space = false;
            any = true;
            out.push_back(c);
        }
    }
}

// RFC 3986 remove_dot_segments, plus collapsing of empty segments ("//"), as every non-S3 SDK does.
inline std::string normalize_path(std::string_view path)
{
    std::vector<std::string_view> segs;
    bool trailing = false;
    std::size_t i = 0;
    while (i <= path.size()) {
        std::size_t j = path.find('/', i);
        if (j == std::string_view::npos) j = path.size();
        std::string_view seg = path.substr(i, j - i);
        bool last = (j == path.size());
        if (seg == "..") {
            if (!segs.empty()) segs.pop_back();
            trailing = last;
        } else if (seg == ".") {
            trailing = last;
        } else if (seg.empty()) {
            trailing = last;
        } else {
            segs.push_back(seg);
            trailing = false;
        }
        i = j + 1;
    }
    std::string out;
    out.reserve(path.size() + 1);
    for (auto s : segs) {
        out.push_back('/');
        out.append(s);
    }
    if (out.empty() || trailing) out.push_back('/');
    return out;
}

struct canonical_header {
    std::string name;  // lower-case
    std::string value;  // canonical
};

}  // namespace detail

BEDROCK_AGENT_DECL std::string uri_encode(std::string_view s, bool keep_slash)
{
    static constexpr char hex[] = "0123456789ABCDEF";
    std::string out;
    out.reserve(s.size() + 8);
    for (char ch : s) {
        auto c = static_cast<unsigned char>(ch);
        if (detail::is_unreserved(c) || (keep_slash && c == '/')) {
            out.push_back(ch);
        } else {
            out.push_back('%');
            out.push_back(hex[c >> 4]);
            out.push_back(hex[c & 0xf]);
        }
    }
    return out;
}

BEDROCK_AGENT_DECL std::string sha256_hex(std::string_view data)
{
    return bedrock_agent::detail::to_hex(bedrock_agent::detail::sha256({data}));
}

BEDROCK_AGENT_DECL std::string format_amz_date(std::chrono::system_clock::time_point t)
{
    std::time_t tt = std::chrono::system_clock::to_time_t(t);
    std::tm tm{};
    gmtime_r(&tt, &tm);
    char buf[64];
    std::snprintf(buf, sizeof buf, "%04d%02d%02dT%02d%02d%02dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                  tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
    return std::string(buf, 16);
}

BEDROCK_AGENT_DECL bool parse_amz_date(std::string_view s, std::chrono::system_clock::time_point& out)
{
    int v[6];
    auto digits = [&](std::size_t pos, std::size_t n, int& r) {
        if (pos + n > s.size()) return false;
        r = 0;
        for (std::size_t i = pos; i < pos + n; ++i) {
            if (s[i] < '0' || s[i] > '9') return false;
            r = r * 10 + (s[i] - '0');
        }
        return true;
    };
    bool ok;
    if (s.size() == 16) {  // 20150830T123600Z
        ok = digits(0, 4, v[0]) && digits(4, 2, v[1]) && digits(6, 2, v[2]) && s[8] == 'T' &&
             digits(9, 2, v[3]) && digits(11, 2, v[4]) && digits(13, 2, v[5]) && s[15] == 'Z';
    } else if (s.size() == 20) {  // 2015-08-30T12:36:00Z
        ok = digits(0, 4, v[0]) && s[4] == '-' && digits(5, 2, v[1]) && s[7] == '-' && digits(8, 2, v[2]) &&
             (s[10] == 'T' || s[10] == 't') && digits(11, 2, v[3]) && s[13] == ':' && digits(14, 2, v[4]) &&
             s[16] == ':' && digits(17, 2, v[5]) && (s[19] == 'Z' || s[19] == 'z');
    } else {
        return false;
    }
    if (!ok) return false;
    using namespace std::chrono;
    year_month_day ymd{year{v[0]}, month{static_cast<unsigned>(v[1])}, day{static_cast<unsigned>(v[2])}};
    if (!ymd.ok() || v[3] > 23 || v[4] > 59 || v[5] > 60) return false;
    out = sys_days{ymd} + hours{v[3]} + minutes{v[4]} + seconds{v[5]};
    return true;
}

// The secret the cache compares against, and the key derived from it: one page, excluded from
// core dumps. A secret longer than the page holds is never cached (AWS secrets are 40 bytes).
struct signing_key_cache::secret_page {
    std::array<unsigned char, 32> key;
    std::size_t secret_size;
    char secret[4096 - 32 - sizeof(std::size_t)];
};

BEDROCK_AGENT_DECL signing_key_cache::~signing_key_cache()
{
    static_assert(sizeof(secret_page) == 4096);
    if (!page_) return;
    OPENSSL_cleanse(page_, sizeof(secret_page));
    if (page_mapped_) ::munmap(page_, sizeof(secret_page));
    else ::operator delete(page_);
}

BEDROCK_AGENT_DECL const std::array<unsigned char, 32>& signing_key_cache::get(std::string_view secret,
                                                                             std::string_view date8,
                                                                             std::string_view region,
                                                                             std::string_view service)
{
    if (valid_ && secret == std::string_view(page_->secret, page_->secret_size) && date8 == date_ &&
        region == region_ && service == service_)
        return page_->key;
    if (!page_) {
        void* p = ::mmap(nullptr, sizeof(secret_page), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        page_mapped_ = p != MAP_FAILED;
        if (page_mapped_) ::madvise(p, sizeof(secret_page), MADV_DONTDUMP);
        else p = ::operator new(sizeof(secret_page));
        page_ = static_cast<secret_page*>(p);
    }
    using bedrock_agent::detail::as_view;
    using bedrock_agent::detail::hmac_sha256;
    // kSecret = "AWS4" + secret, and each intermediate key, are cleared once used.
    std::string k = "AWS4";
    k.append(secret);
    auto k_date = hmac_sha256(k, date8);
    OPENSSL_cleanse(k.data(), k.size());
    auto k_region = hmac_sha256(as_view(k_date), region);
    auto k_service = hmac_sha256(as_view(k_region), service);
    page_->key = hmac_sha256(as_view(k_service), "aws4_request");
    OPENSSL_cleanse(k_date.data(), k_date.size());
    OPENSSL_cleanse(k_region.data(), k_region.size());
    OPENSSL_cleanse(k_service.data(), k_service.size());
    valid_ = secret.size() <= sizeof(page_->secret);
    page_->secret_size = valid_ ? secret.size() : 0;
    if (valid_) std::memcpy(page_->secret, secret.data(), secret.size());
    date_.assign(date8);
    region_.assign(region);
    service_.assign(service);
    ++derivations_;
    return page_->key;
}

BEDROCK_AGENT_DECL std::string signing_result::redacted_canonical_request(std::string_view token) const
{
    std::string out = canonical_request;
    if (token.empty()) return out;
    for (std::size_t pos; (pos = out.find(token)) != std::string::npos;) out.replace(pos, token.size(), "<redacted>");
    return out;
}

BEDROCK_AGENT_DECL signing_result sign(const signable_request& req, const signing_params& p,
                                       signing_key_cache* cache)
{
    if (p.access_key_id.empty()) throw std::invalid_argument("sigv4: access_key_id is empty");
    if (p.secret_access_key.empty()) throw std::invalid_argument("sigv4: secret_access_key is empty");
    if (p.region.empty()) throw std::invalid_argument("sigv4: region is empty");
    if (p.service.empty()) throw std::invalid_argument("sigv4: service is empty");

    const auto& s = p.settings;
    const bool in_query = s.location == signature_location::query_params;
    signing_result r;
    const std::string amz_date = format_amz_date(p.time);
    const std::string_view date8 = std::string_view(amz_date).substr(0, 8);
    r.credential_scope.reserve(64);
    r.credential_scope.append(date8).append("/").append(p.region).append("/").append(p.service).append(
        "/aws4_request");

    // 1. Headers to sign.
    std::vector<detail::canonical_header> hs;
    hs.reserve(req.headers.size() + 4);
    bool has_date = false, has_token = false, has_sha = false;
    for (const auto& h : req.headers) {
        std::string lname;
        lname.reserve(h.name.size());
        for (char c : h.name) lname.push_back(detail::ascii_lower(c));
        if (detail::is_unsigned_header(lname)) continue;
        if (lname == "x-amz-date") has_date = true;
        if (lname == "x-amz-security-token") has_token = true;
        if (lname == "x-amz-content-sha256") has_sha = true;
        std::string v;
        detail::append_canonical_value(v, h.value);
        hs.push_back({std::move(lname), std::move(v)});
    }

    std::string payload_hash = req.payload_sha256.empty() ? sha256_hex(req.payload)
                                                           : std::string(req.payload_sha256);
    const bool token = !p.session_token.empty();
    if (!in_query) {
        if (token && !has_token) {
            r.headers_to_add.push_back({"X-Amz-Security-Token", std::string(p.session_token)});
            if (!s.omit_session_token) hs.push_back({"x-amz-security-token", std::string(p.session_token)});
        }
        if (!has_date) {
            r.headers_to_add.push_back({"X-Amz-Date", amz_date});
            hs.push_back({"x-amz-date", amz_date});
        }
        if (s.add_content_sha256_header && !has_sha) {
            r.headers_to_add.push_back({"x-amz-content-sha256", payload_hash});
            hs.push_back({"x-amz-content-sha256", payload_hash});
        }
    }
    std::stable_sort(hs.begin(), hs.end(), [](const auto& a, const auto& b) { return a.name < b.name; });

    std::string canonical_headers;
    for (std::size_t i = 0; i < hs.size(); ++i) {
        if (i > 0 && hs[i].name == hs[i - 1].name) {
            canonical_headers.back() = ',';  // duplicates join with ',' in the order they came
        } else {
            if (!r.signed_headers.empty()) r.signed_headers.push_back(';');
            r.signed_headers.append(hs[i].name);
            canonical_headers.append(hs[i].name).push_back(':');
        }
        canonical_headers.append(hs[i].value).push_back('\n');
    }

    // 2. Query.
    std::vector<std::pair<std::string, std::string>> q;
    for (std::size_t i = 0; i <= req.query.size() && !req.query.empty();) {
        std::size_t j = req.query.find('&', i);
        if (j == std::string_view::npos) j = req.query.size();
        std::string_view kv = req.query.substr(i, j - i);
        if (!kv.empty()) {
            std::size_t eq = kv.find('=');
            std::string_view k = kv.substr(0, eq);
            std::string_view v = eq == std::string_view::npos ? std::string_view{} : kv.substr(eq + 1);
            q.emplace_back(uri_encode(detail::uri_decode(k), false), uri_encode(detail::uri_decode(v), false));
        }
        i = j + 1;
    }
    if (in_query) {
        std::string credential = std::string(p.access_key_id) + "/" + r.credential_scope;
        r.query_params_to_add = {
            {"X-Amz-Algorithm", "AWS4-HMAC-SHA256"},
            {"X-Amz-Credential", uri_encode(credential, false)},
            {"X-Amz-Date", amz_date},
            {"X-Amz-SignedHeaders", uri_encode(r.signed_headers, false)},
            {"X-Amz-Expires", std::to_string(s.expires_in.count())},
        };
        for (const auto& a : r.query_params_to_add) q.emplace_back(a.name, a.value);
        if (token) {
            r.query_params_to_add.push_back({"X-Amz-Security-Token", uri_encode(p.session_token, false)});
            if (!s.omit_session_token) q.emplace_back("X-Amz-Security-Token", r.query_params_to_add.back().value);
        }
    }
    std::sort(q.begin(), q.end());

    // 3. Canonical request.
    std::string& c = r.canonical_request;
    c.reserve(256 + canonical_headers.size());
    c.append(req.method).push_back('\n');
    std::string path = s.normalize_path ? detail::normalize_path(req.path) : std::string(req.path);
    if (path.empty()) path = "/";
    c.append(s.double_encode_path ? uri_encode(path, true) : path).push_back('\n');
    for (std::size_t i = 0; i < q.size(); ++i) {
        if (i) c.push_back('&');
        c.append(q[i].first).push_back('=');
        c.append(q[i].second);
    }
    c.push_back('\n');
    c.append(canonical_headers).push_back('\n');
    c.append(r.signed_headers).push_back('\n');
    c.append(payload_hash);

    // 4. String to sign and signature.
    r.string_to_sign.reserve(160);
    r.string_to_sign.append("AWS4-HMAC-SHA256\n").append(amz_date).append("\n").append(r.credential_scope).append("\n");
    auto creq_hash = bedrock_agent::detail::sha256({c});
    bedrock_agent::detail::append_hex(r.string_to_sign, creq_hash.data(), creq_hash.size());

    signing_key_cache local;
    signing_key_cache& kc = cache ? *cache : local;
    const auto& key = kc.get(p.secret_access_key, date8, p.region, p.service);
    auto sig = bedrock_agent::detail::hmac_sha256(
        std::string_view(reinterpret_cast<const char*>(key.data()), key.size()), r.string_to_sign);
    r.signature = bedrock_agent::detail::to_hex(sig);

    if (in_query) {
        r.query_params_to_add.push_back({"X-Amz-Signature", r.signature});
    } else {
        r.authorization.reserve(128 + r.signed_headers.size());
        r.authorization.append("AWS4-HMAC-SHA256 Credential=")
            .append(p.access_key_id)
            .append("/")
            .append(r.credential_scope)
            .append(", SignedHeaders=")
            .append(r.signed_headers)
            .append(", Signature=")
            .append(r.signature);
        r.headers_to_add.push_back({"Authorization", r.authorization});
    }
    return r;
}

}  // namespace bedrock_agent::sigv4

#endif
