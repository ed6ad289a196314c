#ifndef BEDROCK_AGENT_SHARED_CONFIG_HPP
#define BEDROCK_AGENT_SHARED_CONFIG_HPP

// The AWS shared config (~/.aws/config) and credentials (~/.aws/credentials) files, parsed to the
// format the AWS SDKs and CLI read: [default], [profile NAME] in config and [NAME] in credentials,
// [services NAME], '#' and ';' comments, indented sub-properties. Sans-io: parse() takes text.

#include <bedrock_agent/detail/config.hpp>

#include <boost/system/error_code.hpp>

#include <cstddef>
#include <map>
#include <string>
#include <string_view>

namespace bedrock_agent {

class shared_config_file {
public:
    enum class file_kind { config, credentials };

    struct section {
        std::map<std::string, std::string> values;
        /// Sub-properties: `key =` followed by indented `sub = value` lines.
        std::map<std::string, std::map<std::string, std::string>> sub;
        /// The value of `key`, or nullptr.
        const std::string* get(std::string_view key) const
        {
            auto it = values.find(std::string(key));
            return it == values.end() ? nullptr : &it->second;
        }
    };

    /// Parses `text`. A malformed line fails with errc::invalid_configuration and `why` names
    /// "file:line" and the fault (never a value, which may be a secret).
    BEDROCK_AGENT_DECL static boost::system::error_code parse(std::string_view text, file_kind kind,
                                                             std::string_view filename, shared_config_file& out,
                                                             std::string& why);

    /// The largest file load() reads (16 MiB): a larger one is an error, not a long read.
    static constexpr std::size_t max_file_size = std::size_t{16} << 20;

    /// Reads and parses a file. A missing file, a path that names no regular file (a directory,
    /// /dev/null, a FIFO) and a file that cannot be opened are an empty one, as in botocore
    /// (whose ConfigParser.read skips what it cannot open); a file larger than max_file_size
    /// fails with errc::invalid_configuration, and `why` names it.
    BEDROCK_AGENT_DECL static boost::system::error_code load(const std::string& path, file_kind kind,
                                                            shared_config_file& out, std::string& why);

    const section* profile(std::string_view name) const
    {
        auto it = profiles_.find(std::string(name));
        return it == profiles_.end() ? nullptr : &it->second;
    }
    const section* services(std::string_view name) const
    {
        auto it = services_.find(std::string(name));
        return it == services_.end() ? nullptr : &it->second;
    }
    const std::map<std::string, section>& profiles() const noexcept { return profiles_; }

private:
    std::map<std::string, section> profiles_;
    std::map<std::string, section> services_;
};

}  // namespace bedrock_agent

#ifdef BEDROCK_AGENT_HEADER_ONLY
#include <bedrock_agent/impl/shared_config.ipp>
#endif

#endif
