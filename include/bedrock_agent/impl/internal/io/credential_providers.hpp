#ifndef BEDROCK_AGENT_IMPL_INTERNAL_IO_CREDENTIAL_PROVIDERS_HPP
#define BEDROCK_AGENT_IMPL_INTERNAL_IO_CREDENTIAL_PROVIDERS_HPP

// The parts of the default credential chain that need I/O, run on the client's executor and never
// blocking it: credential_process (a child process read through pipes), the container endpoint
// (ECS, EKS Pod Identity) and EC2 instance metadata (IMDSv2, with the v1 fallback rules). Also the
// cache in front of them: single flight, refresh before expiry with a jittered window, and old
// credentials kept serving while a refresh fails.

#include <bedrock_agent/credentials.hpp>
#include <bedrock_agent/error.hpp>
#include <bedrock_agent/protocol.hpp>
#include <bedrock_agent/impl/internal/sansio/credential_json.hpp>
#include <bedrock_agent/impl/internal/sansio/credential_rules.hpp>
#include <bedrock_agent/impl/internal/sansio/sts_xml.hpp>
#include <bedrock_agent/impl/internal/read_file.hpp>
#include <bedrock_agent/impl/internal/settings.hpp>
#include <bedrock_agent/impl/internal/io/connector.hpp>
#include <bedrock_agent/impl/internal/io/exchange.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http/verb.hpp>

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <functional>
#include <list>
#include <random>

extern char** environ;

namespace bedrock_agent::detail {

namespace asio = boost::asio;
using sys_clock = std::chrono::system_clock;
using steady = std::chrono::steady_clock;

struct fetch_result {
    boost::system::error_code ec;
    std::string why;
    credentials creds;
    const char* source = "";  ///< on success: the provider that answered
};

/// Which I/O providers the chain has, read from the environment once, at client construction.
struct chain_config {
    /// The one provider the chain runs (resolve_settings chose it, in botocore's order).
    io_provider provider = io_provider::none;
    /// When set, runs instead of `provider` (the cache's tests: a provider that throws, or
    /// stalls, on demand).
    std::function<asio::awaitable<fetch_result>(asio::any_io_executor)> fetch_override;
    std::string credential_process;
    // Web identity (EKS IRSA): STS AssumeRoleWithWebIdentity.
    std::string web_identity_token_file, role_arn, role_session_name;
    std::string sts_host, sts_target = "/", sts_error;
    std::uint16_t sts_port = 443;
    bool sts_tls = true;
    std::string sts_ca_file;  ///< AWS_CA_BUNDLE / ca_bundle / client_params::ca_file, as botocore's STS client

