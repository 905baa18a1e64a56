// Seeded random matrices for tests: uniform entries, and image-like batches
// whose entries mostly hold one background value.
#pragma once

#include <cstddef>
#include <cstdint>

#include "core/matrix.h"
#include "core/rng.h"

namespace mlp::test {

// Entries uniform in [-1, 1).
inline Matrix random_matrix(std::size_t rows, std::size_t cols, std::uint64_t seed) {
  Rng rng(seed);
  Matrix m(rows, cols);
  for (float& v : m.values()) v = rng.uniform(-1.0f, 1.0f);
  return m;
}

// Each entry differs from `background` (uniform in [-1, 1)) with probability `density`.
inline Matrix mostly_background(std::size_t rows, std::size_t cols, float background, double density,
                                std::uint64_t seed) {
  Rng rng(seed);
  Matrix x(rows, cols);
  for (float& v : x.values()) v = rng.uniform() < density ? rng.uniform(-1.0f, 1.0f) : background;
  return x;
}

}  // namespace mlp::test
