// The bench program's latency histogram: percentiles within 1 % of the exact ones.

#include "../../bench/latency_histogram.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <random>
#include <vector>

TEST_SUITE("bench-histogram")
{
    TEST_CASE("empty, and exact below 128 µs")
    {
        auto h = std::make_unique<bench::latency_histogram>();
        CHECK(h->percentile(0.5) == 0);
        for (std::uint64_t v = 0; v < 100; ++v) h->record_us(v);
        CHECK(h->percentile(0.0) == 0);
        CHECK(h->percentile(0.5) == 50);
        CHECK(h->percentile(0.99) == 99);
        CHECK(h->percentile(1.0) == 99);
    }

    TEST_CASE("p50 and p99 within 1 % of the sorted values, over skewed random latencies")
    {
        std::mt19937_64 rng(7);
        std::lognormal_distribution<double> dist(7.0, 1.5);  // median ~1.1 ms, a long tail
        for (int round = 0; round < 20; ++round) {
            auto h = std::make_unique<bench::latency_histogram>();
            std::vector<std::uint64_t> v(1000 + 997 * static_cast<std::size_t>(round));
            for (auto& x : v) {
                x = static_cast<std::uint64_t>(dist(rng));
                h->record_us(x);
            }
            std::sort(v.begin(), v.end());
            for (double q : {0.5, 0.9, 0.99, 0.999}) {
                auto exact = v[std::min(v.size() - 1, static_cast<std::size_t>(q * static_cast<double>(v.size())))];
                auto got = h->percentile(q);
                CAPTURE(q);
                CAPTURE(exact);
                CHECK(got <= exact);
                CHECK(static_cast<double>(exact - got) <= 0.01 * static_cast<double>(exact));
            }
        }
    }

    TEST_CASE("the largest values land in the last buckets")
    {
        auto h = std::make_unique<bench::latency_histogram>();
        h->record_us(~0ull);
        h->record_us(1ull << 40);
        CHECK(h->percentile(0.0) == 1ull << 40);
        auto top = h->percentile(1.0);
        CHECK(top <= ~0ull);
        CHECK(top >= (~0ull / 128) * 127);
    }
}
