#ifndef BEDROCK_AGENT_IMPL_INTERNAL_IO_CLIENT_IMPL_HPP
#define BEDROCK_AGENT_IMPL_INTERNAL_IO_CLIENT_IMPL_HPP

// The I/O layer of the client: admission, the pool, opening connections, and the steps of a call
// that the call state machine (sansio/call_fsm.hpp) asks for. Reached only from impl/client.ipp.

#include <bedrock_agent/client.hpp>
#include <bedrock_agent/protocol.hpp>
#include <bedrock_agent/sigv4.hpp>
#include <bedrock_agent/impl/internal/io/connection.hpp>
#include <bedrock_agent/impl/internal/io/connector.hpp>
#include <bedrock_agent/impl/internal/io/credential_providers.hpp>
#include <bedrock_agent/impl/internal/io/exchange.hpp>
#include <bedrock_agent/impl/internal/io/pool.hpp>
#include <bedrock_agent/impl/internal/io/call_block.hpp>
#include <bedrock_agent/impl/internal/operation.hpp>
#include <bedrock_agent/impl/internal/sansio/call_fsm.hpp>
#include <bedrock_agent/impl/internal/sansio/clock_skew.hpp>
#include <bedrock_agent/impl/internal/sansio/error_classifier.hpp>
#include <bedrock_agent/impl/internal/sansio/request_builder.hpp>
#include <bedrock_agent/impl/internal/sansio/request_writer.hpp>
#include <bedrock_agent/impl/internal/sansio/retry_fsm.hpp>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/error.hpp>

#include <memory>
#include <random>
#include <string>

namespace bedrock_agent::detail {

namespace http = boost::beast::http;
using boost::system::error_code;

BEDROCK_AGENT_DECL bool is_valid_region(std::string_view region);

class client_impl : public std::enable_shared_from_this<client_impl> {
public:
    BEDROCK_AGENT_DECL client_impl(asio::any_io_executor ex, asio::ssl::context* user_ctx, const client_params& p);

    // The steps of a call that do not suspend.
    /// Signs and writes the request of attempt `attempt` into conn.out; the connection is
    /// tracked (the deadline watch) until the exchange ends.
    BEDROCK_AGENT_DECL void write_request(connection& conn, const call_block& call,
                                          const credentials& creds, unsigned attempt, std::string_view invocation_id,
                                          clock_type::time_point deadline);
    /// A whole response arrived: parses it into the call's response (2xx) or into d, and fills
    /// the event's verdict (ec, status, AWS code, clock skew).
    BEDROCK_AGENT_DECL void read_answer(connection& conn, const operation& op, void*& response, diagnostics& d,
                                        sansio::call_event& ev);
    /// Does what the call state machine decided with the call's connection (or permit).
    BEDROCK_AGENT_DECL void settle(const std::shared_ptr<client_impl>& self, std::unique_ptr<connection>& conn,
                                   sansio::connection_fate fate);
    /// Resolves (or reuses the cached answer), connects and, for TLS, hands shakes; on failure
    /// `why` says which step failed and how.
    BEDROCK_AGENT_DECL asio::awaitable<error_code> open(connection& c, clock_type::time_point deadline, std::string& why);
    BEDROCK_AGENT_DECL void shutdown();
    /// Runs the call now if fewer than max_connections calls run, else queues it.
    BEDROCK_AGENT_DECL void admit(const std::shared_ptr<client_impl>& self, call_block* call);
    /// Runs a queued call that was admitted (the node is gone afterwards).
    BEDROCK_AGENT_DECL void start_call(const std::shared_ptr<client_impl>& self, call_block* call);
    /// A call ended (`starting`: before it asked the pool for a connection).
    BEDROCK_AGENT_DECL void call_done(const std::shared_ptr<client_impl>& self, bool starting);
    /// Starts the queued calls that have room now (after a call ended, a connection came back,
    /// or an opening finished).
    BEDROCK_AGENT_DECL void start_queued(const std::shared_ptr<client_impl>& self);
    /// Starts a queued call that was admitted, unless it was cancelled or the client shut down
    /// meanwhile (then it ends with operation_aborted, and its room goes to the next).
    BEDROCK_AGENT_DECL void start_or_fail(const std::shared_ptr<client_impl>& self, call_block* call);
    /// Ends an admitted call that was cancelled, or whose client shut down, before it started
    /// (true); false if it may run.
    BEDROCK_AGENT_DECL bool end_abandoned(call_block* call);

    asio::any_io_executor ex_;
    client_params params_;
    endpoint ep_;
    std::string endpoint_url_;
    std::string host_text_;  ///< the endpoint's host[:port], as messages name it
    std::uint32_t header_limit_ = 0;  ///< params_.max_response_header_bytes, clamped
    std::string region_;
    credentials creds_;  ///< static credentials (client_params, environment, profile keys)
    std::shared_ptr<credentials_cache> creds_cache_;  ///< else: the chain's I/O providers
    error_code config_ec_;
    std::string config_msg_;
    std::unique_ptr<asio::ssl::context> own_ctx_;
    asio::ssl::context* ctx_ = nullptr;
    pool pool_;
    sansio::retry_quota quota_;
    std::mt19937_64 rng_;
    /// Added to the system clock when signing: the server's time minus ours, once a response
    /// said the signature's time was off (sansio/clock_skew.hpp).
    std::chrono::seconds clock_offset_{0};
    sigv4::signing_key_cache keys_;
    sansio::request_writer writer_;
    std::uint32_t queued_ids_ = 0;
    /// start_queued is starting a call inline (see there): a call that ends before its first
    /// suspension, inside that start, has the next one posted instead.
    bool starting_inline_ = false;
    std::vector<asio::steady_timer*> sleeping_;  ///< backoff timers, for shutdown()
    resolve_cache resolved_;  ///< the endpoint's last DNS answer (pool_params::dns_ttl)

private:
    void fail_config(error_code ec, std::string msg)
    {
        if (!config_ec_) {
            config_ec_ = ec;
            config_msg_ = std::move(msg);
        }
    }
};

}  // namespace bedrock_agent::detail

#endif
