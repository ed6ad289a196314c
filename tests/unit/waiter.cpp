// The waiters' delays and acceptors (sansio/waiter.hpp), on a fake clock.
#include <bedrock_agent/impl/internal/sansio/waiter.hpp>

#include <doctest/doctest.h>

#include <random>
#include <utility>
#include <vector>

namespace ba = bedrock_agent;
using namespace std::chrono;

TEST_SUITE("waiter")
{
    TEST_CASE("delays: Smithy's growth, capped at max_delay, the last one cut to max_wait")
    {
        // The table of smithy-rs's backoff_jitter_as_average test (min 2 s, max 120 s, 300 s in
        // all; the draw is the middle of its range): (delay before the next poll, time elapsed).
        ba::waiter_params p{2s, 120s, 300s};
        auto middle = [](milliseconds lo, milliseconds hi) { return (lo + hi) / 2; };
        const std::vector<std::pair<int, int>> table = {{2, 2},    {3, 4},     {5, 7},     {9, 12},
                                                        {17, 21},  {33, 38},   {61, 71},   {61, 132},
                                                        {61, 193}, {46, 254}};
        for (std::size_t i = 0; i < table.size(); ++i) {
            CAPTURE(i);
            auto d = ba::sansio::waiter_delay(p, static_cast<unsigned>(i + 1), seconds(table[i].second), middle);
            REQUIRE(d);
            CHECK(*d == seconds(table[i].first));
        }
        CHECK_FALSE(ba::sansio::waiter_delay(p, 11, 300s, middle));  // max_wait reached: stop
    }

    TEST_CASE("delays stay in [min_delay, bound] for any draw, and never pass max_wait")
    {
        ba::waiter_params p;  // 2 s, 120 s, 10 min
        std::mt19937_64 rng(7);
        milliseconds elapsed{0};
        unsigned attempt = 0;
        while (auto d = ba::sansio::waiter_delay(p, ++attempt, elapsed, [&](milliseconds lo, milliseconds hi) {
            return milliseconds(std::uniform_int_distribution<long long>(lo.count(), hi.count())(rng));
        })) {
            CHECK(*d >= p.min_delay);
            CHECK(*d <= p.max_delay);
            if (attempt == 1) CHECK(*d == 2s);  // the first bound is min_delay itself
            elapsed += *d;
            CHECK(elapsed <= p.max_wait);
            REQUIRE(attempt < 1000);
        }
        CHECK(elapsed == p.max_wait);  // the last poll comes at max_wait exactly
    }

    TEST_CASE("acceptors: stopped and finished")
    {
        using ba::ingestion_job_status;
        using ba::sansio::waiter_verdict;
        for (auto s : {ingestion_job_status::stopped, ingestion_job_status::complete, ingestion_job_status::failed}) {
            CHECK(ba::sansio::stopped_acceptor(s) == waiter_verdict::success);
            CHECK(ba::sansio::finished_acceptor(s) == waiter_verdict::success);
        }
        for (auto s : {ingestion_job_status::starting, ingestion_job_status::in_progress, ingestion_job_status::stopping,
                       ingestion_job_status::unknown}) {
            CHECK(ba::sansio::stopped_acceptor(s) == waiter_verdict::retry);
            CHECK(ba::sansio::finished_acceptor(s) == waiter_verdict::retry);
        }
    }
}