    // Container endpoint.
    std::string container_host, container_target, container_error;
    std::uint16_t container_port = 80;
    bool container_tls = false;
    std::optional<std::string> container_token, container_token_file;
    // Instance metadata.
    std::string imds_host = "169.254.169.254";
    std::uint16_t imds_port = 80;
    bool imds_v1_disabled = false;
    std::chrono::milliseconds imds_timeout{1000};
    int imds_attempts = 1;
};

BEDROCK_AGENT_COLD inline bool is_allowed_container_host(const std::string& host)
{
    // The SDKs' allow-list for plain-HTTP container endpoints.
    if (host == "localhost" || host == "169.254.170.2" || host == "169.254.170.23" || host == "fd00:ec2::23" ||
        host == "::1")
        return true;
    boost::system::error_code ec;
    auto a = asio::ip::make_address(host, ec);
    return !ec && a.is_loopback();
}

/// Where a request target holds a byte that would break the request line (a space, CR, LF, any
/// other control byte, DEL), or npos.
inline std::size_t target_fault(std::string_view target)
{
    for (std::size_t i = 0; i < target.size(); ++i)
        if (static_cast<unsigned char>(target[i]) <= 0x20 || target[i] == 0x7f) return i;
    return std::string_view::npos;
}

BEDROCK_AGENT_COLD inline chain_config make_chain_config(const resolved_settings& st, const environment& env)
{
    chain_config c;
    c.provider = st.provider;
    c.credential_process = st.credential_process;
    c.web_identity_token_file = st.web_identity_token_file;
    c.role_arn = st.role_arn;
    c.role_session_name = st.role_session_name;
    if (c.role_session_name.empty()) c.role_session_name = "bedrock-agent-asio-session";
    c.sts_ca_file = st.ca_file;
    {
        std::string sts_url = env.get("AWS_ENDPOINT_URL_STS").value_or("");
        if (sts_url.empty() && !st.region.empty())
            sts_url = "https://sts." + st.region + "." + std::string(partition_for(st.region).dns_suffix);
        endpoint ep;
        std::string why;
        if (sts_url.empty()) {
            c.sts_error = "no region to find the STS endpoint";
        } else if (parse_endpoint(sts_url, ep, why)) {
            c.sts_error = "AWS_ENDPOINT_URL_STS: " + why;
        } else {
            c.sts_host = ep.host;
            c.sts_port = ep.port;
            c.sts_tls = ep.tls;
            c.sts_target = ep.base_path.empty() ? "/" : ep.base_path + "/";
        }
    }
    if (auto rel = env.get("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI")) {
        c.container_host = "169.254.170.2";
        c.container_target = *rel;
        if (auto at = target_fault(*rel); at != std::string::npos)
            c.container_error = "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI holds a space or control character at byte " +
                                std::to_string(at);
        else if (!rel->starts_with('/'))
            c.container_error = "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI must start with '/'";
    } else if (auto full = env.get("AWS_CONTAINER_CREDENTIALS_FULL_URI")) {
        endpoint ep;
        std::string why;
        if (parse_endpoint(full->substr(0, full->find('/', full->find("://") + 3)), ep, why)) {
            c.container_error = "AWS_CONTAINER_CREDENTIALS_FULL_URI is not a valid URL";
        } else if (!ep.tls && !is_allowed_container_host(ep.host)) {
            c.container_error = "AWS_CONTAINER_CREDENTIALS_FULL_URI: plain http is allowed only for loopback, "
                                "169.254.170.2, 169.254.170.23 and fd00:ec2::23, not " + ep.host;
        } else {
            c.container_host = ep.host;
            c.container_port = ep.port;
            c.container_tls = ep.tls;  // https: any host, verified against the system trust store
            auto slash = full->find('/', full->find("://") + 3);
            c.container_target = slash == std::string::npos ? "/" : full->substr(slash);
            if (auto at = target_fault(*full); at != std::string::npos)
                c.container_error = "AWS_CONTAINER_CREDENTIALS_FULL_URI holds a space or control character at byte " +
                                    std::to_string(at);
        }
    }
    c.container_token = env.get("AWS_CONTAINER_AUTHORIZATION_TOKEN");
    c.container_token_file = env.get("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
    if (auto v = env.get("AWS_EC2_METADATA_SERVICE_ENDPOINT")) {
        endpoint ep;
        std::string why;
        std::string base = v->substr(0, v->find('/', v->find("://") + 3));
        if (!parse_endpoint(base, ep, why) && !ep.tls) {
            c.imds_host = ep.host;
            c.imds_port = ep.port;
        }
    } else if (auto mode = env.get("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE"); mode && *mode == "IPv6") {
        c.imds_host = "fd00:ec2::254";
    }
    if (auto v = env.get("AWS_EC2_METADATA_V1_DISABLED")) parse_bool_setting(*v, c.imds_v1_disabled);
    if (auto v = env.get("AWS_METADATA_SERVICE_TIMEOUT")) c.imds_timeout = std::chrono::milliseconds(std::max(1, std::atoi(v->c_str())) * 1000);
    if (auto v = env.get("AWS_METADATA_SERVICE_NUM_ATTEMPTS")) c.imds_attempts = std::max(1, std::atoi(v->c_str()));
    return c;
}

/// Why credentials cannot be sent, or an empty string. Checked once where credentials come from
/// (construction, each fetch), not on every call. Never quotes a value: they are secrets, and
/// CR/LF in them would split a header.
inline std::string credentials_fault(const credentials& c)
{
    if (c.access_key_id.empty() || c.secret_access_key.empty()) return "the credentials have an empty key";
    for (const std::string* s : {&c.access_key_id, &c.secret_access_key, &c.session_token})
        for (unsigned char ch : *s)
            if (ch < 0x20 || ch == 0x7f)
                return "the credentials contain a control character (CR, LF ...); refusing to send them";
    return {};
}

// (No lambdas inside these coroutines: a lambda in an inline coroutine's frame has no linkage,
// which GCC warns about in header-only mode.)
BEDROCK_AGENT_COLD inline fetch_result provider_failure(const char* provider, std::string why)
{
    return fetch_result{make_error_code(errc::no_credentials), std::string(provider) + ": " + std::move(why), {}};
}

// ---- requests to the credential endpoints (IMDS, the container endpoint, STS) ----
// They go through the client's own connection code (exchange.hpp), one fresh connection each:
// these endpoints are asked rarely, when credentials are fetched or refreshed.

struct http_result {
    boost::system::error_code ec;
    std::string why;  ///< more than ec says (a refused certificate), or empty
    unsigned status = 0;
    std::string body;

    std::string message() const { return why.empty() ? ec.message() : why; }
};

/// A request's connection, shared with its deadline's timer handler.
struct simple_request_state {
    simple_request_state(const asio::any_io_executor& ex, asio::ssl::context* ctx) : conn(ex, ctx) {}
    connection conn;
};

/// When a request's deadline passes: closes the connection, so the pending step fails, and
/// marks it timed out.
struct simple_request_deadline {
    std::weak_ptr<simple_request_state> st;
    void operator()(const boost::system::error_code& ec) const
    {
        if (ec) return;
        if (auto s = st.lock()) {
            s->conn.timed_out = true;
            s->conn.close();
        }
    }
};

/// A request's opening is bounded by the request's one timer, armed for the whole request.
struct simple_request_owner final : connect_owner {
    void watch(connection&, clock_type::time_point) override {}
};

/// The request's bytes. Content-Length goes out with a body, and for POST, PUT and PATCH also
/// without one (as Beast's prepare_payload does). Empty when the target holds a space or a
/// control byte, or a header CR or LF.
BEDROCK_AGENT_COLD inline std::string simple_request_bytes(boost::beast::http::verb verb, const std::string& target,
                                        const std::string& host_header,
                                        const std::vector<std::pair<std::string, std::string>>& headers,
                                        const std::string& body)
{
    namespace http = boost::beast::http;
    if (target_fault(target) != std::string::npos) return {};
    std::string out;
    out.append(http::to_string(verb)).append(" ").append(target).append(" HTTP/1.1\r\nHost: ").append(host_header);
    out.append("\r\nUser-Agent: bedrock-agent-asio/" BEDROCK_AGENT_VERSION_STRING "\r\n");
    for (const auto& [k, v] : headers) {
        if (k.find_first_of("\r\n") != std::string::npos || v.find_first_of("\r\n") != std::string::npos) return {};
        out.append(k).append(": ").append(v).append("\r\n");
    }
    if (!body.empty() || verb == http::verb::post || verb == http::verb::put || verb == http::verb::patch)
        out.append("Content-Length: ").append(std::to_string(body.size())).append("\r\n");
    return out.append("\r\n").append(body);
}

/// A request that failed at a step with `ec`, or at its deadline.
BEDROCK_AGENT_COLD inline http_result failed_request(http_result r, const connection& c, boost::system::error_code ec)
{
    r.ec = c.timed_out ? make_error_code(errc::timeout) : ec;
    return r;
}

/// One request over a fresh connection: plain HTTP (metadata endpoints), or HTTPS with host
/// name verification against `ca_file` (a PEM bundle), or the system trust store when it is
/// empty. `timeout` bounds the whole request, the name lookup included.
BEDROCK_AGENT_COLD inline asio::awaitable<http_result> simple_request(asio::any_io_executor ex, std::string host, std::uint16_t port,
                                                   bool tls, boost::beast::http::verb verb, std::string target,
                                                   std::vector<std::pair<std::string, std::string>> headers,
                                                   std::string body, std::chrono::milliseconds timeout,
                                                   std::string ca_file)
{
    http_result r;
    const bool default_port = port == (tls ? 443 : 80);
    const std::string host_name = host.find(':') == std::string::npos ? host : "[" + host + "]";  // IPv6 (IMDS's fd00:ec2::254)
    std::string wire = simple_request_bytes(verb, target, default_port ? host_name : host_name + ":" + std::to_string(port),
                                            headers, body);
    detail::cleanse(body);  // (an STS body holds the web identity token; the wire bytes go to c.out, cleansed with it)
    if (wire.empty()) {
        r.ec = make_error_code(errc::invalid_configuration);
        r.why = "the request target holds a space or control character, or a header CR or LF";
        co_return r;
    }
    std::optional<asio::ssl::context> ctx;
    if (tls) {
        ctx.emplace(asio::ssl::context::tls_client);
        boost::system::error_code ec;
        if (ca_file.empty()) {
            ctx->set_default_verify_paths(ec);  // the system store: a failure shows at the handshake
        } else if (ctx->load_verify_file(ca_file, ec); ec) {
            r.ec = make_error_code(errc::invalid_configuration);
            r.why = "cannot read the CA bundle " + ca_file;
            co_return r;
        }
    }
    auto st = std::make_shared<simple_request_state>(ex, tls ? &*ctx : nullptr);
    connection& c = st->conn;
    const auto deadline_at = clock_type::now() + timeout;
    asio::steady_timer deadline(ex);
    deadline.expires_at(deadline_at);
    deadline.async_wait(simple_request_deadline{st});
    // The same opening as the calls' (connector.hpp), with the request's deadline for every step.
    const std::string host_text = default_port ? host_name : host_name + ":" + std::to_string(port);
    const connect_spec to{host, port, host_text, /*verify=*/true};
    simple_request_owner owner;
    open_report report;
    if (auto ec = co_await open_connection(c, to, deadline_at, owner, nullptr, nullptr, report, r.why)) {
        r.ec = ec;
        co_return r;
    }
    c.out = std::move(wire);
    exchange_result x;
    co_await exchange(c, x, 16 * 1024, 64 * 1024);
    if (x.ec || c.timed_out) co_return failed_request(std::move(r), c, x.ec);
    r.status = c.response.status;
    r.body = std::move(c.response.body);
    co_return r;
}

BEDROCK_AGENT_COLD inline asio::awaitable<http_result> metadata_request(asio::any_io_executor ex, std::string host, std::uint16_t port,
                                                     boost::beast::http::verb verb, std::string target,
                                                     std::vector<std::pair<std::string, std::string>> headers,
                                                     std::chrono::milliseconds timeout)
{
    co_return co_await simple_request(std::move(ex), std::move(host), port, false, verb, std::move(target),
                                      std::move(headers), std::string(), timeout, std::string());
}

// ---- credential_process ----

BEDROCK_AGENT_COLD inline asio::awaitable<void> read_to_eof(asio::posix::stream_descriptor& d, std::string& out, std::size_t limit)
{
    char buf[4096];
    for (;;) {
        auto [ec, n] = co_await d.async_read_some(asio::buffer(buf), asio::as_tuple(asio::use_awaitable));
        if (out.size() < limit) out.append(buf, std::min(n, limit - out.size()));
        if (ec) co_return;
    }
}

/// The credential_process child, owned by the coroutine that runs it: whatever ends that
/// coroutine (its end, the io_context destroyed with the coroutine suspended), the child's
/// process group is killed and the child reaped, so no process or zombie outlives the fetch.
struct child_process {
    pid_t pid = -1;
    bool reaped = false;
    child_process() = default;
    child_process(const child_process&) = delete;
    child_process& operator=(const child_process&) = delete;
    ~child_process()
    {
        if (pid <= 0 || reaped) return;
        kill(-pid, SIGKILL);  // its own process group: the shell and whatever it started
        int status = 0;
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
        }
    }
};

/// Runs `command` with /bin/sh -c, as botocore's ProcessProvider runs credential_process, and
/// reads its JSON. The child gets /dev/null, the two pipes and no other descriptor of ours (the
/// pool's sockets included), the default signal mask and dispositions, and a process group of
/// its own, which is killed at the timeout.
BEDROCK_AGENT_COLD inline asio::awaitable<fetch_result> run_credential_process(asio::any_io_executor ex, std::string command,
                                                            std::chrono::milliseconds timeout)
{
    using namespace asio::experimental::awaitable_operators;
    fetch_result r;
    int out_pipe[2], err_pipe[2];
    if (pipe2(out_pipe, O_CLOEXEC) != 0) co_return provider_failure("credential_process", "pipe failed");
    if (pipe2(err_pipe, O_CLOEXEC) != 0) {
        close(out_pipe[0]);
        close(out_pipe[1]);
        co_return provider_failure("credential_process", "pipe failed");
    }
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&fa, out_pipe[1], 1);
    posix_spawn_file_actions_adddup2(&fa, err_pipe[1], 2);
    posix_spawn_file_actions_addclosefrom_np(&fa, 3);  // every other descriptor, CLOEXEC or not
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    sigset_t none, all;
    sigemptyset(&none);
    sigfillset(&all);
    posix_spawnattr_setsigmask(&attr, &none);   // the caller's thread may block signals
    posix_spawnattr_setsigdefault(&attr, &all); // ... or ignore them (SIG_IGN survives exec)
    posix_spawnattr_setpgroup(&attr, 0);        // a group of its own, killed whole at the timeout
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP);
    const char* argv[] = {"/bin/sh", "-c", command.c_str(), nullptr};
    child_process child;
    int rc = posix_spawn(&child.pid, "/bin/sh", &fa, &attr, const_cast<char* const*>(argv), environ);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&attr);
    close(out_pipe[1]);
    close(err_pipe[1]);
    if (rc != 0) {
        child.pid = -1;
        close(out_pipe[0]);
        close(err_pipe[0]);
        co_return provider_failure("credential_process", std::string("cannot start /bin/sh: ") + std::strerror(rc));
    }
    asio::posix::stream_descriptor out(ex, out_pipe[0]), err(ex, err_pipe[0]);
    std::string out_text, err_text;
    asio::steady_timer deadline(ex, timeout);
    // Read both pipes to EOF (the child exits), or give up at the deadline.
    auto v = co_await ((read_to_eof(out, out_text, 64 * 1024) && read_to_eof(err, err_text, 4096)) ||
                       deadline.async_wait(asio::use_awaitable));
    bool timed_out = v.index() == 1;
    if (timed_out) kill(-child.pid, SIGKILL);
    int status = 0;
    for (;;) {  // reap without blocking the loop
        pid_t w = waitpid(child.pid, &status, WNOHANG);
        if (w == child.pid || w < 0) {
            child.reaped = true;
            break;
        }
        asio::steady_timer t(ex, std::chrono::milliseconds(2));
        co_await t.async_wait(asio::as_tuple(asio::use_awaitable));
        if (!timed_out && steady::now() > deadline.expiry()) {
            kill(-child.pid, SIGKILL);
            timed_out = true;
        }
    }
    if (timed_out) co_return provider_failure("credential_process", "timed out after " + std::to_string(timeout.count()) + " ms");
    while (!err_text.empty() && (err_text.back() == '\n' || err_text.back() == '\r')) err_text.pop_back();
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        co_return provider_failure("credential_process", "exited with status " + std::to_string(WIFEXITED(status) ? WEXITSTATUS(status) : -1) +
                       (err_text.empty() ? std::string() : ": " + err_text));
    std::string why;
    if (!sansio::parse_credentials_json(out_text, sansio::credential_doc::process, r.creds, why))
        co_return provider_failure("credential_process", "output: " + why);
    co_return r;
}

