#ifndef BEDROCK_AGENT_IMPL_INTERNAL_OPERATION_HPP
#define BEDROCK_AGENT_IMPL_INTERNAL_OPERATION_HPP

// An operation, as the shared call path sees it. A descriptor (impl/internal/operations/*.hpp)
// says, at compile time:
//   - its request and response types (`request`, `response`) and its name (`name`);
//   - its method and URI template (`method`, `path`, `labels`, `encoded_path`: the labels
//     percent-encoded when they need it);
//   - its body writer (`has_body`, `body`: none for StopIngestionJob);
//   - its validation and its response parser (`validate`, `parse`); its errors are the
//     service's, parsed by the one restJson1 error parser;
//   - whether it is idempotent (`idempotent`).
// operation_table<Op> turns it into the function table the compiled call path (impl/client.ipp)
// runs every operation through: the pool, the connection, the exchange, signing, the call and
// retry state machines and the admission queue are the same for all of them.

#include <bedrock_agent/detail/call_initiation.hpp>
#include <bedrock_agent/impl/internal/operations/stop_ingestion_job.hpp>
#include <bedrock_agent/impl/internal/sansio/request_writer.hpp>

#include <string>
#include <string_view>

namespace bedrock_agent::detail {

struct operation {
    std::string_view name;
    bool idempotent;
    boost::system::error_code (*validate)(const void* data, diagnostics& d);
    /// Writes the signed request of one attempt into `out`.
    void (*write)(sansio::request_writer& w, std::string& out, const void* data, const sansio::build_context& ctx);
    /// Parses a 2xx answer's body into the call's response.
    boost::system::error_code (*parse)(std::string_view body, void* data, diagnostics& d);
};

template <class Op>
struct operation_table {
    using data = call_data<typename Op::request, typename Op::response>;

    static boost::system::error_code validate(const void* p, diagnostics& d)
    {
        return Op::validate(static_cast<const data*>(p)->request, d);
    }
    static void write(sansio::request_writer& w, std::string& out, const void* p, const sansio::build_context& ctx)
    {
        w.write(out, static_cast<const data*>(p)->request, ctx);
    }
    static boost::system::error_code parse(std::string_view body, void* p, diagnostics& d)
    {
        return Op::parse(body, static_cast<data*>(p)->response, d);
    }
    static constexpr operation value{Op::name, Op::idempotent, &validate, &write, &parse};
};

inline const operation& operation_of(operation_id id) noexcept
{
    switch (id) {
    case operation_id::stop_ingestion_job: break;
    }
    return operation_table<stop_ingestion_job_op>::value;
}

}  // namespace bedrock_agent::detail

#endif
