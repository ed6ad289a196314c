// Every case of AWS's SigV4 test suites, checked stage by stage:
//  - aws-signing-test-suite/v4 (aws-c-auth layout): header and query (presigned) signing, each of
//    canonical request, string to sign, signature and signed request on its own;
//  - aws-sig-v4-test-suite (the classic .req/.creq/.sts/.authz/.sreq layout).
#include <bedrock_agent/sigv4.hpp>

#include "common/test_util.hpp"

#include <doctest/doctest.h>
#include <simdjson.h>

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <vector>

namespace fs = std::filesystem;
namespace sigv4 = bedrock_agent::sigv4;

namespace {

struct raw_request {
    std::string method, target, path, query;
    std::vector<std::pair<std::string, std::string>> headers;  // value keeps folded lines
    std::vector<std::string> header_lines;                       // as written
    std::string body;
    bool has_body_separator = false;
};

// Parses a suite request file: "METHOD target HTTP/1.1", header lines (a line starting with
// whitespace continues the previous header), an empty line, then the body.
raw_request parse_request(const std::string& text)
{
    raw_request r;
    std::size_t pos = 0;
    auto next_line = [&](std::string& line) {
        if (pos > text.size()) return false;
        std::size_t nl = text.find('\n', pos);
        if (nl == std::string::npos) nl = text.size();
        line = text.substr(pos, nl - pos);
        pos = nl + 1;
        return true;
    };
    std::string line;
    next_line(line);
    std::size_t sp1 = line.find(' '), sp2 = line.rfind(' ');
    r.method = line.substr(0, sp1);
    r.target = line.substr(sp1 + 1, sp2 - sp1 - 1);
    std::size_t q = r.target.find('?');
    r.path = r.target.substr(0, q);
    if (q != std::string::npos) r.query = r.target.substr(q + 1);
    while (next_line(line)) {
        if (line.empty()) {
            r.has_body_separator = true;
            break;
        }
        r.header_lines.push_back(line);
        if ((line[0] == ' ' || line[0] == '\t') && !r.headers.empty()) {
            r.headers.back().second += "\n" + line;
            continue;
        }
        std::size_t colon = line.find(':');
        r.headers.emplace_back(line.substr(0, colon), line.substr(colon + 1));
    }
    if (r.has_body_separator && pos <= text.size()) r.body = text.substr(pos);
    return r;
}

std::vector<sigv4::header_view> views(const raw_request& r)
{
    std::vector<sigv4::header_view> v;
    for (auto& [n, val] : r.headers) v.push_back({n, val});
    return v;
}

std::chrono::system_clock::time_point suite_time()
{
    std::chrono::system_clock::time_point t;
    REQUIRE(sigv4::parse_amz_date("20150830T123600Z", t));
    return t;
}

std::string strip_trailing_newline(std::string s)
{
    while (!s.empty() && s.back() == '\n') s.pop_back();
    return s;
}

// aws-c-auth's rendering: request line, original header lines, added headers "Name:value", blank
// line, body.
std::string render_v4(const raw_request& r, const sigv4::signing_result& res, bool query)
{
    std::string target = r.target;
    if (query) {
        for (auto& p : res.query_params_to_add) {
            target += (target.find('?') == std::string::npos) ? '?' : '&';
            target += p.name + "=" + p.value;
        }
    }
    std::string out = r.method + " " + target + " HTTP/1.1\n";
    for (auto& l : r.header_lines) out += l + "\n";
    if (!query)
        for (auto& h : res.headers_to_add) out += h.name + ":" + h.value + "\n";
    out += "\n" + r.body;
    return out;
}

std::vector<fs::path> case_dirs(const fs::path& root, const std::string& marker_ext)
{
    std::vector<fs::path> out;
    for (auto& e : fs::recursive_directory_iterator(root)) {
        if (!e.is_directory()) continue;
        fs::path d = e.path();
        if (marker_ext == "request.txt" ? fs::exists(d / "request.txt")
                                        : fs::exists(d / (d.filename().string() + marker_ext)))
            out.push_back(d);
    }
    std::sort(out.begin(), out.end());
    return out;
}

}  // namespace