// ---- token files ----

/// Reads a token file (web identity, container authorization): at most 1 MiB (STS takes a web
/// identity token of up to 20,000 characters), without its trailing line ends. A missing file is
/// a failure here. `why` names the file and the fault.
BEDROCK_AGENT_COLD inline bool read_token_file(const std::string& path, std::string& token, std::string& why)
{
    switch (read_small_file(path, std::size_t{1} << 20, token, why)) {
    case read_file_status::missing: why = path + ": no such regular file"; return false;
    case read_file_status::failed:
    case read_file_status::too_large: return false;
    case read_file_status::ok: break;
    }
    while (!token.empty() && (token.back() == '\n' || token.back() == '\r')) token.pop_back();
    return true;
}

// ---- web identity (STS AssumeRoleWithWebIdentity) ----

BEDROCK_AGENT_COLD inline asio::awaitable<fetch_result> fetch_web_identity(asio::any_io_executor ex, const chain_config& c)
{
    if (!c.sts_error.empty()) co_return provider_failure("web identity", c.sts_error);
    std::string token, why;
    if (!read_token_file(c.web_identity_token_file, token, why))
        co_return provider_failure("web identity", "cannot read the token file " + why);
    // The token and the request body carrying it are overwritten when the fetch ends.
    struct cleansed {
        std::string& a;
        std::string& b;
        ~cleansed() { detail::cleanse(a), detail::cleanse(b); }
    };
    std::string body = sansio::assume_role_with_web_identity_body(c.role_arn, c.role_session_name, token);
    cleansed guard{token, body};
    const std::vector<std::pair<std::string, std::string>> headers{
        {"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"}, {"Accept", "application/xml"}};
    // Up to 3 attempts with botocore's standard backoff (random() * 2^(n-1) s), retrying what
    // its STS client retries (sansio::sts_retryable).
    std::mt19937 rng(std::random_device{}());
    for (int attempt = 1;; ++attempt) {
        auto h = co_await simple_request(ex, c.sts_host, c.sts_port, c.sts_tls, boost::beast::http::verb::post,
                                         c.sts_target, headers, body, std::chrono::seconds(5), c.sts_ca_file);
        fetch_result r;
        std::string code;
        if (!h.ec && sansio::parse_sts_credentials(h.body, r.creds, why, &code)) co_return r;
        const bool again = attempt < 3 && sansio::sts_retryable(h.ec, h.status, code);
        if (!again) {
            if (h.ec) co_return provider_failure("web identity", "STS at " + c.sts_host + ": " + h.message());
            co_return provider_failure("web identity", why + " (HTTP " + std::to_string(h.status) + ")");
        }
        const double delay_s = std::uniform_real_distribution<double>(0.0, 1.0)(rng) * static_cast<double>(1 << (attempt - 1));
        asio::steady_timer t(ex, std::chrono::microseconds(static_cast<long long>(delay_s * 1e6)));
        co_await t.async_wait(asio::as_tuple(asio::use_awaitable));
    }
}

