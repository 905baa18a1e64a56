// One seeded generator family: every random draw (initializers, shuffling, dropout)
// comes from here, and the bit stream is ours (xoshiro256**), not the standard
// library's, so a seed gives the same numbers with any compiler or libstdc++.
#pragma once

#include <array>
#include <cstdint>
#include <span>

namespace mlp {

class Rng {
 public:
  explicit Rng(std::uint64_t seed = 0) { reseed(seed); }
  void reseed(std::uint64_t seed);

  // xoshiro256**; inline, as dropout draws one per two values.
  std::uint64_t next_u64() {
    const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const std::uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }
  float uniform();                           // [0, 1), 24 random bits
  float uniform(float low, float high);      // [low, high)
  float normal(float mean, float stddev);    // Box-Muller
  std::uint64_t below(std::uint64_t bound);  // [0, bound), unbiased
  template <class T>
  void shuffle(std::span<T> items) {  // Fisher-Yates, as numpy's shuffle walks it
    for (std::size_t i = items.size(); i > 1; --i) std::swap(items[i - 1], items[below(i)]);
  }

  // The whole state, so a checkpoint can resume the exact stream.
  std::array<std::uint64_t, 4> state() const { return s_; }
  void set_state(const std::array<std::uint64_t, 4>& s) { s_ = s; }

  // An independent stream for one purpose ("init", "shuffle", "dropout").
  static Rng stream(std::uint64_t seed, std::uint64_t purpose);

 private:
  static std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  std::array<std::uint64_t, 4> s_{};
};

}  // namespace mlp