TEST_SUITE("sigv4-v4")
{
    TEST_CASE("aws-signing-test-suite/v4: every case, header and query signing, stage by stage")
    {
        auto root = test_util::shared_dir() / "testdata/sigv4/aws-signing-test-suite/v4";
        auto cases = case_dirs(root, "request.txt");
        REQUIRE(cases.size() == 38);
        int checked = 0;
        for (auto& dir : cases) {
            const std::string name = dir.filename().string();
            CAPTURE(name);
            simdjson::dom::parser p;
            auto ctx_text = test_util::read_file(dir / "context.json");
            simdjson::dom::element ctx = p.parse(ctx_text);
            auto creds = ctx["credentials"];
            std::string ak{std::string_view(creds["access_key_id"])};
            std::string sk{std::string_view(creds["secret_access_key"])};
            std::string token;
            if (auto t = creds["token"]; !t.error()) token = std::string(std::string_view(t.value()));
            bool omit = false;
            if (auto o = ctx["omit_session_token"]; !o.error()) omit = bool(o.value());
            std::string region{std::string_view(ctx["region"])};
            std::string service{std::string_view(ctx["service"])};
            std::chrono::system_clock::time_point when;
            REQUIRE(sigv4::parse_amz_date(std::string_view(ctx["timestamp"]), when));
            auto raw = parse_request(test_util::read_file(dir / "request.txt"));
            auto hv = views(raw);

            sigv4::signing_settings settings;
            settings.normalize_path = bool(ctx["normalize"]);
            settings.double_encode_path = true;  // aws-c-auth runs every case with double encoding
            settings.add_content_sha256_header = bool(ctx["sign_body"]);
            settings.omit_session_token = omit;
            settings.expires_in = std::chrono::seconds(int64_t(ctx["expiration_in_seconds"]));

            for (bool query : {false, true}) {
                CAPTURE(query);
                const std::string pre = query ? "query-" : "header-";
                settings.location = query ? sigv4::signature_location::query_params
                                          : sigv4::signature_location::headers;
                sigv4::signable_request req{raw.method, raw.path, raw.query, hv, raw.body, {}};
                sigv4::signing_params params{ak, sk, token, region, service, when, settings};
                auto res = sigv4::sign(req, params);
                CHECK(res.canonical_request == test_util::read_file(dir / (pre + "canonical-request.txt")));
                CHECK(res.string_to_sign == test_util::read_file(dir / (pre + "string-to-sign.txt")));
                CHECK(res.signature == test_util::read_file(dir / (pre + "signature.txt")));
                CHECK(render_v4(raw, res, query) == test_util::read_file(dir / (pre + "signed-request.txt")));
                ++checked;
            }
        }
        CHECK(checked == 76);
        std::cout << "[sigv4-v4] " << cases.size() << " cases x (header, query) = " << checked
                  << " signings checked stage by stage, 0 skipped\n";
    }

    TEST_CASE("the signing key is derived once per (secret, date, region, service)")
    {
        sigv4::signing_key_cache cache;
        sigv4::header_view hv[] = {{"host", "example.amazonaws.com"}};
        sigv4::signable_request req{"GET", "/", {}, hv, {}, {}};
        sigv4::signing_params params{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", {}, "us-east-1",
                                     "service", suite_time(), {}};
        auto a = sigv4::sign(req, params, &cache);
        auto b = sigv4::sign(req, params, &cache);
        CHECK(a.signature == b.signature);
        CHECK(cache.derivations() == 1);
        params.time += std::chrono::hours(24);  // a new day needs a new key
        auto c = sigv4::sign(req, params, &cache);
        CHECK(cache.derivations() == 2);
        CHECK(c.signature != a.signature);
        params.region = "eu-west-1";
        sigv4::sign(req, params, &cache);
        CHECK(cache.derivations() == 3);
    }

    TEST_CASE("the redacted canonical request hides the session token")
    {
        sigv4::header_view hv[] = {{"host", "example.amazonaws.com"}};
        sigv4::signable_request req{"GET", "/", {}, hv, {}, {}};
        sigv4::signing_params params{"AKIDEXAMPLE", "SECRET", "TOKENVALUE123", "us-east-1", "service",
                                     suite_time(), {}};
        auto r = sigv4::sign(req, params);
        CHECK(r.canonical_request.find("TOKENVALUE123") != std::string::npos);
        CHECK(r.redacted_canonical_request("TOKENVALUE123").find("TOKENVALUE123") == std::string::npos);
    }

    TEST_CASE("empty credentials, region or service are refused")
    {
        sigv4::signable_request req{"GET", "/", {}, {}, {}, {}};
        sigv4::signing_params params{"", "S", {}, "us-east-1", "service", suite_time(), {}};
        CHECK_THROWS_AS(sigv4::sign(req, params), std::invalid_argument);
        params.access_key_id = "A";
        params.region = "";
        CHECK_THROWS_AS(sigv4::sign(req, params), std::invalid_argument);
    }
}

