#ifndef BEDROCK_AGENT_IMPL_SHARED_CONFIG_IPP
#define BEDROCK_AGENT_IMPL_SHARED_CONFIG_IPP

#include <bedrock_agent/error.hpp>
#include <bedrock_agent/shared_config.hpp>
#include <bedrock_agent/impl/internal/read_file.hpp>

#include <cctype>
#include <set>

namespace bedrock_agent {
namespace detail {

inline std::string_view trim(std::string_view s)
{
    auto b = s.find_first_not_of(" \t\r");
    if (b == std::string_view::npos) return {};
    auto e = s.find_last_not_of(" \t\r");
    return s.substr(b, e - b + 1);
}

// A '#' or ';' preceded by whitespace starts a comment in a value (the SDKs' rule).
inline std::string_view strip_inline_comment(std::string_view v)
{
    for (std::size_t i = 1; i < v.size(); ++i)
        if ((v[i] == '#' || v[i] == ';') && (v[i - 1] == ' ' || v[i - 1] == '\t')) return trim(v.substr(0, i));
    return v;
}

}  // namespace detail

BEDROCK_AGENT_COLD BEDROCK_AGENT_DECL boost::system::error_code shared_config_file::parse(std::string_view text, file_kind kind,
                                                                     std::string_view filename,
                                                                     shared_config_file& out, std::string& why)
{
    using detail::trim;
    shared_config_file result;
    section* current = nullptr;       // nullptr before the first section, or in an ignored one
    bool in_ignored_section = false;
    std::string last_key;             // the property indented lines belong to
    bool last_key_empty_value = false;
    std::size_t line_no = 0;
    // As botocore's ConfigParser (strict): a section twice in one file, or a key twice in one
    // section, is an error (DuplicateSectionError, DuplicateOptionError: ConfigParseError).
    std::set<std::string, std::less<>> sections_seen;
    std::set<std::string, std::less<>> keys_seen;  ///< in the current section
    auto fail = [&](const std::string& msg) {
        why = std::string(filename) + ":" + std::to_string(line_no) + ": " + msg;
        return make_error_code(errc::invalid_configuration);
    };
    for (std::size_t pos = 0; pos <= text.size();) {
        std::size_t nl = text.find('\n', pos);
        if (nl == std::string_view::npos) nl = text.size();
        std::string_view raw = text.substr(pos, nl - pos);
        pos = nl + 1;
        ++line_no;
        std::string_view line = trim(raw);
        if (line.empty() || line[0] == '#' || line[0] == ';') continue;
        bool indented = raw[0] == ' ' || raw[0] == '\t';
        if (line[0] == '[') {
            auto close = line.find(']');
            if (close == std::string_view::npos) return fail("section header without ']'");
            std::string_view rest = trim(line.substr(close + 1));
            if (!rest.empty() && rest[0] != '#' && rest[0] != ';') return fail("unexpected text after the section header");
            std::string_view name = trim(line.substr(1, close - 1));
            if (name.empty()) return fail("empty section name");
            if (!sections_seen.emplace(line.substr(1, close - 1)).second)
                return fail("section [" + std::string(name) + "] appears twice in this file");
            keys_seen.clear();
            last_key.clear();
            in_ignored_section = false;
            current = nullptr;
            if (kind == file_kind::credentials) {
                current = &result.profiles_[std::string(name)];
            } else if (name == "default") {
                // [default] and [profile default] name one profile: the later section replaces
                // the earlier one whole, as botocore's build_profile_map does.
                current = &result.profiles_["default"];
                *current = section{};
            } else if (name == "profile" || name == "services") {
                return fail(std::string("empty ") + (name == "profile" ? "profile" : "services section") + " name");
            } else if (name.starts_with("profile ") || name.starts_with("profile\t")) {
                std::string_view p = trim(name.substr(8));
                if (p.empty()) return fail("empty profile name");
                current = &result.profiles_[std::string(p)];
                *current = section{};  // (as [default] above)
            } else if (name.starts_with("services ") || name.starts_with("services\t")) {
                std::string_view p = trim(name.substr(9));
                if (p.empty()) return fail("empty services section name");
                current = &result.services_[std::string(p)];
            } else {
                in_ignored_section = true;  // [sso-session x], or a name the config file does not use
            }
            continue;
        }
        if (indented && !last_key.empty() && (current || in_ignored_section)) {
            if (last_key_empty_value) {
                auto eq = line.find('=');
                if (eq == std::string_view::npos) return fail("sub-property without '=' under \"" + last_key + "\"");
                std::string_view k = trim(line.substr(0, eq));
                if (k.empty()) return fail("sub-property with an empty name under \"" + last_key + "\"");
                if (current) current->sub[last_key][std::string(k)] = std::string(detail::strip_inline_comment(trim(line.substr(eq + 1))));
            } else if (current) {
                current->values[last_key] += "\n" + std::string(line);  // a continuation line
            }
            continue;
        }
        if (!current && !in_ignored_section) return fail("property outside any section");
        // ConfigParser's delimiters: the first '=' or ':'; names are lower-cased (optionxform).
        auto eq = line.find_first_of("=:");
        if (eq == std::string_view::npos) return fail("expected \"name = value\" or \"name: value\"");
        std::string_view k = trim(line.substr(0, eq));
        if (k.empty()) return fail("property with an empty name");
        std::string_view v = detail::strip_inline_comment(trim(line.substr(eq + 1)));
        last_key.clear();
        for (char c : k) last_key.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
        if (!keys_seen.insert(last_key).second) return fail("\"" + last_key + "\" is set twice in this section");
        last_key_empty_value = v.empty();
        if (current) current->values[last_key] = std::string(v);
    }
    out = std::move(result);
    return {};
}

BEDROCK_AGENT_COLD BEDROCK_AGENT_DECL boost::system::error_code shared_config_file::load(const std::string& path, file_kind kind,
                                                                    shared_config_file& out, std::string& why)
{
    out = shared_config_file();
    std::string text;
    switch (detail::read_small_file(path, max_file_size, text, why)) {
    case detail::read_file_status::missing:
    case detail::read_file_status::failed:  // botocore's ConfigParser.read skips a file it cannot open
        why.clear();
        return {};
    case detail::read_file_status::too_large: return make_error_code(errc::invalid_configuration);
    case detail::read_file_status::ok: break;
    }
    return parse(text, kind, path, out, why);
}

}  // namespace bedrock_agent

#endif