// ---- container endpoint ----

BEDROCK_AGENT_COLD inline asio::awaitable<fetch_result> fetch_container(asio::any_io_executor ex, const chain_config& c)
{
    fetch_result r;
    if (!c.container_error.empty()) co_return provider_failure("container endpoint", c.container_error);
    std::vector<std::pair<std::string, std::string>> headers{{"Accept", "application/json"}};
    std::optional<std::string> token;
    if (c.container_token_file) {  // the file wins, and is read on every fetch (it rotates)
        std::string why;
        if (!read_token_file(*c.container_token_file, token.emplace(), why))
            co_return provider_failure("container endpoint", "cannot read AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE " + why);
    } else if (c.container_token) {
        token = *c.container_token;
    }
    if (token) {
        if (token->find_first_of("\r\n") != std::string::npos)
            co_return provider_failure("container endpoint", "the authorization token contains CR or LF");
        headers.emplace_back("Authorization", *token);
    }
    http_result h;
    for (int attempt = 1; attempt <= 3; ++attempt) {
        h = co_await simple_request(ex, c.container_host, c.container_port, c.container_tls, boost::beast::http::verb::get,
                                    c.container_target, headers, std::string(), std::chrono::seconds(2), std::string());
        if (!h.ec && h.status == 200) break;
        if (attempt < 3) {
            asio::steady_timer t(ex, std::chrono::milliseconds(100));
            co_await t.async_wait(asio::as_tuple(asio::use_awaitable));
        }
    }
    if (h.ec) co_return provider_failure("container endpoint", h.message());
    if (h.status != 200) co_return provider_failure("container endpoint", "HTTP " + std::to_string(h.status));
    std::string why;
    if (!sansio::parse_credentials_json(h.body, sansio::credential_doc::container, r.creds, why)) co_return provider_failure("container endpoint", why);
    co_return r;
}

