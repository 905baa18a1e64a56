// A batch most of whose entries hold one value, its background: a batch of
// images, whose blank pixels are 81% of MNIST's. Kept as that value b and, row by
// row, the entries that differ (x - b where x != b), so that the first Dense
// layer's two big products cost a fifth of their dense flops:
//   x W   = b 1 colsum(W) + S W        (forward: z = x W + bias)
//   x^T D = b 1 colsum(D) + S^T D      (backward: the kernel's gradient)
// with S = x - b. The same sums as the dense products in another order, so the
// results agree with them to rounding. Every entry of a result is summed in the
// same order however the work is split, so results do not depend on threads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/matrix.h"

namespace mlp {

class SparseRows {
 public:
  // Keeps x's entries that differ from `background` when they are at most
  // `max_density` of all (and returns true); else keeps nothing, returns false.
  bool assign(const Matrix& x, float background, double max_density);

  std::size_t rows() const { return rows_; }
  std::size_t cols() const { return cols_; }
  std::size_t stored() const { return index_.size(); }

  // z[r0:r1, c0:c1] += x[r0:r1, :] w[:, c0:c1]; w is [cols x ldw] and z is
  // [rows x ldz], row-major.
  void multiply_add(std::size_t r0, std::size_t r1, const float* w, std::size_t ldw, std::size_t c0, std::size_t c1,
                    float* z, std::size_t ldz) const;
  // Lists the entries by column too, for transpose_multiply (after each assign).
  void index_columns();
  // out[:, c0:c1] = alpha (x^T d)[:, c0:c1], plus its old value when
  // `accumulate`. d is [rows x n] and out [cols x n], row-major. Split by
  // columns, the work is the same for every part, wherever the images have ink.
  void transpose_multiply(std::size_t c0, std::size_t c1, const float* d, std::size_t n, float alpha,
                          bool accumulate, float* out) const;

 private:
  float background_ = 0.0f;
  std::size_t rows_ = 0, cols_ = 0;
  std::vector<std::size_t> row_start_;  // rows + 1 offsets into index_ and value_
  std::vector<std::uint32_t> index_;    // column of each kept entry, ascending within a row
  std::vector<float> value_;            // x - background
  // The same entries by column: rows ascending within a column.
  std::vector<std::size_t> column_start_;
  std::vector<std::uint32_t> column_row_;
  std::vector<float> column_value_;
};

}  // namespace mlp
