#ifndef BEDROCK_AGENT_IMPL_INTERNAL_CRYPTO_HPP
#define BEDROCK_AGENT_IMPL_INTERNAL_CRYPTO_HPP

// SHA-256 and HMAC-SHA256 over OpenSSL's EVP interface. The digest is fetched once and each
// thread reuses one EVP_MD_CTX, so hashing allocates nothing after the first call.

#include <openssl/evp.h>
#include <openssl/sha.h>

#include <array>
#include <cstring>
#include <initializer_list>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

namespace bedrock_agent::detail {

using digest = std::array<unsigned char, 32>;

inline const EVP_MD* sha256_md()
{
    static EVP_MD* md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    if (!md) throw std::runtime_error("OpenSSL: SHA256 is not available");
    return md;
}

struct md_ctx_deleter {
    void operator()(EVP_MD_CTX* c) const noexcept { EVP_MD_CTX_free(c); }
};

inline EVP_MD_CTX* thread_md_ctx()
{
    thread_local std::unique_ptr<EVP_MD_CTX, md_ctx_deleter> ctx(EVP_MD_CTX_new());
    return ctx.get();
}

inline digest sha256(std::initializer_list<std::string_view> parts)
{
    EVP_MD_CTX* c = thread_md_ctx();
    digest out{};
    unsigned len = 0;
    if (EVP_DigestInit_ex2(c, sha256_md(), nullptr) != 1) throw std::runtime_error("OpenSSL: digest init");
    for (auto p : parts) EVP_DigestUpdate(c, p.data(), p.size());
    EVP_DigestFinal_ex(c, out.data(), &len);
    return out;
}

inline std::string_view as_view(const digest& d)
{
    return {reinterpret_cast<const char*>(d.data()), d.size()};
}

/// HMAC-SHA256 (RFC 2104) with a 64-byte block.
inline digest hmac_sha256(std::string_view key, std::string_view msg)
{
    digest hashed_key;
    if (key.size() > 64) {
        hashed_key = sha256({key});
        key = as_view(hashed_key);
    }
    char ipad[64], opad[64];
    std::memset(ipad, 0x36, 64);
    std::memset(opad, 0x5c, 64);
    for (std::size_t i = 0; i < key.size(); ++i) {
        ipad[i] = static_cast<char>(ipad[i] ^ key[i]);
        opad[i] = static_cast<char>(opad[i] ^ key[i]);
    }
    digest inner = sha256({std::string_view(ipad, 64), msg});
    return sha256({std::string_view(opad, 64), as_view(inner)});
}

// The request hot path hashes with OpenSSL's one-shot SHA256_* functions: they reach the same
// assembly (SHA-NI, AVX2) as EVP without its provider dispatch, and a SHA256_CTX is a plain
// struct that can be copied, which makes HMAC with a fixed key two block-state copies.
// OpenSSL 3 marks them deprecated but keeps them; the pragmas confine that to this block.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
struct sha256_state {
    SHA256_CTX ctx;
    sha256_state() noexcept { SHA256_Init(&ctx); }
    void update(std::string_view s) noexcept { SHA256_Update(&ctx, s.data(), s.size()); }
    void final(unsigned char* out32) noexcept { SHA256_Final(out32, &ctx); }
};

/// HMAC-SHA256 with a fixed key (at most 64 bytes): the key's inner and outer pads are absorbed
/// once, and each MAC starts from copies of those states.
class hmac_sha256_key {
public:
    void set(const unsigned char* key, std::size_t n) noexcept
    {
        unsigned char ipad[64], opad[64];
        std::memset(ipad, 0x36, 64);
        std::memset(opad, 0x5c, 64);
        for (std::size_t i = 0; i < n && i < 64; ++i) {
            ipad[i] ^= key[i];
            opad[i] ^= key[i];
        }
        inner_ = sha256_state();
        outer_ = sha256_state();
        SHA256_Update(&inner_.ctx, ipad, 64);
        SHA256_Update(&outer_.ctx, opad, 64);
    }
    /// Starts a MAC: update() the returned state with the message, then finish() it.
    sha256_state begin() const noexcept { return inner_; }
    void finish(sha256_state& s, unsigned char* out32) const noexcept
    {
        unsigned char inner[32];
        s.final(inner);
        sha256_state o = outer_;
        SHA256_Update(&o.ctx, inner, 32);
        o.final(out32);
    }

private:
    sha256_state inner_, outer_;
};
#pragma GCC diagnostic pop

inline char* write_hex(char* out, const unsigned char* p, std::size_t n) noexcept
{
    static constexpr char hex[] = "0123456789abcdef";
    for (std::size_t i = 0; i < n; ++i) {
        *out++ = hex[p[i] >> 4];
        *out++ = hex[p[i] & 0xf];
    }
    return out;
}

inline void append_hex(std::string& out, const unsigned char* p, std::size_t n)
{
    static constexpr char hex[] = "0123456789abcdef";
    for (std::size_t i = 0; i < n; ++i) {
        out.push_back(hex[p[i] >> 4]);
        out.push_back(hex[p[i] & 0xf]);
    }
}

inline std::string to_hex(const digest& d)
{
    std::string s;
    s.reserve(64);
    append_hex(s, d.data(), d.size());
    return s;
}

}  // namespace bedrock_agent::detail

#endif