// ---- EC2 instance metadata (IMDSv2, v1 fallback) ----

BEDROCK_AGENT_COLD inline asio::awaitable<fetch_result> fetch_imds(asio::any_io_executor ex, const chain_config& c)
{
    namespace http = boost::beast::http;
    fetch_result r;
    std::vector<std::pair<std::string, std::string>> headers;
    // (Named arguments: GCC 12 mishandles literals and braced lists as coroutine call arguments.)
    const std::string token_target = "/latest/api/token";
    const std::vector<std::pair<std::string, std::string>> ttl{{"x-aws-ec2-metadata-token-ttl-seconds", "21600"}};
    auto tok = co_await metadata_request(ex, c.imds_host, c.imds_port, http::verb::put, token_target, ttl, c.imds_timeout);
    switch (sansio::imds_token_outcome(tok.ec, tok.ec == errc::timeout, tok.status, c.imds_v1_disabled)) {
    case sansio::imds_token_verdict::use_token: headers.emplace_back("x-aws-ec2-metadata-token", tok.body); break;
    case sansio::imds_token_verdict::refused:
        co_return provider_failure("instance metadata", "the token request was refused (HTTP 400)");
    case sansio::imds_token_verdict::no_service:
        co_return provider_failure("instance metadata", "no instance metadata service at " + c.imds_host + " (" + tok.message() + ")");
    case sansio::imds_token_verdict::v1_disabled:
        co_return provider_failure("instance metadata", "no IMDSv2 token and IMDSv1 is disabled");
    case sansio::imds_token_verdict::try_v1: break;  // IMDSv1: no token
    }
    const std::string roles_target = "/latest/meta-data/iam/security-credentials/";
    http_result role;
    for (int i = 0; i < c.imds_attempts; ++i) {
        role = co_await metadata_request(ex, c.imds_host, c.imds_port, http::verb::get, roles_target, headers, c.imds_timeout);
        if (!role.ec && role.status == 200) break;
    }
    if (role.ec) co_return provider_failure("instance metadata", "role name: " + role.message());
    if (role.status != 200) co_return provider_failure("instance metadata", "role name: HTTP " + std::to_string(role.status));
    std::string name = role.body.substr(0, role.body.find('\n'));
    if (name.empty()) co_return provider_failure("instance metadata", "no IAM role is attached to the instance");
    // An IAM role name is [\w+=,.@-]{1,64} (IAM's CreateRole); anything else would change the
    // next request's target, so it is refused, naming the byte (never quoting the name).
    for (std::size_t i = 0; i < name.size(); ++i) {
        unsigned char ch = static_cast<unsigned char>(name[i]);
        if (!std::isalnum(ch) && std::string_view("_+=,.@-").find(static_cast<char>(ch)) == std::string_view::npos)
            co_return provider_failure("instance metadata", "the role name holds a character IAM does not allow (byte " +
                                                                std::to_string(i) + ")");
    }
    const std::string doc_target = roles_target + name;
    http_result doc;
    for (int i = 0; i < c.imds_attempts; ++i) {
        doc = co_await metadata_request(ex, c.imds_host, c.imds_port, http::verb::get, doc_target, headers, c.imds_timeout);
        if (!doc.ec && doc.status == 200) break;
    }
    if (doc.ec) co_return provider_failure("instance metadata", "credentials: " + doc.message());
    if (doc.status != 200) co_return provider_failure("instance metadata", "credentials: HTTP " + std::to_string(doc.status));
    std::string why;
    if (!sansio::parse_credentials_json(doc.body, sansio::credential_doc::imds, r.creds, why)) co_return provider_failure("instance metadata", why);
    co_return r;
}

