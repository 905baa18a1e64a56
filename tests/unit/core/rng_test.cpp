#include <catch2/catch.hpp>

#include <algorithm>
#include <numeric>
#include <vector>

#include "core/rng.h"

using mlp::Rng;

TEST_CASE("the same seed gives the same stream; another seed another one") {
  Rng a(42), b(42), c(43);
  for (int i = 0; i < 100; ++i) {
    const auto x = a.next_u64();
    CHECK(x == b.next_u64());
    CHECK(x != c.next_u64());
  }
}

TEST_CASE("streams for different purposes differ") {
  CHECK(Rng::stream(7, 1).next_u64() != Rng::stream(7, 2).next_u64());
}

TEST_CASE("uniform draws cover [0, 1) with the right mean and variance") {
  Rng rng(1);
  double sum = 0, sum_sq = 0;
  const int n = 200000;
  for (int i = 0; i < n; ++i) {
    const float u = rng.uniform();
    REQUIRE(u >= 0.0f);
    REQUIRE(u < 1.0f);
    sum += u;
    sum_sq += u * u;
  }
  const double mean = sum / n;
  CHECK(mean == Approx(0.5).margin(0.005));
  CHECK(sum_sq / n - mean * mean == Approx(1.0 / 12).margin(0.002));
}

TEST_CASE("normal draws have the requested mean and deviation") {
  Rng rng(3);
  double sum = 0, sum_sq = 0;
  const int n = 200000;
  for (int i = 0; i < n; ++i) {
    const double x = rng.normal(2.0f, 0.5f);
    sum += x;
    sum_sq += x * x;
  }
  const double mean = sum / n;
  CHECK(mean == Approx(2.0).margin(0.01));
  CHECK(std::sqrt(sum_sq / n - mean * mean) == Approx(0.5).margin(0.01));
}

TEST_CASE("below() is unbiased and shuffle is a permutation with uniform positions") {
  Rng rng(5);
  std::vector<int> counts(3, 0);
  for (int i = 0; i < 30000; ++i) ++counts[rng.below(3)];
  for (int c : counts) CHECK(c == Approx(10000).margin(400));

  // Where element 0 lands after a shuffle of 4 items: each place about 1/4 of the time.
  std::vector<int> landed(4, 0);
  for (int trial = 0; trial < 20000; ++trial) {
    std::vector<int> items{0, 1, 2, 3};
    rng.shuffle(std::span(items));
    auto sorted = items;
    std::sort(sorted.begin(), sorted.end());
    REQUIRE(sorted == std::vector<int>{0, 1, 2, 3});
    ++landed[static_cast<std::size_t>(std::find(items.begin(), items.end(), 0) - items.begin())];
  }
  for (int c : landed) CHECK(c == Approx(5000).margin(300));
}

TEST_CASE("state() and set_state() resume the exact stream") {
  Rng rng(9);
  rng.next_u64();
  const auto saved = rng.state();
  const auto expected = rng.next_u64();
  Rng other(0);
  other.set_state(saved);
  CHECK(other.next_u64() == expected);
}
