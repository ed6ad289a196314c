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
#include <bedrock_agent/impl/internal/io/call_block.hpp>
#include <bedrock_agent/impl/internal/operations/all.hpp>
#include <bedrock_agent/impl/internal/sansio/request_writer.hpp>

#include <string>
#include <string_view>

namespace bedrock_agent::detail {

/// A call's block with its request (the copy made when the call was made).
template <class Op>
struct call_block_of final : call_block {
    call_block_of(call_handler h, const operation* o, diagnostics* d, const typename Op::request& r)
        : call_block(std::move(h), o, d), request(r)
    {
    }
    typename Op::request request;
};

struct operation {
    std::string_view name;
    bool idempotent;
    /// A block for a call of this operation, with a copy of `*request`.
    call_block* (*make_call)(call_handler&& h, const operation* self, const void* request, diagnostics* d);
    void (*destroy_call)(call_block* b) noexcept;
    boost::system::error_code (*validate)(const call_block& b, diagnostics& d);
    /// Writes the signed request of one attempt into `out`.
    void (*write)(sansio::request_writer& w, std::string& out, const call_block& b, const sansio::build_context& ctx);
    /// Parses a 2xx answer's body into `*response`, creating it the first time.
    boost::system::error_code (*parse)(std::string_view body, void*& response, diagnostics& d);
    void (*destroy_response)(void* response) noexcept;
};

template <class Op>
struct operation_table {
    using block = call_block_of<Op>;
    using response = typename Op::response;

    static call_block* make_call(call_handler&& h, const operation* self, const void* request, diagnostics* d)
    {
        return new block(std::move(h), self, d, *static_cast<const typename Op::request*>(request));
    }
    static void destroy_call(call_block* b) noexcept { delete static_cast<block*>(b); }
    static boost::system::error_code validate(const call_block& b, diagnostics& d)
    {
        return Op::validate(static_cast<const block&>(b).request, d);
    }
    static void write(sansio::request_writer& w, std::string& out, const call_block& b, const sansio::build_context& ctx)
    {
        w.write(out, static_cast<const block&>(b).request, ctx);
    }
    static boost::system::error_code parse(std::string_view body, void*& out, diagnostics& d)
    {
        if (!out) out = new response();
        return Op::parse(body, *static_cast<response*>(out), d);
    }
    static void destroy_response(void* r) noexcept { delete static_cast<response*>(r); }
    static constexpr operation value{Op::name,  Op::idempotent, &make_call, &destroy_call,
                                     &validate, &write,         &parse,     &destroy_response};
};

inline void call_block_deleter::operator()(call_block* b) const noexcept { b->op->destroy_call(b); }

/// A response the call path owns until the completion has moved it out.
struct response_deleter {
    const operation* op;
    void operator()(void* r) const noexcept { op->destroy_response(r); }
};
using response_ptr = std::unique_ptr<void, response_deleter>;

inline const operation& operation_of(operation_id id) noexcept
{
    switch (id) {
    case operation_id::get_ingestion_job: return operation_table<get_ingestion_job_op>::value;
    case operation_id::stop_ingestion_job: break;
    }
    return operation_table<stop_ingestion_job_op>::value;
}

}  // namespace bedrock_agent::detail

#endif
