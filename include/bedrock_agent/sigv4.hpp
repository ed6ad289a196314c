#ifndef BEDROCK_AGENT_SIGV4_HPP
#define BEDROCK_AGENT_SIGV4_HPP

// AWS Signature Version 4, sans-io. sign() takes a request description, credentials, a region,
// a service and a time, and returns every stage as a value (canonical request, string to sign,
// signature) plus the headers or query parameters to add. It never touches the caller's request.

#include <bedrock_agent/detail/config.hpp>

#include <array>
#include <chrono>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace bedrock_agent::sigv4 {

struct header_view {
    std::string_view name;
    std::string_view value;
};

struct header {
    std::string name;
    std::string value;
    bool operator==(const header&) const = default;
};

/// The request to sign, as it will go on the wire.
struct signable_request {
    std::string_view method;
    /// The path as sent, percent-encoded or not (e.g. "/example space/" or "/a%2Fb").
    std::string_view path = "/";
    /// The query string as sent, without '?'.
    std::string_view query{};
    std::span<const header_view> headers{};
    std::string_view payload{};
    /// Hex SHA-256 of the payload, when the caller knows it (e.g. the empty-body constant);
    /// `payload` is then not hashed.
    std::string_view payload_sha256{};
};

enum class signature_location {
    headers,       ///< Authorization header (the usual way)
    query_params,  ///< presigned URL (X-Amz-Signature in the query string)
};

/// Settings, with the defaults every non-S3 AWS SDK uses (botocore/auth.py SigV4Auth; the SigV4 test suites' non-S3 cases).
struct signing_settings {
    /// Remove dot segments and collapse empty segments of the path (S3: false).
    bool normalize_path = true;
    /// URI-encode the (already encoded) path once more for the canonical request (S3: false).
    bool double_encode_path = true;
    /// Add and sign `x-amz-content-sha256` (S3-style payload signing; botocore: false for non-S3).
    bool add_content_sha256_header = false;
    /// Add X-Amz-Security-Token after signing, so it is not signed (a few services want that).
    bool omit_session_token = false;
    signature_location location = signature_location::headers;
    /// X-Amz-Expires for presigned URLs.
    std::chrono::seconds expires_in{3600};
};

struct signing_params {
    std::string_view access_key_id;
    std::string_view secret_access_key;
    std::string_view session_token{};  ///< empty if none
    std::string_view region;
    std::string_view service;  ///< the signing name ("bedrock" for bedrock-agent)
    std::chrono::system_clock::time_point time;
    signing_settings settings{};
};

/// Derived signing key cache: one entry per (secret, date, region, service). With a cache, a
/// signature costs one HMAC over the string to sign instead of five. Not thread-safe: give each
/// thread (or each strand-bound client) its own.
///
/// The secret it compares against and the derived key live in a page of their own, mapped at
/// the first derivation and marked MADV_DONTDUMP (left out of core dumps), and are cleared with
/// OPENSSL_cleanse before the page is unmapped. Copying a cache gives an empty one.
class signing_key_cache {
public:
    signing_key_cache() = default;
    signing_key_cache(const signing_key_cache&) noexcept {}
    signing_key_cache& operator=(const signing_key_cache& other) noexcept
    {
        if (this != &other) valid_ = false;
        return *this;
    }
    BEDROCK_AGENT_DECL ~signing_key_cache();

    /// Returns the key, deriving it only when one of the four inputs changed.
    BEDROCK_AGENT_DECL const std::array<unsigned char, 32>& get(std::string_view secret,
                                                              std::string_view date8,
                                                              std::string_view region,
                                                              std::string_view service);
    /// How many times get() had to derive the key (for tests and benchmarks).
    std::uint64_t derivations() const noexcept { return derivations_; }
    /// Where the secret and the key are kept (for tests: the page excluded from core dumps).
    const void* secret_storage() const noexcept { return page_; }

private:
    struct secret_page;
    secret_page* page_ = nullptr;
    bool page_mapped_ = false;  ///< mmap'd (else operator new, when mmap failed)
    std::string date_, region_, service_;
    std::uint64_t derivations_ = 0;
    bool valid_ = false;
};

struct signing_result {
    std::string canonical_request;
    std::string credential_scope;  ///< 20150830/us-east-1/service/aws4_request
    std::string string_to_sign;
    std::string signature;       ///< lowercase hex
    std::string signed_headers;  ///< host;x-amz-date
    std::string authorization;   ///< the Authorization header value (header signing)
    /// Headers to add, in this order: X-Amz-Security-Token, X-Amz-Date, x-amz-content-sha256,
    /// Authorization (each only when it applies and is not already in the request).
    std::vector<header> headers_to_add;
    /// Query parameters to append (presigned URLs), already URI-encoded, in the order the SDKs
    /// emit them.
    std::vector<header> query_params_to_add;

    /// The canonical request with the session token replaced by "<redacted>", for logs.
    BEDROCK_AGENT_DECL std::string redacted_canonical_request(std::string_view session_token) const;
};

/// Signs the request. Throws std::invalid_argument if the credentials, region or service are empty.
BEDROCK_AGENT_DECL signing_result sign(const signable_request& req, const signing_params& params,
                                       signing_key_cache* cache = nullptr);

/// "20150830T123600Z"
BEDROCK_AGENT_DECL std::string format_amz_date(std::chrono::system_clock::time_point t);

/// Parses "20150830T123600Z" (X-Amz-Date) or ISO 8601 "2015-08-30T12:36:00Z"; false if malformed.
BEDROCK_AGENT_DECL bool parse_amz_date(std::string_view s, std::chrono::system_clock::time_point& out);

/// RFC 3986 URI encoding with the unreserved set A-Z a-z 0-9 - _ . ~ ; '/' kept when keep_slash.
BEDROCK_AGENT_DECL std::string uri_encode(std::string_view s, bool keep_slash);

/// Lowercase hex SHA-256.
BEDROCK_AGENT_DECL std::string sha256_hex(std::string_view data);

/// The hex SHA-256 of an empty payload.
inline constexpr std::string_view empty_payload_sha256 =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

}  // namespace bedrock_agent::sigv4

#ifdef BEDROCK_AGENT_HEADER_ONLY
#include <bedrock_agent/impl/sigv4.ipp>
#endif

#endif
