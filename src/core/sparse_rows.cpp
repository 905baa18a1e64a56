#include "core/sparse_rows.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <limits>
#include <utility>

#if defined(__AVX2__) || defined(__FMA__)
#include <immintrin.h>
#endif

#include "core/parallel.h"

#if defined(__GNUC__) && !defined(__clang__)
// Vec passes only between this file's own functions, so GCC's note that 32-byte
// vectors travel differently on a target without AVX does not concern it.
#pragma GCC diagnostic ignored "-Wpsabi"
#endif

namespace mlp {
namespace {

// Eight floats, one AVX register (a GCC vector type: it also builds, slower,
// for a target without AVX).
using Vec = float __attribute__((vector_size(32)));
constexpr std::size_t lanes = 8;

Vec load(const float* p) {
  Vec v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
void store(float* p, Vec v) { std::memcpy(p, &v, sizeof v); }
Vec splat(float f) { return Vec{f, f, f, f, f, f, f, f}; }

// a * b + c, rounded once where the CPU fuses them (else twice: a software fma
// would be slower than the dense product). Spelled out, and the file built with
// -ffp-contract=off (src/CMakeLists.txt): left to the compiler, whether a product
// fused with its sum differed between block widths, and so results between
// thread counts.
Vec fma(Vec a, Vec b, Vec c) {
#ifdef __FMA__
  return _mm256_fmadd_ps(a, b, c);
#else
  return a * b + c;
#endif
}
float fma(float a, float b, float c) {
#ifdef __FMA__
  return std::fma(a, b, c);
#else
  return a * b + c;
#endif
}

struct Entries {
  std::size_t row_begin, row_end, cols;
  float background;
  const std::size_t* start;
  const std::uint32_t* index;
  const float* value;
};

// The part of w a chunk of inputs touches is kept within 24 KiB, so that it
// stays in L1 while every row's entries in that chunk are added.
constexpr std::size_t l1_floats = 6144;

// z[:, c:c+width] += x w[:, c:c+width], for width = NV vectors: the block's
// accumulators of one row stay in registers while its entries are added.
template <std::size_t NV>
void multiply_block(const Entries& s, const float* w, std::size_t ldw, std::size_t c, float* z, std::size_t ldz,
                    std::size_t* cursor) {
  constexpr std::size_t width = NV * lanes;
  constexpr std::size_t chunk = std::max<std::size_t>(1, l1_floats / width);
  Vec colsum[NV] = {};
  std::copy(s.start + s.row_begin, s.start + s.row_end, cursor + s.row_begin);
  for (std::size_t i0 = 0; i0 < s.cols; i0 += chunk) {
    const std::size_t i1 = std::min(s.cols, i0 + chunk);
    if (s.background != 0.0f)  // (also brings the chunk into L1)
      for (std::size_t i = i0; i < i1; ++i)
        for (std::size_t v = 0; v < NV; ++v) colsum[v] += load(w + i * ldw + c + v * lanes);
    for (std::size_t r = s.row_begin; r < s.row_end; ++r) {
      float* zr = z + r * ldz + c;
      Vec acc[NV];
      for (std::size_t v = 0; v < NV; ++v) acc[v] = load(zr + v * lanes);
      std::size_t k = cursor[r];
      for (const std::size_t end = s.start[r + 1]; k < end && s.index[k] < i1; ++k) {
        const Vec x = splat(s.value[k]);
        const float* wr = w + std::size_t{s.index[k]} * ldw + c;
        for (std::size_t v = 0; v < NV; ++v) acc[v] = fma(x, load(wr + v * lanes), acc[v]);
      }
      cursor[r] = k;
      for (std::size_t v = 0; v < NV; ++v) store(zr + v * lanes, acc[v]);
    }
  }
  if (s.background == 0.0f) return;
  const Vec b = splat(s.background);
  for (std::size_t r = s.row_begin; r < s.row_end; ++r) {
    float* zr = z + r * ldz + c;
    for (std::size_t v = 0; v < NV; ++v) store(zr + v * lanes, fma(b, colsum[v], load(zr + v * lanes)));
  }
}

// The same for single columns (the last < 8 of a range), summed in the same order.
void multiply_columns(const Entries& s, const float* w, std::size_t ldw, std::size_t c0, std::size_t c1, float* z,
                      std::size_t ldz) {
  for (std::size_t c = c0; c < c1; ++c) {
    float colsum = 0.0f;
    if (s.background != 0.0f)
      for (std::size_t i = 0; i < s.cols; ++i) colsum += w[i * ldw + c];
    for (std::size_t r = s.row_begin; r < s.row_end; ++r) {
      float acc = z[r * ldz + c];
      for (std::size_t k = s.start[r]; k < s.start[r + 1]; ++k)
        acc = fma(s.value[k], w[std::size_t{s.index[k]} * ldw + c], acc);
      z[r * ldz + c] = s.background != 0.0f ? fma(s.background, colsum, acc) : acc;
    }
  }
}

// The entries by column (input): the transpose of Entries.
struct Columns {
  const std::size_t* start;  // cols + 1
  const std::uint32_t* row;
  const float* value;
};

// out[:, c:c+width] = alpha (x^T d)[:, c:c+width] (+ old): d's block is
// packed once (it is read for every input), and two accumulators per vector,
// for even and odd entries, keep the FMA units busy.
template <std::size_t NV>
void transpose_block(const Columns& t, std::size_t cols, std::size_t rows, float background,
                     const float* d, std::size_t n, std::size_t c, float alpha, bool accumulate, float* out,
                     float* packed) {
  constexpr std::size_t width = NV * lanes;
  Vec base[NV] = {};
  for (std::size_t r = 0; r < rows; ++r)
    for (std::size_t v = 0; v < NV; ++v) {
      const Vec x = load(d + r * n + c + v * lanes);
      store(packed + r * width + v * lanes, x);
      base[v] += x;
    }
  for (std::size_t v = 0; v < NV; ++v) base[v] *= splat(background);
  const Vec a = splat(alpha);
  for (std::size_t i = 0; i < cols; ++i) {
    Vec even[NV], odd[NV] = {};
    for (std::size_t v = 0; v < NV; ++v) even[v] = base[v];
    std::size_t k = t.start[i];
    const std::size_t end = t.start[i + 1];
    for (; k + 1 < end; k += 2) {
      const Vec x0 = splat(t.value[k]), x1 = splat(t.value[k + 1]);
      const float* p0 = packed + std::size_t{t.row[k]} * width;
      const float* p1 = packed + std::size_t{t.row[k + 1]} * width;
      for (std::size_t v = 0; v < NV; ++v) {
        even[v] = fma(x0, load(p0 + v * lanes), even[v]);
        odd[v] = fma(x1, load(p1 + v * lanes), odd[v]);
      }
    }
    if (k < end) {
      const Vec x0 = splat(t.value[k]);
      const float* p0 = packed + std::size_t{t.row[k]} * width;
      for (std::size_t v = 0; v < NV; ++v) even[v] = fma(x0, load(p0 + v * lanes), even[v]);
    }
    float* o = out + i * n + c;
    for (std::size_t v = 0; v < NV; ++v) {
      const Vec sum = even[v] + odd[v];
      store(o + v * lanes, accumulate ? fma(a, sum, load(o + v * lanes)) : a * sum);
    }
  }
}

void transpose_columns(const Columns& t, std::size_t cols, std::size_t rows, float background,
                       const float* d, std::size_t n, std::size_t c0, std::size_t c1, float alpha, bool accumulate,
                       float* out) {
  for (std::size_t c = c0; c < c1; ++c) {
    float base = 0.0f;
    for (std::size_t r = 0; r < rows; ++r) base += d[r * n + c];
    base *= background;
    for (std::size_t i = 0; i < cols; ++i) {
      float acc = base;
      for (std::size_t k = t.start[i]; k < t.start[i + 1]; ++k)
        acc = fma(t.value[k], d[t.row[k] * n + c], acc);
      float& o = out[i * n + c];
      o = accumulate ? fma(alpha, acc, o) : alpha * acc;
    }
  }
}

// Splits `vectors` 8-float vectors into as few blocks of at most `most` as can
// be, of near-equal size (49 vectors: 7 of 7, not 6 of 8 and 1 of 1, whose one
// accumulator chain would stall on the FMA's latency); calls block(first, count).
template <class Block>
void vector_blocks(std::size_t vectors, std::size_t most, Block&& block) {
  const std::size_t blocks = (vectors + most - 1) / most;
  for (std::size_t b = 0, first = 0; b < blocks; ++b) {
    const std::size_t count = vectors * (b + 1) / blocks - vectors * b / blocks;
    block(first, count);
    first += count;
  }
}

template <std::size_t... N>
constexpr auto multiply_kernels(std::index_sequence<N...>) {
  return std::array{&multiply_block<N + 1>...};
}
template <std::size_t... N>
constexpr auto transpose_kernels(std::index_sequence<N...>) {
  return std::array{&transpose_block<N + 1>...};
}
// Forward: up to 8 accumulators, so each broadcast entry feeds 8 FMAs. Transposed:
// up to 4, twice over (even and odd entries), within the 16 AVX registers.
constexpr auto multiply_by_width = multiply_kernels(std::make_index_sequence<8>());
constexpr auto transpose_by_width = transpose_kernels(std::make_index_sequence<4>());

#ifdef __AVX2__
// For each 8-bit mask, the positions of its set bits, first to last: the
// permutation that moves the entries that differ to the front of a vector.
struct PackTable {
  alignas(32) std::uint32_t lanes[256][8];
};
constexpr PackTable make_pack_table() {
  PackTable table{};
  for (unsigned mask = 0; mask < 256; ++mask)
    for (unsigned bit = 0, k = 0; bit < 8; ++bit)
      if (mask >> bit & 1) table.lanes[mask][k++] = bit;
  return table;
}
constexpr PackTable pack_table = make_pack_table();
#endif

// The entries of row[0, cols) that differ from `background`, stored from
// index[k], value[k] on, k < last (the row's share): returns the k reached.
// Eight at a time (compare, then pack those that differ to the front) while a
// whole vector fits in the row's share; one at a time after.
std::size_t gather_row(const float* row, std::size_t cols, float background, std::uint32_t* index, float* value,
                       std::size_t k, std::size_t last) {
  std::size_t c = 0;
#ifdef __AVX2__
  const __m256 b = _mm256_set1_ps(background);
  for (; c + lanes <= cols && k + lanes <= last; c += lanes) {
    const __m256 x = _mm256_loadu_ps(row + c);
    const auto mask = static_cast<unsigned>(_mm256_movemask_ps(_mm256_cmp_ps(x, b, _CMP_NEQ_UQ)));
    const __m256i order = _mm256_load_si256(reinterpret_cast<const __m256i*>(pack_table.lanes[mask]));
    _mm256_storeu_ps(value + k, _mm256_permutevar8x32_ps(_mm256_sub_ps(x, b), order));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(index + k),
                        _mm256_add_epi32(_mm256_set1_epi32(static_cast<int>(c)), order));
    k += static_cast<std::size_t>(__builtin_popcount(mask));
  }
#endif
  for (; c < cols && k < last; ++c) {
    index[k] = static_cast<std::uint32_t>(c);
    value[k] = row[c] - background;
    k += row[c] != background;
  }
  return k;
}

std::size_t count_differing(const float* row, std::size_t cols, float background) {
  std::size_t count = 0, c = 0;
#ifdef __AVX2__
  const __m256 b = _mm256_set1_ps(background);
  for (; c + lanes <= cols; c += lanes) {
    const __m256 differ = _mm256_cmp_ps(_mm256_loadu_ps(row + c), b, _CMP_NEQ_UQ);
    count += static_cast<std::size_t>(__builtin_popcount(static_cast<unsigned>(_mm256_movemask_ps(differ))));
  }
#endif
  for (; c < cols; ++c) count += row[c] != background;
  return count;
}

}  // namespace

bool SparseRows::assign(const Matrix& x, float background, double max_density) {
  rows_ = x.rows();
  cols_ = x.cols();
  background_ = background;
  row_start_.assign(rows_ + 1, 0);
  auto refuse = [this] {
    index_.clear();
    value_.clear();
    return false;
  };
  constexpr std::size_t index_limit = std::numeric_limits<std::uint32_t>::max();
  if (cols_ > index_limit || rows_ > index_limit) return refuse();
  const double entries = static_cast<double>(x.size());  // (also the work estimate)
  parallel::for_ranges(rows_, 1, entries, [&](std::size_t begin, std::size_t end) {
    for (std::size_t r = begin; r < end; ++r) row_start_[r + 1] = count_differing(x.row(r), cols_, background);
  });
  for (std::size_t r = 0; r < rows_; ++r) row_start_[r + 1] += row_start_[r];
  const std::size_t total = row_start_[rows_];
  if (static_cast<double>(total) > max_density * entries) return refuse();
  // (Resized, not cleared first: no pass clearing what the gather overwrites.)
  index_.resize(total);
  value_.resize(total);
  parallel::for_ranges(rows_, 1, entries, [&](std::size_t begin, std::size_t end) {
    for (std::size_t r = begin; r < end; ++r)
      gather_row(x.row(r), cols_, background, index_.data(), value_.data(), row_start_[r], row_start_[r + 1]);
  });
  return true;
}

void SparseRows::multiply_add(std::size_t r0, std::size_t r1, const float* w, std::size_t ldw, std::size_t c0,
                              std::size_t c1, float* z, std::size_t ldz) const {
  const Entries s{r0, r1, cols_, background_, row_start_.data(), index_.data(), value_.data()};
  thread_local std::vector<std::size_t> cursor;  // each row's next entry (grows, never shrinks)
  if (cursor.size() < r1) cursor.resize(r1);
  const std::size_t vectors = (c1 - c0) / lanes;
  vector_blocks(vectors, multiply_by_width.size(), [&](std::size_t first, std::size_t count) {
    multiply_by_width[count - 1](s, w, ldw, c0 + first * lanes, z, ldz, cursor.data());
  });
  multiply_columns(s, w, ldw, c0 + vectors * lanes, c1, z, ldz);
}

void SparseRows::index_columns() {
  // Counted, then placed, each pass on the pool by ranges of columns: a range's
  // entries in a row are found from the first at or after its start.
  column_start_.assign(cols_ + 1, 0);
  column_row_.resize(index_.size());
  column_value_.resize(index_.size());
  const double work = 8.0 * static_cast<double>(index_.size());
  auto each_entry = [&](std::size_t i0, std::size_t i1, auto&& visit) {
    const std::uint32_t* index = index_.data();
    for (std::size_t r = 0; r < rows_; ++r) {
      const std::uint32_t* row_end = index + row_start_[r + 1];
      for (const std::uint32_t* k = std::lower_bound(index + row_start_[r], row_end, i0);
           k < row_end && *k < i1; ++k)
        visit(r, static_cast<std::size_t>(k - index));
    }
  };
  parallel::for_ranges(cols_, 1, work, [&](std::size_t i0, std::size_t i1) {
    each_entry(i0, i1, [&](std::size_t, std::size_t k) { ++column_start_[index_[k] + 1]; });
  });
  for (std::size_t i = 0; i < cols_; ++i) column_start_[i + 1] += column_start_[i];
  parallel::for_ranges(cols_, 1, work, [&](std::size_t i0, std::size_t i1) {
    thread_local std::vector<std::size_t> place;
    place.assign(column_start_.begin() + static_cast<std::ptrdiff_t>(i0),
                 column_start_.begin() + static_cast<std::ptrdiff_t>(i1));
    each_entry(i0, i1, [&](std::size_t r, std::size_t k) {
      const std::size_t p = place[index_[k] - i0]++;
      column_row_[p] = static_cast<std::uint32_t>(r);
      column_value_[p] = value_[k];
    });
  });
}

void SparseRows::transpose_multiply(std::size_t c0, std::size_t c1, const float* d, std::size_t n, float alpha,
                                    bool accumulate, float* out) const {
  const Columns t{column_start_.data(), column_row_.data(), column_value_.data()};
  thread_local std::vector<float> packed;  // one block of d (grows, never shrinks)
  const std::size_t most = transpose_by_width.size();
  if (packed.size() < rows_ * most * lanes) packed.resize(rows_ * most * lanes);
  const std::size_t vectors = (c1 - c0) / lanes;
  vector_blocks(vectors, most, [&](std::size_t first, std::size_t count) {
    transpose_by_width[count - 1](t, cols_, rows_, background_, d, n, c0 + first * lanes, alpha, accumulate,
                                  out, packed.data());
  });
  transpose_columns(t, cols_, rows_, background_, d, n, c0 + vectors * lanes, c1, alpha, accumulate, out);
}

}  // namespace mlp
