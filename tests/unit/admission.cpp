// The pool's bookkeeping without I/O (sansio/admission.hpp), on a fake clock: admission limits,
// the FIFO and its deadlines, and the idle set's expiry and order.
#include <bedrock_agent/impl/internal/sansio/admission.hpp>

#include <doctest/doctest.h>

#include <vector>

namespace ba = bedrock_agent;
using namespace std::chrono;
using tp = steady_clock::time_point;

namespace {

struct node {
    node* prev = nullptr;
    node* next = nullptr;
    tp deadline{};
    std::uint32_t id = 0;
};

struct conn {
    int name = 0;
    tp idle_since{};
};

const tp t0 = tp{} + hours(100);

}  // namespace

TEST_SUITE("admission")
{
    TEST_CASE("at most max_connections calls run; a call that ends makes room")
    {
        ba::pool_params p;
        p.max_connections = 2;
        p.max_opening = 0;
        ba::sansio::admission<node> a(p);
        CHECK(a.admit(0));
        CHECK(a.admit(0));
        CHECK_FALSE(a.admit(0));
        CHECK(a.at_call_limit());
        a.call_done(/*starting=*/true);
        CHECK(a.admit(0));
        CHECK(a.running() == 2);
    }

    TEST_CASE("max_opening: a call starts only if it will find an idle connection or may open one")
    {
        ba::pool_params p;
        p.max_connections = 10;
        p.max_opening = 2;
        ba::sansio::admission<node> a(p);
        CHECK(a.admit(0));
        CHECK(a.admit(0));
        CHECK_FALSE(a.admit(0));  // two starting, two openings allowed: no room for a third
        CHECK(a.admit(1));        // ... unless a connection is idle
        bool starting = true;
        a.first_acquire(starting);
        CHECK_FALSE(starting);
        a.opening_started();
        CHECK_FALSE(a.admit(0));  // 1 may open, 2 still starting
        a.opening_ended();
        CHECK_FALSE(a.admit(0));  // 2 may open, 2 still starting
        bool second = true;
        a.first_acquire(second);  // another starting call took its connection (the idle one)
        CHECK(a.admit(0));        // 2 may open, 1 starting
    }

    TEST_CASE("the queue is FIFO; nobody jumps it; next_to_run admits from its head")
    {
        ba::pool_params p;
        p.max_connections = 1;
        p.max_opening = 0;
        ba::sansio::admission<node> a(p);
        REQUIRE(a.admit(0));
        node n[3];
        for (std::uint32_t i = 0; i < 3; ++i) {
            n[i].id = i + 1;
            a.enqueue(&n[i]);
        }
        CHECK(a.waiting() == 3);
        CHECK(a.next_to_run(0) == nullptr);  // the running call holds the only room
        a.call_done(false);
        CHECK_FALSE(a.admit(0));  // room, but three are queued before it
        CHECK(a.next_to_run(0) == &n[0]);
        CHECK(a.next_to_run(0) == nullptr);
        a.call_done(true);
        // A cancelled call leaves from the middle.
        CHECK(a.find(3) == &n[2]);
        a.unlink(a.find(2));
        CHECK(a.find(2) == nullptr);
        CHECK(a.next_to_run(0) == &n[2]);
        CHECK(a.waiting() == 0);
    }

    TEST_CASE("deadlines: the expired calls leave from the head, in order, at their time")
    {
        ba::pool_params p;
        p.max_connections = 1;
        ba::sansio::admission<node> a(p);
        node n[3];
        for (int i = 0; i < 3; ++i) {
            n[i].deadline = t0 + seconds(i + 1);
            a.enqueue(&n[i]);
        }
        CHECK(a.pop_expired(t0) == nullptr);
        CHECK(a.pop_expired(t0 + seconds(1) - nanoseconds(1)) == nullptr);
        CHECK(a.pop_expired(t0 + seconds(2)) == &n[0]);
        CHECK(a.pop_expired(t0 + seconds(2)) == &n[1]);
        CHECK(a.pop_expired(t0 + seconds(2)) == nullptr);
        CHECK(a.front() == &n[2]);
    }

    TEST_CASE("the idle set: most recently used first, expired or unfit connections discarded")
    {
        ba::pool_params p;
        p.idle_timeout = seconds(50);
        ba::sansio::idle_set<conn> s(p);
        auto make = [](int name) {
            auto c = std::make_unique<conn>();
            c->name = name;
            return c;
        };
        std::vector<int> discarded;
        auto discard = [&](std::unique_ptr<conn> c) { discarded.push_back(c->name); };
        auto fit = [](conn&) { return true; };
        s.put(make(1), t0);
        s.put(make(2), t0 + seconds(10));
        auto c = s.take(t0 + seconds(20), fit, discard);
        REQUIRE(c);
        CHECK(c->name == 2);  // the most recent
        s.put(std::move(c), t0 + seconds(20));
        // At t0 + 50 s, connection 1 has been idle 50 s: discarded; 2 (idle 30 s) is taken.
        s.put(make(3), t0 + seconds(1));  // an old one put last is still tried first
        c = s.take(t0 + seconds(51), fit, discard);
        CHECK(discarded == std::vector<int>{3});
        REQUIRE(c);
        CHECK(c->name == 2);
        // Unfit (the peer spoke while it was idle): discarded, and the next is tried.
        c = s.take(t0 + seconds(52), [](conn&) { return false; }, discard);
        CHECK(c == nullptr);
        CHECK(discarded == std::vector<int>{3, 1});
        CHECK(s.size() == 0);
    }

    TEST_CASE("idle_timeout 0: connections never expire while idle")
    {
        ba::pool_params p;
        p.idle_timeout = milliseconds(0);
        ba::sansio::idle_set<conn> s(p);
        s.put(std::make_unique<conn>(), t0);
        auto c = s.take(t0 + hours(24), [](conn&) { return true; }, [](std::unique_ptr<conn>) { FAIL("discarded"); });
        CHECK(c != nullptr);
    }
}
