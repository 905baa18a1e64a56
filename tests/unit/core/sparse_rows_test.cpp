// SparseRows against the dense products it replaces, computed here entry by
// entry in double precision from the matrix itself: x W and x^T D for inputs
// with a background of 0, -1 and 0.5, widths that exercise every block size and
// the single-column tails, row and column sub-ranges, and the refusal when too
// many entries differ.
#include <catch2/catch.hpp>

#include <array>
#include <cmath>
#include <cstring>
#include <utility>
#include <vector>

#include "core/matrix.h"
#include "core/rng.h"
#include "core/sparse_rows.h"
#include "support/random_matrices.h"

namespace {

using mlp::Matrix;
using mlp::test::mostly_background;
using mlp::test::random_matrix;

// Tolerance for a sum of `terms` products of magnitude <= 1 in float.
double tolerance(std::size_t terms) { return 1e-6 * static_cast<double>(terms + 1); }

}  // namespace

TEST_CASE("assign keeps exactly the entries that differ, and refuses a matrix denser than the limit") {
  const Matrix x = mostly_background(9, 40, -1.0f, 0.3, 1);
  std::size_t differ = 0;
  for (float v : x.values()) differ += v != -1.0f;
  mlp::SparseRows s;
  REQUIRE(s.assign(x, -1.0f, 1.0));
  CHECK(s.stored() == differ);
  const double density = static_cast<double>(differ) / static_cast<double>(x.size());
  CHECK(s.assign(x, -1.0f, density + 1e-9));
  CHECK_FALSE(s.assign(x, -1.0f, density - 0.01));
  CHECK(s.stored() == 0);
  // Every entry differs from a background no entry holds.
  CHECK_FALSE(s.assign(x, 7.0f, 0.99));
}

TEST_CASE("multiply_add adds x W over any block of rows and columns, and nothing outside it") {
  const std::size_t rows = 13;
  for (float background : {0.0f, -1.0f, 0.5f}) {
    for (std::size_t inputs : {1u, 7u, 130u, 300u}) {
      for (std::size_t units : {1u, 5u, 8u, 13u, 64u, 100u, 203u}) {
        CAPTURE(background, inputs, units);
        const Matrix x = mostly_background(rows, inputs, background, 0.25, inputs * 31 + units);
        const Matrix w = random_matrix(inputs, units, units);
        mlp::SparseRows s;
        REQUIRE(s.assign(x, background, 1.0));
        for (auto [r0, r1, c0, c1] : {std::array<std::size_t, 4>{0, rows, 0, units},
                                      std::array<std::size_t, 4>{2, 11, units / 3, units - units / 4}}) {
          const Matrix start = random_matrix(rows, units, 5);
          Matrix z = start;
          s.multiply_add(r0, r1, w.data(), units, c0, c1, z.data(), units);
          for (std::size_t r = 0; r < rows; ++r)
            for (std::size_t c = 0; c < units; ++c) {
              const bool inside = r >= r0 && r < r1 && c >= c0 && c < c1;
              double expected = start(r, c);
              if (inside)
                for (std::size_t i = 0; i < inputs; ++i) expected += static_cast<double>(x(r, i)) * w(i, c);
              REQUIRE(std::abs(z(r, c) - expected) <= tolerance(inputs));
            }
        }
      }
    }
  }
}