// ---- the cache ----

/// What a caller of the cache gets: the current credentials (shared, immutable: an attempt holds
/// them without copying the secrets), or why there are none.
struct cached_credentials {
    boost::system::error_code ec;
    std::string why;
    std::shared_ptr<const credentials> creds;
};

/// Caches what the chain's I/O provider returns. Single flight: one fetch at a time, run
/// detached on the client's executor and owned by the cache, so no caller's cancellation or
/// deadline ends it for the others. Each caller waits with its own deadline and its own
/// cancellation. Credentials are refreshed in the background once inside the refresh window
/// (5 minutes plus up to 1 minute of jitter before expiry), and keep serving until they expire
/// if the refresh fails.
class credentials_cache {
public:
    credentials_cache(asio::any_io_executor ex, chain_config cfg, std::string tried)
        : ex_(std::move(ex)), cfg_(std::move(cfg)), tried_(std::move(tried)), rng_(std::random_device{}())
    {
    }

    std::uint64_t fetches() const noexcept { return fetches_; }

    /// The credentials to sign with, when they are valid and outside the refresh window (no
    /// wait, no coroutine frame); else null, and get() is the way.
    std::shared_ptr<const credentials> current() const
    {
        if (!value_ || !value_->expiration) return value_;
        return freshness(now_()) == sansio::freshness::fresh ? value_ : nullptr;
    }

