#ifndef BEDROCK_AGENT_ERROR_WITH_DIAGNOSTICS_HPP
#define BEDROCK_AGENT_ERROR_WITH_DIAGNOSTICS_HPP

#include <bedrock_agent/diagnostics.hpp>
#include <bedrock_agent/error.hpp>

#include <boost/system/system_error.hpp>

#include <string>

namespace bedrock_agent {

/// What the throwing paths throw: the error_code plus everything the diagnostics knew.
/// what() reads like "ConflictException: job not running [conflict with ...]".
class error_with_diagnostics : public boost::system::system_error {
public:
    error_with_diagnostics(const boost::system::error_code& ec, bedrock_agent::diagnostics d)
        : boost::system::system_error(boost::system::error_code(ec.value(), ec.category()), describe(d)),
          diag_(std::move(d))
    {
    }
    const bedrock_agent::diagnostics& diagnostics() const noexcept { return diag_; }

    /// "<code>: <server message>; <client message>", leaving out what is empty.
    static std::string describe(const bedrock_agent::diagnostics& d)
    {
        std::string s;
        if (!d.aws_error_code().empty()) s += d.aws_error_code();
        if (!d.message().empty()) s += (s.empty() ? "" : ": ") + d.message();
        if (!d.client_message().empty()) s += (s.empty() ? "" : "; ") + d.client_message();
        return s;
    }

private:
    bedrock_agent::diagnostics diag_;
};

/// Throws error_with_diagnostics if ec is set.
inline void throw_on_error(const boost::system::error_code& ec, const diagnostics& d)
{
    if (ec) throw error_with_diagnostics(ec, d);
}

}  // namespace bedrock_agent

#endif
