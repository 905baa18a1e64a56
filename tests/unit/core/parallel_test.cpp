// The thread pool: every index of a range is visited exactly once, range bounds
// keep their alignment, small or nested work runs inline, and the pool's threads
// compute with the caller's floating-point settings.
#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <mutex>
#include <set>
#include <thread>
#include <utility>
#include <vector>

#include <xmmintrin.h>

#include "core/parallel.h"

namespace parallel = mlp::parallel;

namespace {

constexpr double big_work = 1e9;  // far above min_parallel_flops

// Restores one thread when a test ends, whatever it set.
struct ThreadsGuard {
  ~ThreadsGuard() { parallel::set_threads(1); }
};

std::vector<std::pair<std::size_t, std::size_t>> ranges_of(std::size_t n, std::size_t align, double flops,
                                                            std::size_t parts_per_thread = 1) {
  std::mutex mutex;
  std::vector<std::pair<std::size_t, std::size_t>> ranges;
  parallel::for_ranges(
      n, align, flops,
      [&](std::size_t begin, std::size_t end) {
        std::lock_guard lock(mutex);
        ranges.emplace_back(begin, end);
      },
      parts_per_thread);
  std::sort(ranges.begin(), ranges.end());
  return ranges;
}

}  // namespace

TEST_CASE("for_ranges covers [0, n) exactly once, in aligned ranges, as many per thread as asked") {
  ThreadsGuard guard;
  for (int threads : {1, 2, 3, 5}) {
    parallel::set_threads(threads);
    REQUIRE(parallel::threads() == threads);
    for (std::size_t per_thread : {1u, 4u})
    for (std::size_t n : {1u, 7u, 8u, 100u, 784u, 1001u}) {
      for (std::size_t align : {1u, 8u, 16u}) {
        INFO("threads " << threads << " (" << per_thread << " parts each), n " << n << ", align " << align);
        std::vector<std::atomic<int>> visits(n);
        parallel::for_ranges(
            n, align, big_work,
            [&](std::size_t begin, std::size_t end) {
              for (std::size_t i = begin; i < end; ++i) visits[i].fetch_add(1);
            },
            per_thread);
        for (std::size_t i = 0; i < n; ++i) REQUIRE(visits[i].load() == 1);

        const auto ranges = ranges_of(n, align, big_work, per_thread);
        const std::size_t units = (n + align - 1) / align;
        const std::size_t expected =
            threads == 1 ? 1 : std::min<std::size_t>(static_cast<std::size_t>(threads) * per_thread, units);
        CHECK(ranges.size() == expected);
        for (const auto& [begin, end] : ranges) {
          CHECK(begin < end);
          CHECK(begin % align == 0);
          CHECK((end % align == 0 || end == n));
        }
      }
    }
  }
}

TEST_CASE("for_ranges splits 784 units into equal halves on two threads") {
  ThreadsGuard guard;
  parallel::set_threads(2);
  const auto ranges = ranges_of(784, 8, big_work);
  REQUIRE(ranges.size() == 2);
  CHECK(ranges[0] == std::make_pair(std::size_t{0}, std::size_t{392}));
  CHECK(ranges[1] == std::make_pair(std::size_t{392}, std::size_t{784}));
}

TEST_CASE("small work, n = 0 and work nested inside a range run inline") {
  ThreadsGuard guard;
  parallel::set_threads(2);
  const auto small = ranges_of(1000, 1, parallel::min_parallel_flops / 2);
  REQUIRE(small.size() == 1);
  CHECK(small[0] == std::make_pair(std::size_t{0}, std::size_t{1000}));

  int calls = 0;
  parallel::for_ranges(0, 1, big_work, [&](std::size_t, std::size_t) { ++calls; });
  CHECK(calls == 0);

  std::atomic<int> inner_calls{0};
  std::atomic<std::size_t> inner_total{0};
  parallel::for_ranges(4, 1, big_work, [&](std::size_t, std::size_t) {
    parallel::for_ranges(50, 1, big_work, [&](std::size_t begin, std::size_t end) {
      inner_calls.fetch_add(1);
      inner_total.fetch_add(end - begin);
    });
  });
  CHECK(inner_calls.load() == 2);  // one inline range per outer range
  CHECK(inner_total.load() == 100);
}

TEST_CASE("the pool's threads use the caller's flush-to-zero setting, also after sleeping") {
  ThreadsGuard guard;
  const unsigned saved = _mm_getcsr();
  _mm_setcsr(saved | 0x8040);  // FTZ and DAZ, as the programs set them
  parallel::set_threads(1);
  parallel::set_threads(3);
  for (int round = 0; round < 2; ++round) {
    std::atomic<int> without_ftz{0};
    std::mutex mutex;
    std::set<std::thread::id> ids;
    // Enough ranges and a slow enough body that the other threads take some.
    for (int repeat = 0; repeat < 50 && ids.size() < 2; ++repeat) {
      parallel::for_ranges(3, 1, big_work, [&](std::size_t, std::size_t) {
        if ((_mm_getcsr() & 0x8040) != 0x8040) without_ftz.fetch_add(1);
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
        std::lock_guard lock(mutex);
        ids.insert(std::this_thread::get_id());
      });
    }
    CHECK(ids.size() >= 2);
    CHECK(without_ftz.load() == 0);
    // Long enough for the workers to stop spinning and sleep; the next round wakes them.
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  parallel::set_threads(1);
  _mm_setcsr(saved);
}