    /// The wall clock the cache reads (expirations are wall-clock times); tests set their own.
    sys_clock::time_point (*now_)() = &sys_clock::now;

    /// The credentials to sign with now, fetching them if need be. `self` keeps the cache alive
    /// meanwhile. The wait ends at `deadline` (errc::timeout), when the caller's coroutine is
    /// cancelled or the client shuts down (operation_aborted), or when the fetch ends.
    static asio::awaitable<cached_credentials> get(std::shared_ptr<credentials_cache> self, steady::time_point deadline)
    {
        auto& c = *self;
        if (c.value_) {
            const auto f = c.freshness(c.now_());
            if (f != sansio::freshness::expired) {
                if (f == sansio::freshness::refresh && !c.fetching_) c.start_fetch(self);  // callers keep the old ones meanwhile
                co_return cached_credentials{{}, {}, c.value_};
            }
        }
        if (c.closed_) co_return cached_credentials{asio::error::operation_aborted, {}, {}};
        if (!c.fetching_) c.start_fetch(self);
        const std::uint64_t waiting_for = c.fetch_number_;
        asio::steady_timer t(c.ex_);
        t.expires_at(deadline);
        auto it = c.waiters_.insert(c.waiters_.end(), &t);
        auto [ec] = co_await t.async_wait(asio::as_tuple(asio::use_awaitable));
        c.waiters_.erase(it);
        if (c.finished_ >= waiting_for) co_return c.last_;  // the fetch ended (this one's, or a later one)
        if (ec == asio::error::operation_aborted || c.closed_)
            co_return cached_credentials{asio::error::operation_aborted, {}, {}};  // the caller's cancel, or shutdown
        co_return cached_credentials{make_error_code(errc::timeout), "timed out waiting for credentials", {}};
    }

    /// The client is going away: waiters end with operation_aborted. A fetch under way runs to
    /// its end (it owns the cache), bounded by its provider's own timeout.
    void shutdown()
    {
        closed_ = true;
        for (auto* t : waiters_) t->cancel();
    }

private:
    sansio::freshness freshness(sys_clock::time_point now) const
    {
        return sansio::freshness_at(value_->expiration, now, window_);
    }