TEST_CASE("transpose_multiply writes or adds alpha x^T d over any range of columns, and nothing outside it") {
  const std::size_t rows = 37;
  for (float background : {0.0f, -1.0f}) {
    for (std::size_t inputs : {1u, 9u, 120u}) {
      for (std::size_t units : {1u, 6u, 8u, 24u, 33u, 100u}) {
        CAPTURE(background, inputs, units);
        const Matrix x = mostly_background(rows, inputs, background, 0.2, inputs + units);
        const Matrix d = random_matrix(rows, units, units * 7);
        mlp::SparseRows s;
        REQUIRE(s.assign(x, background, 1.0));
        s.index_columns();
        for (bool accumulate : {false, true}) {
          const std::size_t c0 = accumulate ? units / 3 : 0, c1 = units;
          const float alpha = accumulate ? -0.25f : 1.0f;
          const Matrix start = random_matrix(inputs, units, 3);
          Matrix out = start;
          s.transpose_multiply(c0, c1, d.data(), units, alpha, accumulate, out.data());
          for (std::size_t i = 0; i < inputs; ++i)
            for (std::size_t c = 0; c < units; ++c) {
              const bool inside = c >= c0 && c < c1;
              double expected = !inside || accumulate ? start(i, c) : 0.0;
              if (inside)
                for (std::size_t r = 0; r < rows; ++r) expected += alpha * static_cast<double>(x(r, i)) * d(r, c);
              REQUIRE(std::abs(out(i, c) - expected) <= tolerance(rows));
            }
        }
      }
    }
  }
}

TEST_CASE("results do not depend on how the columns or inputs are split (as between threads)") {
  const std::size_t rows = 20, inputs = 200, units = 120;
  const Matrix x = mostly_background(rows, inputs, -1.0f, 0.2, 11);
  const Matrix w = random_matrix(inputs, units, 12), d = random_matrix(rows, units, 13);
  mlp::SparseRows s;
  REQUIRE(s.assign(x, -1.0f, 1.0));

  Matrix whole(rows, units), split(rows, units);
  whole.fill(0.0f);
  split.fill(0.0f);
  s.multiply_add(0, rows, w.data(), units, 0, units, whole.data(), units);
  // Column slices of 16, 40, 8 and 56: other blocks and tails than the whole's.
  for (auto [c0, c1] : {std::pair<std::size_t, std::size_t>{0, 16}, {16, 56}, {56, 64}, {64, units}})
    s.multiply_add(0, rows, w.data(), units, c0, c1, split.data(), units);
  CHECK(std::memcmp(whole.data(), split.data(), whole.size() * sizeof(float)) == 0);

  Matrix grad_whole(inputs, units), grad_split(inputs, units);
  s.index_columns();
  s.transpose_multiply(0, units, d.data(), units, 1.0f, false, grad_whole.data());
  for (auto [c0, c1] : {std::pair<std::size_t, std::size_t>{0, 16}, {16, 56}, {56, 64}, {64, units}})
    s.transpose_multiply(c0, c1, d.data(), units, 1.0f, false, grad_split.data());
  CHECK(std::memcmp(grad_whole.data(), grad_split.data(), grad_whole.size() * sizeof(float)) == 0);
}

TEST_CASE("rows that are all background, and an empty batch") {
  Matrix x(4, 16);
  x.fill(-1.0f);
  x(2, 5) = 0.5f;
  const Matrix w = random_matrix(16, 9, 3);
  mlp::SparseRows s;
  REQUIRE(s.assign(x, -1.0f, 1.0));
  CHECK(s.stored() == 1);
  Matrix z(4, 9);
  z.fill(0.0f);
  s.multiply_add(0, 4, w.data(), 9, 0, 9, z.data(), 9);
  for (std::size_t c = 0; c < 9; ++c) {
    double colsum = 0.0;
    for (std::size_t i = 0; i < 16; ++i) colsum += w(i, c);
    CHECK(z(0, c) == Approx(-colsum).margin(1e-5));
    CHECK(z(2, c) == Approx(-colsum + 1.5 * w(5, c)).margin(1e-5));
  }
  Matrix empty(0, 16);
  REQUIRE(s.assign(empty, 0.0f, 0.5));
  s.multiply_add(0, 0, w.data(), 9, 0, 9, z.data(), 9);
  Matrix grad(16, 9);
  grad.fill(1.0f);
  s.index_columns();
  s.transpose_multiply(0, 9, z.data(), 9, 1.0f, false, grad.data());
  CHECK(s.rows() == 0);
  for (float g : grad.values()) CHECK(g == 0.0f);  // a sum over no rows
}
