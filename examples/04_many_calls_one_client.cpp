// Shows: many concurrent calls on one client and one thread. The pool opens at most
// pool.max_connections connections; the other calls wait their turn (FIFO) and reuse them.
// The local endpoint for this example holds jobs J000000000 ... J000000099.
// Leaves out: multi-threaded io_context (construct the client with asio::make_strand(io) for that).
#include <bedrock_agent/bedrock_agent.hpp>

#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include <cstdio>
#include <iostream>

namespace asio = boost::asio;
namespace ba = bedrock_agent;

int main()
{
    asio::io_context io;
    ba::client_params p;
    p.pool.max_connections = 8;
    ba::client client(io.get_executor(), p);
    int ok = 0, failed = 0;
    for (int i = 0; i < 100; ++i) {
        char id[11];
        std::snprintf(id, sizeof id, "J%09d", i);
        client.stop_ingestion_job({"KB12345678", "DS12345678", id},
                                  [&](boost::system::error_code ec, ba::stop_ingestion_job_response) { (ec ? failed : ok)++; });
    }
    io.run();
    auto s = client.connection_pool_stats();
    std::cout << ok << " stopped, " << failed << " failed, over " << s.connections_opened << " connections ("
              << s.tls_handshakes << " TLS handshakes)\n";
    return ok == 100 && s.connections_opened <= 8 ? 0 : 1;
}
