#ifndef BEDROCK_AGENT_IMPL_INTERNAL_SANSIO_STS_XML_HPP
#define BEDROCK_AGENT_IMPL_INTERNAL_SANSIO_STS_XML_HPP

// STS AssumeRoleWithWebIdentity: the request body and the XML answer (parsed with pugixml).

#include <bedrock_agent/credentials.hpp>
#include <bedrock_agent/protocol.hpp>
#include <bedrock_agent/sigv4.hpp>
#include <bedrock_agent/impl/internal/sansio/credential_json.hpp>

#include <pugixml.hpp>

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
/// and Message). Returns false on failure.
inline bool parse_sts_credentials(std::string_view xml, credentials& out, std::string& why)
{
    pugi::xml_document doc;
    auto res = doc.load_buffer(xml.data(), xml.size());
    if (!res) {
        why = std::string("STS answer is not valid XML (") + res.description() + " at byte " + std::to_string(res.offset) + ")";
        return false;
    }
    if (auto err = doc.child("ErrorResponse").child("Error")) {
        why = std::string("STS error ") + err.child_value("Code") + ": " + err.child_value("Message");
        return false;
    }
    auto c = doc.child("AssumeRoleWithWebIdentityResponse").child("AssumeRoleWithWebIdentityResult").child("Credentials");
    if (!c) {
        why = "STS answer has no AssumeRoleWithWebIdentityResult/Credentials";
        return false;
    }
    credentials cr;
    cr.access_key_id = c.child_value("AccessKeyId");
    cr.secret_access_key = c.child_value("SecretAccessKey");
    cr.session_token = c.child_value("SessionToken");
    if (cr.access_key_id.empty() || cr.secret_access_key.empty() || cr.session_token.empty()) {
        why = "STS answer lacks AccessKeyId, SecretAccessKey or SessionToken";
        return false;
    }
    if (const char* exp = c.child_value("Expiration"); *exp) {
        timestamp t;
        if (!parse_timestamp(exp, t)) {
            why = "STS answer: Expiration is not an ISO 8601 date-time";
            return false;
        }
        cr.expiration = to_system_time(t);
    }
    out = std::move(cr);
    return true;
}

}  // namespace bedrock_agent::sansio

#endif
