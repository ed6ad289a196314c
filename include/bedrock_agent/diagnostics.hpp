#ifndef BEDROCK_AGENT_DIAGNOSTICS_HPP
#define BEDROCK_AGENT_DIAGNOSTICS_HPP

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace bedrock_agent {

namespace detail {
class diagnostics_writer;
}

/// One entry of a ValidationException's `fieldList`.
struct validation_field {
    std::string name;
    std::string message;
    bool operator==(const validation_field&) const = default;
};

/// What is known about a failed (or finished) call beyond its error_code.
/// Text from the server (`aws_error_code`, `message`, `field_list`) is untrusted: print it, don't
/// interpret it. `client_message` is ours: it names the field, member, byte or step at fault.
class diagnostics {
public:
    diagnostics() = default;

    /// The AWS error code as the service sent it, sanitised (e.g. "ConflictException"); empty if none.
    const std::string& aws_error_code() const noexcept { return aws_error_code_; }
    /// The server's message (`message` or `Message`); empty if none.
    const std::string& message() const noexcept { return message_; }
    /// `x-amzn-RequestId` of the last response; empty if none.
    const std::string& request_id() const noexcept { return request_id_; }
    /// HTTP status of the last response, 0 if none was received.
    unsigned http_status() const noexcept { return http_status_; }
    /// HTTP attempts made, retries included.
    unsigned attempts() const noexcept { return attempts_; }
    /// ValidationException's fieldList.
    const std::vector<validation_field>& field_list() const noexcept { return field_list_; }
    /// Our own explanation: which field, member, byte or step failed. Never contains secrets.
    const std::string& client_message() const noexcept { return client_message_; }

    /// Empties every member (keeping the strings' capacity, so a reused object stops allocating).
    void clear() noexcept
    {
        aws_error_code_.clear();
        message_.clear();
        request_id_.clear();
        client_message_.clear();
        field_list_.clear();
        http_status_ = 0;
        attempts_ = 0;
    }

    bool operator==(const diagnostics&) const = default;

private:
    friend class detail::diagnostics_writer;  // the library fills it
    std::string aws_error_code_;
    std::string message_;
    std::string request_id_;
    std::string client_message_;
    std::vector<validation_field> field_list_;
    unsigned http_status_{0};
    unsigned attempts_{0};
};

namespace detail {

/// How the library (and its tests) fill a diagnostics object: detail::diag(d).set_message(...).
class diagnostics_writer {
public:
    explicit diagnostics_writer(diagnostics& d) noexcept : d_(d) {}
    void set_aws_error_code(std::string_view v) { d_.aws_error_code_.assign(v); }
    void set_message(std::string_view v) { d_.message_.assign(v); }
    void set_request_id(std::string_view v) { d_.request_id_.assign(v); }
    void set_http_status(unsigned v) noexcept { d_.http_status_ = v; }
    void set_attempts(unsigned v) noexcept { d_.attempts_ = v; }
    void set_field_list(std::vector<validation_field> v) { d_.field_list_ = std::move(v); }
    void set_client_message(std::string_view v) { d_.client_message_.assign(v); }
    const diagnostics& get() const noexcept { return d_; }

private:
    diagnostics& d_;
};

inline diagnostics_writer diag(diagnostics& d) noexcept { return diagnostics_writer(d); }

}  // namespace detail
}  // namespace bedrock_agent

#endif