TEST_SUITE("sigv4-classic")
{
    TEST_CASE("aws-sig-v4-test-suite (classic): every case")
    {
        auto root = test_util::shared_dir() / "testdata/sigv4/aws-sig-v4-test-suite";
        auto cases = case_dirs(root, ".req");
        REQUIRE(cases.size() == 34);  // the suite holds 34 cases (34 .req files)
        // post-sts-header-after: the token is added after signing; its value is in the readme.
        std::string readme = test_util::read_file(root / "post-sts-token/readme.txt");
        std::string sts_token = strip_trailing_newline(readme.substr(readme.rfind('\n', readme.size() - 2) + 1));
        REQUIRE(sts_token.starts_with("AQoDYXdzEPT"));
        int checked = 0, sreq_skipped = 0;
        for (auto& dir : cases) {
            const std::string name = dir.filename().string();
            CAPTURE(name);
            auto base = dir / name;
            auto raw = parse_request(test_util::read_file(base.string() + ".req"));
            auto creq = test_util::read_file(base.string() + ".creq");
            std::string token;
            bool omit = false;
            bool token_in_req = std::any_of(raw.headers.begin(), raw.headers.end(),
                                            [](auto& h) { return h.first == "X-Amz-Security-Token"; });
            if (!token_in_req) {
                // get-vanilla-with-session-token: the token appears only in the .creq (botocore's
                // runner reads it from there too).
                auto at = creq.find("x-amz-security-token:");
                if (at != std::string::npos) {
                    auto start = at + 21;
                    token = creq.substr(start, creq.find('\n', start) - start);
                }
            }
            if (name == "post-sts-header-after") {
                token = sts_token;
                omit = true;
            }
            auto hv = views(raw);
            sigv4::signing_settings settings;
            settings.omit_session_token = omit;
            sigv4::signable_request req{raw.method, raw.path, raw.query, hv, raw.body, {}};
            sigv4::signing_params params{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", token,
                                         "us-east-1", "service", suite_time(), settings};
            auto res = sigv4::sign(req, params);
            CHECK(res.canonical_request == creq);
            CHECK(res.string_to_sign == test_util::read_file(base.string() + ".sts"));
            CHECK(res.authorization == test_util::read_file(base.string() + ".authz"));

            // The classic .sreq: request line and header lines as in the .req, then each added
            // header on its own line ("Authorization: " with a space), then the body.
            std::string sreq = raw.method + " " + raw.target + " HTTP/1.1";
            for (auto& l : raw.header_lines) sreq += "\n" + l;
            for (auto& h : res.headers_to_add)
                sreq += "\n" + h.name + (h.name == "Authorization" ? ": " : ":") + h.value;
            if (!raw.body.empty()) sreq += "\n\n" + raw.body;
            std::string expected_sreq = test_util::read_file(base.string() + ".sreq");
            if (name == "get-vanilla-with-session-token") {
                // Skipped, with reason: this .sreq carries the signature
                // 5fa00fa3...fbf31, which matches neither its own .authz nor any signature of its
                // .sts (it is the token's hex rotated), a known defect of the suite file. The
                // .authz, .sts and .creq of the case are checked above.
                CHECK(expected_sreq.find("Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31") !=
                      std::string::npos);
                ++sreq_skipped;
            } else {
                CHECK(sreq == expected_sreq);
            }
            ++checked;
        }
        std::cout << "[sigv4-classic] " << cases.size() << " cases checked (creq, sts, authz), .sreq compared for "
                  << (checked - sreq_skipped) << ", " << sreq_skipped << " .sreq skipped with a written reason\n";
        CHECK(checked == 34);
        (void)sreq_skipped;
    }
}

#include <bedrock_agent/credentials.hpp>

#include <fstream>
#include <sstream>

TEST_SUITE("sigv4-classic")
{
    TEST_CASE("secrets in memory: the signing key cache's page is left out of core dumps; cleanse overwrites a whole buffer")
    {
        bedrock_agent::sigv4::signing_key_cache cache;
        CHECK(cache.secret_storage() == nullptr);  // nothing mapped until a key is derived
        auto key = cache.get("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "20150830", "us-east-1", "iam");
        const void* page = cache.secret_storage();
        REQUIRE(page != nullptr);
        // /proc/self/smaps: the mapping that holds the page carries VmFlags "dd" (MADV_DONTDUMP).
        std::ifstream smaps("/proc/self/smaps");
        std::string line, flags;
        bool inside = false;
        const auto addr = reinterpret_cast<std::uintptr_t>(page);
        while (std::getline(smaps, line)) {
            unsigned long lo = 0, hi = 0;
            char dash = 0;
            std::istringstream head(line);
            if (head >> std::hex >> lo >> dash >> hi && dash == '-' && line.find(' ') > line.find('-')) {
                inside = addr >= lo && addr < hi;
            } else if (inside && line.rfind("VmFlags:", 0) == 0) {
                flags = line;
                break;
            }
        }
        CHECK_MESSAGE(flags.find(" dd") != std::string::npos, flags);
        // The same inputs: no new derivation; the key is the suite's.
        CHECK(cache.get("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "20150830", "us-east-1", "iam") == key);
        CHECK(cache.derivations() == 1);

        std::string secret(100, 'S');
        const char* buffer = secret.data();
        const std::size_t capacity = secret.capacity();
        bedrock_agent::detail::cleanse(secret);
        CHECK(secret.empty());
        CHECK(secret.data() == buffer);  // the same buffer, still owned: readable
        bool zero = true;
        for (std::size_t i = 0; i < capacity; ++i) zero = zero && buffer[i] == 0;
        CHECK(zero);
    }
}
