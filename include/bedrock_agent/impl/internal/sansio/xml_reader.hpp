#ifndef BEDROCK_AGENT_IMPL_INTERNAL_SANSIO_XML_READER_HPP
#define BEDROCK_AGENT_IMPL_INTERNAL_SANSIO_XML_READER_HPP

// The one XML the library reads is STS's answer, a few known elements deep. This reader checks
// that a document is well formed (one root element; matching tags; attributes; character and
// entity references; comments, CDATA sections and processing instructions) and takes the text
// of the elements asked for by path. No DTD is read: a DOCTYPE is refused, so no entity is ever
// expanded beyond XML's five. Names are compared as written (a prefix is part of the name).

#include <bedrock_agent/detail/config.hpp>

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace bedrock_agent::sansio {

/// An element asked for by its path from the root, and what was found: the text directly inside
/// the first element on that path (references decoded, CDATA taken as is).
struct xml_field {
    xml_field(std::initializer_list<std::string_view> p) : path(p) {}
    explicit xml_field(std::vector<std::string_view> p) : path(std::move(p)) {}

    std::vector<std::string_view> path;
    bool found = false;
    std::string text;
};

class xml_reader {
public:
    xml_reader(std::string_view in, std::span<xml_field> fields) : in_(in), fields_(fields) {}

    /// False, with why() and at() set, when the document is not well formed.
    bool read()
    {
        if (in_.starts_with("\xEF\xBB\xBF")) pos_ = 3;  // a UTF-8 byte order mark
        bool root_seen = false;
        while (skip_space(), pos_ < in_.size()) {
            if (in_[pos_] != '<') return fail(root_seen ? "text after the root element" : "text before the root element");
            bool skipped = false;
            if (!comment_or_pi(skipped)) return false;
            if (skipped) continue;
            if (in_.substr(pos_).starts_with("<!DOCTYPE")) return fail("a DOCTYPE is not accepted");
            if (root_seen) return fail("a second root element");
            if (!start_tag() || !content()) return false;
            root_seen = true;
        }
        if (!root_seen) return fail("no root element");
        return true;
    }

    const char* why() const noexcept { return why_; }
    std::size_t at() const noexcept { return at_; }

private:
    static constexpr std::size_t max_depth = 256;

    std::string_view in_;
    std::span<xml_field> fields_;
    std::size_t pos_ = 0;
    std::vector<std::string_view> stack_;
    xml_field* capture_ = nullptr;  ///< the field whose element is the innermost open one
    const char* why_ = "";
    std::size_t at_ = 0;

    bool fail(const char* why) noexcept { return fail(why, pos_); }
    bool fail(const char* why, std::size_t at) noexcept
    {
        why_ = why;
        at_ = at;
        return false;
    }
    static bool is_space(char c) noexcept { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
    void skip_space() noexcept
    {
        while (pos_ < in_.size() && is_space(in_[pos_])) ++pos_;
    }
    static bool name_start(unsigned char c) noexcept
    {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':' || c >= 0x80;
    }
    static bool name_char(unsigned char c) noexcept
    {
        return name_start(c) || (c >= '0' && c <= '9') || c == '-' || c == '.';
    }
    bool name(std::string_view& out)
    {
        std::size_t b = pos_;
        if (pos_ >= in_.size() || !name_start(static_cast<unsigned char>(in_[pos_]))) return fail("a name was expected");
        while (pos_ < in_.size() && name_char(static_cast<unsigned char>(in_[pos_]))) ++pos_;
        out = in_.substr(b, pos_ - b);
        return true;
    }
    /// Skips to just past `end`, or fails with `why` at the construct's start `from`.
    bool skip_past(std::string_view end, const char* why, std::size_t from)
    {
        auto e = in_.find(end, pos_);
        if (e == std::string_view::npos) return fail(why, from);
        pos_ = e + end.size();
        return true;
    }

    /// At '<': skips a comment or a processing instruction (`skipped`), or leaves anything else.
    bool comment_or_pi(bool& skipped)
    {
        std::size_t from = pos_;
        std::string_view rest = in_.substr(pos_);
        skipped = true;
        if (rest.starts_with("<!--")) {
            pos_ += 4;
            return skip_past("-->", "unclosed comment", from);
        }
        if (rest.starts_with("<?")) {
            pos_ += 2;
            return skip_past("?>", "unclosed processing instruction", from);
        }
        skipped = false;
        return true;
    }

    /// At '<' of a start tag: reads it, opens the element (or, for <x/>, opens and closes it).
    bool start_tag()
    {
        ++pos_;
        std::string_view n;
        if (!name(n)) return false;
        for (;;) {
            std::size_t before = pos_;
            skip_space();
            if (pos_ >= in_.size()) return fail("unclosed start tag");
            char c = in_[pos_];
            if (c == '>' || c == '/') {
                bool empty = c == '/';
                if (empty && (pos_ + 1 >= in_.size() || in_[pos_ + 1] != '>')) return fail("'>' was expected after '/'");
                pos_ += empty ? 2 : 1;
                if (stack_.size() == max_depth) return fail("elements nested too deep");
                open(n);
                if (empty) close();
                return true;
            }
            if (pos_ == before) return fail("a space was expected before an attribute");
            std::string_view an;
            if (!name(an)) return false;
            skip_space();
            if (pos_ >= in_.size() || in_[pos_] != '=') return fail("'=' was expected after an attribute name");
            ++pos_;
            skip_space();
            if (pos_ >= in_.size() || (in_[pos_] != '"' && in_[pos_] != '\'')) return fail("a quoted attribute value was expected");
            char q = in_[pos_++];
            std::size_t vb = pos_;
            while (pos_ < in_.size() && in_[pos_] != q) {
                if (in_[pos_] == '<') return fail("'<' in an attribute value");
                if (in_[pos_] == '&') {
                    if (!reference(nullptr)) return false;
                } else {
                    ++pos_;
                }
            }
            if (pos_ >= in_.size()) return fail("unclosed attribute value", vb - 1);
            ++pos_;
        }
    }

    void open(std::string_view n)
    {
        stack_.push_back(n);
        capture_ = nullptr;
        for (auto& f : fields_) {
            if (f.found || f.path.size() != stack_.size()) continue;
            bool same = true;
            for (std::size_t i = 0; i < stack_.size() && same; ++i) same = f.path[i] == stack_[i];
            if (same) {
                f.found = true;
                capture_ = &f;
                break;
            }
        }
    }
    void close()
    {
        stack_.pop_back();
        capture_ = nullptr;  // text after a child element belongs to no field still being read
    }

    /// Inside the root: text, references, CDATA, comments, PIs, child elements and end tags,
    /// until the root's end tag.
    bool content()
    {
        while (!stack_.empty()) {
            if (pos_ >= in_.size()) return fail("unclosed element");
            char c = in_[pos_];
            if (c == '&') {
                if (!reference(capture_ ? &capture_->text : nullptr)) return false;
                continue;
            }
            if (c != '<') {
                std::size_t b = pos_;
                while (pos_ < in_.size() && in_[pos_] != '<' && in_[pos_] != '&') ++pos_;
                if (capture_) capture_->text.append(in_.substr(b, pos_ - b));
                continue;
            }
            std::size_t from = pos_;
            std::string_view rest = in_.substr(pos_);
            bool skipped = false;
            if (!comment_or_pi(skipped)) return false;
            if (skipped) continue;
            if (rest.starts_with("<![CDATA[")) {
                pos_ += 9;
                auto e = in_.find("]]>", pos_);
                if (e == std::string_view::npos) return fail("unclosed CDATA section", from);
                if (capture_) capture_->text.append(in_.substr(pos_, e - pos_));
                pos_ = e + 3;
            } else if (rest.starts_with("</")) {
                pos_ += 2;
                std::string_view n;
                if (!name(n)) return false;
                if (n != stack_.back()) return fail("an end tag that does not match its start tag", from);
                skip_space();
                if (pos_ >= in_.size() || in_[pos_] != '>') return fail("'>' was expected");
                ++pos_;
                close();
            } else if (rest.starts_with("<!")) {
                return fail("a declaration inside an element");
            } else {
                if (!start_tag()) return false;
            }
        }
        return true;
    }

    /// At '&': one of XML's five entities or a character reference, appended to out (if any)
    /// as UTF-8.
    bool reference(std::string* out)
    {
        std::size_t from = pos_;
        auto semi = in_.find(';', pos_);
        if (semi == std::string_view::npos || semi - pos_ > 12) return fail("'&' that starts no reference", from);
        std::string_view r = in_.substr(pos_ + 1, semi - pos_ - 1);
        pos_ = semi + 1;
        if (!r.empty() && r[0] == '#') {
            std::uint32_t cp = 0;
            bool hex = r.size() > 1 && r[1] == 'x';
            std::string_view digits = r.substr(hex ? 2 : 1);
            if (digits.empty()) return fail("an empty character reference", from);
            for (char d : digits) {
                std::uint32_t v;
                if (d >= '0' && d <= '9') v = static_cast<std::uint32_t>(d - '0');
                else if (hex && d >= 'a' && d <= 'f') v = static_cast<std::uint32_t>(d - 'a' + 10);
                else if (hex && d >= 'A' && d <= 'F') v = static_cast<std::uint32_t>(d - 'A' + 10);
                else return fail("a bad digit in a character reference", from);
                cp = cp * (hex ? 16 : 10) + v;
                if (cp > 0x10FFFF) return fail("a character reference beyond Unicode", from);
            }
            bool allowed = cp == 0x9 || cp == 0xA || cp == 0xD || (cp >= 0x20 && cp <= 0xD7FF) ||
                           (cp >= 0xE000 && cp <= 0xFFFD) || cp >= 0x10000;
            if (!allowed) return fail("a character reference to a character XML does not allow", from);
            if (out) append_utf8(*out, cp);
            return true;
        }
        char c;
        if (r == "lt") c = '<';
        else if (r == "gt") c = '>';
        else if (r == "amp") c = '&';
        else if (r == "quot") c = '"';
        else if (r == "apos") c = '\'';
        else return fail("an unknown entity (only XML's five are defined)", from);
        if (out) out->push_back(c);
        return true;
    }

    static void append_utf8(std::string& out, std::uint32_t cp)
    {
        if (cp < 0x80) {
            out.push_back(static_cast<char>(cp));
        } else if (cp < 0x800) {
            out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
            out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
        } else if (cp < 0x10000) {
            out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
            out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
            out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
        } else {
            out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
            out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
            out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
            out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
        }
    }
};

/// Reads `xml`, filling `fields`. False when it is not well formed: `why` then says what is
/// wrong and at which byte.
BEDROCK_AGENT_COLD inline bool read_xml(std::string_view xml, std::span<xml_field> fields, std::string& why)
{
    xml_reader r(xml, fields);
    if (r.read()) return true;
    why = std::string(r.why()) + " at byte " + std::to_string(r.at());
    return false;
}

}  // namespace bedrock_agent::sansio

#endif
