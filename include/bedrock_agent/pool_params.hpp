#ifndef BEDROCK_AGENT_POOL_PARAMS_HPP
#define BEDROCK_AGENT_POOL_PARAMS_HPP

#include <chrono>
#include <cstddef>

namespace bedrock_agent {

/// Connection pool settings (one pool per client, for its endpoint). A zero duration means "no
/// timeout" for that step.
struct pool_params {
    /// Most connections open at once, and most calls running at once. Calls beyond that wait,
    /// first come first served, each as a small node (its handler and request), not a coroutine.
    /// 25, as the AWS SDK for C++ (ClientConfiguration::maxConnections).
    std::size_t max_connections = 25;
    /// Most connections being opened (TCP connect and TLS handshake) at once; 0: no limit. A call
    /// that finds no idle connection and no room to open one waits in the queue until a
    /// connection comes back or an opening finishes. A burst of calls on a cold client thus
    /// opens connections a few at a time: a TLS handshake holds OpenSSL buffers of several
    /// tens of KiB while it runs (22 KiB for the handshake messages alone), and the later
    /// connections resume the first ones' TLS session. (A retry or a replay may open beyond the
    /// limit: it applies to calls starting.)
    std::size_t max_opening = 4;
    /// Most callers waiting for a connection; one more fails at once with
    /// boost::asio::error::no_buffer_space. Each waiting call costs a few hundred bytes (its queue
    /// node; bench/ANALYSIS.md has the figure), and every wait is bounded by attempt_timeout/operation_timeout,
    /// so the default is generous.
    std::size_t max_waiting = 1'000'000;
    /// A connection idle this long is not reused: it is closed when the pool next looks at it.
    /// The pool runs no background timer, so io_context::run() returns when your calls are done.
    std::chrono::milliseconds idle_timeout{50'000};
    /// TCP connect, DNS included (the AWS SDKs' standard-mode default is 3.1 s).
    std::chrono::milliseconds connect_timeout{3'100};
    /// TLS handshake.
    std::chrono::milliseconds tls_handshake_timeout{3'100};
    /// How long the endpoint's looked-up addresses are used for new connections before the name
    /// is looked up again, so a DNS change reaches a long-lived client without a failed connect
    /// first (the AWS CRT's host resolver keeps its answers 60 s too). 0: look up every time.
    std::chrono::milliseconds dns_ttl{60'000};
};

}  // namespace bedrock_agent

#endif
