#ifndef BEDROCK_AGENT_CREDENTIALS_HPP
#define BEDROCK_AGENT_CREDENTIALS_HPP

#include <openssl/crypto.h>

#include <chrono>
#include <optional>
#include <ostream>
#include <string>

namespace bedrock_agent {

namespace detail {
/// Overwrites a string's whole buffer (OPENSSL_cleanse, which the compiler may not drop), then
/// empties it: for secrets, before their memory goes back to the allocator.
inline void cleanse(std::string& s) noexcept
{
    s.resize(s.capacity());
    OPENSSL_cleanse(s.data(), s.size());
    s.clear();
}
}  // namespace detail

/// AWS credentials. Printing them (operator<<) shows the access key id only; the secret and the
/// session token never reach a stream, a log line or an error message from this library.
struct credentials {
    std::string access_key_id;
    std::string secret_access_key;
    std::string session_token;  ///< empty for long-term keys
    std::optional<std::chrono::system_clock::time_point> expiration{};

    bool operator==(const credentials&) const = default;

    /// The secret key and the session token are overwritten before their memory is freed.
    ~credentials()
    {
        detail::cleanse(secret_access_key);
        detail::cleanse(session_token);
    }
};

inline std::ostream& operator<<(std::ostream& os, const credentials& c)
{
    os << "credentials{access_key_id=" << c.access_key_id << ", secret_access_key=<redacted>";
    if (!c.session_token.empty()) os << ", session_token=<redacted>";
    return os << '}';
}

}  // namespace bedrock_agent

#endif
