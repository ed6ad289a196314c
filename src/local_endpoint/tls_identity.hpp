#ifndef BEDROCK_AGENT_LOCAL_TLS_IDENTITY_HPP
#define BEDROCK_AGENT_LOCAL_TLS_IDENTITY_HPP

// A self-signed certificate made at run time (ECDSA P-256), for the local endpoint and the tests'
// loopback servers. Nothing secret is kept on disk but the certificate itself (the CA file).

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <fstream>
#include <memory>
#include <random>
#include <stdexcept>
#include <string>

namespace bedrock_agent::local {

struct tls_identity {
    std::string cert_pem;
    std::string key_pem;

    /// subject_alt_names: e.g. "DNS:localhost,IP:127.0.0.1,IP:::1".
    static tls_identity generate(const std::string& subject_alt_names = "DNS:localhost,IP:127.0.0.1,IP:::1")
    {
        auto fail = [](const char* what) { throw std::runtime_error(std::string("tls_identity: ") + what); };
        std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(EVP_EC_gen("P-256"), EVP_PKEY_free);
        if (!key) fail("key generation failed");
        std::unique_ptr<X509, decltype(&X509_free)> x(X509_new(), X509_free);
        X509_set_version(x.get(), 2);
        ASN1_INTEGER_set(X509_get_serialNumber(x.get()), static_cast<long>(std::random_device{}() & 0x7fffffff));
        X509_gmtime_adj(X509_getm_notBefore(x.get()), -3600);
        X509_gmtime_adj(X509_getm_notAfter(x.get()), 60L * 60 * 24 * 365);
        X509_set_pubkey(x.get(), key.get());
        X509_NAME* name = X509_get_subject_name(x.get());
        X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                                   reinterpret_cast<const unsigned char*>("bedrock-agent-local"), -1, -1, 0);
        X509_set_issuer_name(x.get(), name);
        X509V3_CTX ctx;
        X509V3_set_ctx_nodb(&ctx);
        X509V3_set_ctx(&ctx, x.get(), x.get(), nullptr, nullptr, 0);
        for (auto [nid, value] : {std::pair{NID_subject_alt_name, subject_alt_names},
                                  std::pair{NID_basic_constraints, std::string("critical,CA:TRUE")}}) {
            X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
            if (!ext) fail("bad extension");
            X509_add_ext(x.get(), ext, -1);
            X509_EXTENSION_free(ext);
        }
        if (!X509_sign(x.get(), key.get(), EVP_sha256())) fail("signing failed");
        tls_identity id;
        auto to_pem = [&](auto write) {
            std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), BIO_free);
            if (!write(bio.get())) fail("PEM encoding failed");
            char* data = nullptr;
            long n = BIO_get_mem_data(bio.get(), &data);
            return std::string(data, static_cast<std::size_t>(n));
        };
        id.cert_pem = to_pem([&](BIO* b) { return PEM_write_bio_X509(b, x.get()); });
        id.key_pem = to_pem([&](BIO* b) {
            return PEM_write_bio_PrivateKey(b, key.get(), nullptr, nullptr, 0, nullptr, nullptr);
        });
        return id;
    }

    /// Writes the certificate (the "CA" clients should trust) to `path`.
    void write_ca_file(const std::string& path) const
    {
        std::ofstream f(path, std::ios::binary | std::ios::trunc);
        f << cert_pem;
        if (!f) throw std::runtime_error("cannot write " + path);
    }
};

}  // namespace bedrock_agent::local

#endif
