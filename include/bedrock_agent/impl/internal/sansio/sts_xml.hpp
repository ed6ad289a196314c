#ifndef BEDROCK_AGENT_IMPL_INTERNAL_SANSIO_STS_XML_HPP
#define BEDROCK_AGENT_IMPL_INTERNAL_SANSIO_STS_XML_HPP

// STS AssumeRoleWithWebIdentity: the request body and the XML answer (read with xml_reader.hpp).

#include <bedrock_agent/credentials.hpp>
#include <bedrock_agent/protocol.hpp>
#include <bedrock_agent/sigv4.hpp>
#include <bedrock_agent/impl/internal/sansio/credential_json.hpp>

#include <bedrock_agent/impl/internal/sansio/error_classifier.hpp>
#include <bedrock_agent/impl/internal/sansio/xml_reader.hpp>

#include <string>

namespace bedrock_agent::sansio {

inline std::string assume_role_with_web_identity_body(std::string_view role_arn, std::string_view session_name,
                                                      std::string_view token)
{
    return "Action=AssumeRoleWithWebIdentity&Version=2011-06-15&RoleArn=" + sigv4::uri_encode(role_arn, false) +
           "&RoleSessionName=" + sigv4::uri_encode(session_name, false) +
           "&WebIdentityToken=" + sigv4::uri_encode(token, false);
}

/// Parses an AssumeRoleWithWebIdentityResponse, or an ErrorResponse (then `why` holds its Code
/// and Message, and `*error_code` its Code). Returns false on failure.
BEDROCK_AGENT_COLD inline bool parse_sts_credentials(std::string_view xml, credentials& out, std::string& why,
                                                     std::string* error_code = nullptr)
{
    constexpr std::string_view response = "AssumeRoleWithWebIdentityResponse", result = "AssumeRoleWithWebIdentityResult";
    xml_field f[] = {
        {"ErrorResponse", "Error"},
        {"ErrorResponse", "Error", "Code"},
        {"ErrorResponse", "Error", "Message"},
        {response, result, "Credentials"},
        {response, result, "Credentials", "AccessKeyId"},
        {response, result, "Credentials", "SecretAccessKey"},
        {response, result, "Credentials", "SessionToken"},
        {response, result, "Credentials", "Expiration"},
    };
    std::string bad;
    if (!read_xml(xml, f, bad)) {
        why = "STS answer is not valid XML (" + bad + ")";
        return false;
    }
    if (f[0].found) {
        if (error_code) *error_code = f[1].text;
        why = "STS error " + f[1].text + ": " + f[2].text;
        return false;
    }
    if (!f[3].found) {
        why = "STS answer has no AssumeRoleWithWebIdentityResult/Credentials";
        return false;
    }
    credentials cr;
    cr.access_key_id = std::move(f[4].text);
    cr.secret_access_key = std::move(f[5].text);
    cr.session_token = std::move(f[6].text);
    if (cr.access_key_id.empty() || cr.secret_access_key.empty() || cr.session_token.empty()) {
        why = "STS answer lacks AccessKeyId, SecretAccessKey or SessionToken";
        return false;
    }
    if (!f[7].text.empty()) {
        timestamp t;
        if (!parse_timestamp(f[7].text, t)) {
            why = "STS answer: Expiration is not an ISO 8601 date-time";
            return false;
        }
        cr.expiration = to_system_time(t);
    }
    out = std::move(cr);
    return true;
}

/// Whether an AssumeRoleWithWebIdentity attempt is worth another, as botocore's STS client in
/// standard mode decides (botocore/retries/standard.py: transient and throttling errors, and
/// special.RetryIDPCommunicationError for STS): a broken or timed-out exchange, a 500/502/503/504,
/// a throttling code, or IDPCommunicationError (the identity provider did not answer STS).
inline bool sts_retryable(const boost::system::error_code& transport, unsigned status, std::string_view code) noexcept
{
    if (transport) return classify(transport) != error_class::not_retryable;
    return code == "IDPCommunicationError" || classify(status, code) != error_class::not_retryable;
}

}  // namespace bedrock_agent::sansio

#endif