    /// Starts the one fetch, detached: it ends in finish(), with its result or with the
    /// exception a provider threw.
    void start_fetch(const std::shared_ptr<credentials_cache>& self)
    {
        fetching_ = true;
        ++fetches_;
        ++fetch_number_;
        asio::co_spawn(ex_, fetch_chain_owned(self), fetch_done{self});
    }

    struct fetch_done {
        std::shared_ptr<credentials_cache> self;
        void operator()(std::exception_ptr e, fetch_result r) const
        {
            if (e) {
                try {
                    std::rethrow_exception(e);
                } catch (const std::exception& x) {
                    r = provider_failure("credential provider", std::string("failed: ") + x.what());
                } catch (...) {
                    r = provider_failure("credential provider", "failed with an unknown exception");
                }
            }
            self->finish(std::move(r));
        }
    };

    static asio::awaitable<fetch_result> fetch_chain_owned(std::shared_ptr<credentials_cache> self)
    {
        co_return co_await self->fetch_chain();
    }

    BEDROCK_AGENT_COLD void finish(fetch_result r)
    {
        if (!r.ec)
            if (auto fault = credentials_fault(r.creds); !fault.empty())
                r = fetch_result{make_error_code(errc::no_credentials), std::string(r.source) + ": " + fault, {}};
        // Credentials that are expired as they arrive are not used: botocore raises "Credentials
        // were refreshed, but the refreshed credentials are still expired." (credentials.py,
        // RefreshableCredentials._protected_refresh), and the next call fetches again.
        if (!r.ec && r.creds.expiration && sansio::freshness_at(r.creds.expiration, now_(), {}) == sansio::freshness::expired)
            r = fetch_result{make_error_code(errc::no_credentials),
                             std::string(r.source) + ": credentials were refreshed, but the refreshed credentials are still expired",
                             {}};
        fetching_ = false;
        finished_ = fetch_number_;
        if (!r.ec) {
            value_ = std::make_shared<const credentials>(std::move(r.creds));
            window_ = sansio::refresh_window(std::uniform_int_distribution<int>(0, 60)(rng_));
            last_ = cached_credentials{{}, {}, value_};
        } else if (value_ && freshness(now_()) != sansio::freshness::expired) {
            last_ = cached_credentials{{}, {}, value_};  // a failed refresh: the old ones keep serving
        } else {
            last_ = cached_credentials{r.ec, std::move(r.why), {}};
        }
        for (auto* t : waiters_) t->cancel();
    }

    /// Runs the one provider the chain chose. Its failure is the chain's: later providers are
    /// never tried (botocore raises), so a failing web identity or container endpoint cannot
    /// hand the call to the instance's role, and the error says which provider failed and why.
    BEDROCK_AGENT_COLD asio::awaitable<fetch_result> fetch_chain()
    {
        fetch_result r;
        if (cfg_.fetch_override) co_return co_await cfg_.fetch_override(ex_);
        switch (cfg_.provider) {
        case io_provider::none:
            co_return fetch_result{make_error_code(errc::no_credentials), "no credentials found; providers tried: " + tried_, {}};
        case io_provider::process:
            r = co_await run_credential_process(ex_, cfg_.credential_process, std::chrono::seconds(30));
            r.source = "credential_process";
            break;
        case io_provider::web_identity:
            r = co_await fetch_web_identity(ex_, cfg_);
            r.source = "web identity";
            break;
        case io_provider::container:
            r = co_await fetch_container(ex_, cfg_);
            r.source = "container endpoint";
            break;
        case io_provider::imds:
            r = co_await fetch_imds(ex_, cfg_);
            r.source = "instance metadata";
            if (r.ec) r.why = "no credentials found; providers tried: " + tried_ + r.why;
            co_return r;
        }
        // The configured provider failed: its reason first, then where the chain looked before.
        if (r.ec) r.why += "; providers tried before it: " + tried_.substr(0, tried_.size() - 2);
        co_return r;
    }

    asio::any_io_executor ex_;
    chain_config cfg_;
    std::string tried_;
    std::shared_ptr<const credentials> value_;
    bool fetching_ = false;
    bool closed_ = false;
    std::uint64_t fetch_number_ = 0;  ///< fetches started
    std::uint64_t finished_ = 0;      ///< the number of the last fetch that ended
    std::list<asio::steady_timer*> waiters_;
    cached_credentials last_{make_error_code(errc::no_credentials), "no credentials fetched yet", {}};
    std::chrono::seconds window_{300};
    std::mt19937 rng_;
    std::uint64_t fetches_ = 0;
};

}  // namespace bedrock_agent::detail

#endif
