#include "nn/layers/winograd3x3.h"

#include <algorithm>

#include "core/blas.h"

namespace mlp {
namespace {

// Lavin and Gray's F(4x4, 3x3) matrices (interpolation points 0, +-1, +-2, infinity).
constexpr float kBT[6][6] = {{4, 0, -5, 0, 1, 0},  {0, -4, -4, 1, 1, 0}, {0, 4, -4, -1, 1, 0},
                             {0, -2, -1, 2, 1, 0}, {0, 2, -1, -2, 1, 0}, {0, 4, 0, -5, 0, 1}};
constexpr float kG[6][3] = {{1.0f / 4, 0, 0},
                            {-1.0f / 6, -1.0f / 6, -1.0f / 6},
                            {-1.0f / 6, 1.0f / 6, -1.0f / 6},
                            {1.0f / 24, 1.0f / 12, 1.0f / 6},
                            {1.0f / 24, -1.0f / 12, 1.0f / 6},
                            {0, 0, 1}};
constexpr float kAT[4][6] = {{1, 1, 1, 1, 1, 0}, {0, 1, -1, 2, -2, 0}, {0, 1, 1, 4, 4, 0}, {0, 1, -1, 8, -8, 1}};

// Their transposes, for the gradients; written out so that each is a literal
// the compiler folds into the unrolled transforms, and checked below.
constexpr float kB[6][6] = {{4, 0, 0, 0, 0, 0},     {0, -4, 4, -2, 2, 4}, {-5, -4, -4, -1, -1, 0},
                            {0, 1, -1, 2, -2, -5}, {1, 1, 1, 1, 1, 0},   {0, 0, 0, 0, 0, 1}};
constexpr float kA[6][4] = {{1, 0, 0, 0}, {1, 1, 1, 1}, {1, -1, 1, -1}, {1, 2, 4, 8}, {1, -2, 4, -8}, {0, 0, 0, 1}};
constexpr float kGT[3][6] = {{1.0f / 4, -1.0f / 6, -1.0f / 6, 1.0f / 24, 1.0f / 24, 0},
                             {0, -1.0f / 6, 1.0f / 6, 1.0f / 12, -1.0f / 12, 0},
                             {0, -1.0f / 6, -1.0f / 6, 1.0f / 6, 1.0f / 6, 1}};

template <std::size_t R, std::size_t S>
constexpr bool transposes(const float (&a)[R][S], const float (&b)[S][R]) {
  for (std::size_t i = 0; i < R; ++i)
    for (std::size_t j = 0; j < S; ++j)
      if (a[i][j] != b[j][i]) return false;
  return true;
}
static_assert(transposes(kBT, kB) && transposes(kAT, kA) && transposes(kG, kGT));

constexpr std::size_t kLanes = 8;  // channels transformed together: one AVX register

// out = sum over k of m[i][k] v[k], for kLanes lanes. m is a constant, so with
// the loops unrolled the compiler drops its zeros.
template <std::size_t R, std::size_t S, const float (&m)[R][S]>
inline void combine(std::size_t i, const float (&v)[S][kLanes], float* out) {
  float acc[kLanes] = {};
#pragma GCC unroll 8
  for (std::size_t k = 0; k < S; ++k)
    if (m[i][k] != 0.0f)
      for (std::size_t q = 0; q < kLanes; ++q) acc[q] += m[i][k] * v[k][q];
  for (std::size_t q = 0; q < kLanes; ++q) out[q] = acc[q];
}

// The 2-D transform of one group of kLanes channels: out(i, j) = sum over k, l
// of m[i][k] in(k, l) m[j][l], R x R elements from S x S (element (k, l) at
// in + k in_row + l in_col): m applied down each column, then along each row,
// the tile in registers between.
template <std::size_t R, std::size_t S, const float (&m)[R][S]>
inline void transform_lanes(const float* in, std::size_t in_row, std::size_t in_col, float* out,
                            std::size_t out_row, std::size_t out_col) {
  float t[R][S][kLanes];
#pragma GCC unroll 8
  for (std::size_t l = 0; l < S; ++l) {
    float column[S][kLanes];
    for (std::size_t k = 0; k < S; ++k)
      for (std::size_t q = 0; q < kLanes; ++q) column[k][q] = in[k * in_row + l * in_col + q];
#pragma GCC unroll 8
    for (std::size_t i = 0; i < R; ++i) combine<R, S, m>(i, column, t[i][l]);
  }
#pragma GCC unroll 8
  for (std::size_t i = 0; i < R; ++i)
#pragma GCC unroll 8
    for (std::size_t j = 0; j < R; ++j) combine<R, S, m>(j, t[i], out + i * out_row + j * out_col);
}

// The same over runs of n channels per element; a last group narrower than
// kLanes goes through zero-padded copies.
template <std::size_t R, std::size_t S, const float (&m)[R][S]>
void transform2d(const float* in, std::size_t in_row, std::size_t in_col, float* out, std::size_t out_row,
                 std::size_t out_col, std::size_t n) {
  std::size_t c = 0;
  for (; c + kLanes <= n; c += kLanes)
    transform_lanes<R, S, m>(in + c, in_row, in_col, out + c, out_row, out_col);
  if (c == n) return;
  float padded_in[S * S * kLanes] = {}, padded_out[R * R * kLanes];
  const std::size_t rest = n - c;
  for (std::size_t k = 0; k < S; ++k)
    for (std::size_t l = 0; l < S; ++l) std::copy_n(in + k * in_row + l * in_col + c, rest, padded_in + (k * S + l) * kLanes);
  transform_lanes<R, S, m>(padded_in, S * kLanes, kLanes, padded_out, R * kLanes, kLanes);
  for (std::size_t i = 0; i < R; ++i)
    for (std::size_t j = 0; j < R; ++j)
      std::copy_n(padded_out + (i * R + j) * kLanes, rest, out + i * out_row + j * out_col + c);
}

constexpr std::size_t kTile = 4, kSpan = 6, kPoints = 36;
// Tiles per block: MNIST's second convolution (32 -> 64 channels) measured
// 56.9 / 51.8 / 52.1 ms a step with blocks of 32 / 64 / 128; at 64 a block's V
// and M take 0.9 MB.
constexpr std::size_t kBlock = 64;

}  // namespace

bool Winograd3x3::suits(const Window2D& w) {
  return w.kernel_h == 3 && w.kernel_w == 3 && w.stride_h == 1 && w.stride_w == 1 && w.dilation_h == 1 &&
         w.dilation_w == 1 && w.channels >= kLanes;
}

Winograd3x3::Winograd3x3(const Window2D& window, std::size_t filters)
    : w_(window),
      channels_(window.channels),
      filters_(filters),
      tiles_h_((window.out_h + kTile - 1) / kTile),
      tiles_w_((window.out_w + kTile - 1) / kTile),
      // A point's block is 16 floats (a cache line) longer than it needs to be:
      // at a multiple of 4 KiB, the 36 points a tile writes would share one set
      // of the L1 cache and evict each other (measured: the transforms took 3x
      // as long).
      v_point_(kBlock * channels_ + 16),
      m_point_(kBlock * filters_ + 16),
      u_(kPoints * channels_ * filters_) {}

void Winograd3x3::set_kernel(const float* kernel) {
  const std::size_t n = channels_ * filters_;
  transform2d<6, 3, kG>(kernel, 3 * n, n, u_.data(), kSpan * n, n, n);
}

void Winograd3x3::kernel_gradient(const float* du, float* dk) const {
  const std::size_t n = channels_ * filters_;
  transform2d<3, 6, kGT>(du, kSpan * n, n, dk, 3 * n, n, n);
}

template <class Fn>
void Winograd3x3::for_blocks(std::size_t n, Fn&& fn) const {
  const std::size_t tiles = n * tiles_h_ * tiles_w_;
  for (std::size_t t = 0; t < tiles; t += kBlock) fn(t, std::min(kBlock, tiles - t));
}

// V for tiles [first_tile, first_tile + count): point (a, b) of tile k at
// s.v + ((a * 6 + b) * block + k) * channels.
void Winograd3x3::transform_input(const float* x, std::size_t first_tile, std::size_t count, Scratch& s) const {
  const std::size_t c = channels_, per_sample = tiles_h_ * tiles_w_, row = w_.in_w * c;
  s.tile.resize(kPoints * std::max(c, filters_));
  for (std::size_t k = 0; k < count; ++k) {
    const std::size_t t = first_tile + k, sample = t / per_sample, ty = t % per_sample / tiles_w_,
                      tx = t % tiles_w_;
    const float* image = x + sample * w_.in_size();
    const auto y0 = static_cast<std::ptrdiff_t>(ty * kTile) - static_cast<std::ptrdiff_t>(w_.pad_top);
    const auto x0 = static_cast<std::ptrdiff_t>(tx * kTile) - static_cast<std::ptrdiff_t>(w_.pad_left);
    float* out = s.v.data() + k * c;
    const std::size_t out_col = v_point_, out_row = kSpan * out_col;
    if (y0 >= 0 && x0 >= 0 && y0 + 6 <= static_cast<std::ptrdiff_t>(w_.in_h) &&
        x0 + 6 <= static_cast<std::ptrdiff_t>(w_.in_w)) {
      const float* at = image + static_cast<std::size_t>(y0) * row + static_cast<std::size_t>(x0) * c;
      transform2d<6, 6, kBT>(at, row, c, out, out_row, out_col, c);
      continue;
    }
    for (std::size_t i = 0; i < kSpan; ++i)
      for (std::size_t j = 0; j < kSpan; ++j) {
        const std::ptrdiff_t yy = y0 + static_cast<std::ptrdiff_t>(i), xx = x0 + static_cast<std::ptrdiff_t>(j);
        float* d = s.tile.data() + (i * kSpan + j) * c;
        if (yy >= 0 && xx >= 0 && yy < static_cast<std::ptrdiff_t>(w_.in_h) && xx < static_cast<std::ptrdiff_t>(w_.in_w))
          std::copy_n(image + static_cast<std::size_t>(yy) * row + static_cast<std::size_t>(xx) * c, c, d);
        else
          std::fill(d, d + c, 0.0f);
      }
    transform2d<6, 6, kBT>(s.tile.data(), kSpan * c, c, out, out_row, out_col, c);
  }
}

void Winograd3x3::forward(const float* x, std::size_t n, const float* bias, float* z, Scratch& s) const {
  const std::size_t c = channels_, f = filters_, per_sample = tiles_h_ * tiles_w_, out_row = w_.out_w * f;
  s.v.resize(kPoints * v_point_);
  s.m.resize(kPoints * m_point_);
  for_blocks(n, [&](std::size_t first_tile, std::size_t count) {
    transform_input(x, first_tile, count, s);
    for (std::size_t p = 0; p < kPoints; ++p)
      blas::gemm(blas::Trans::no, blas::Trans::no, static_cast<int>(count), static_cast<int>(f), static_cast<int>(c),
                 1.0f, s.v.data() + p * v_point_, static_cast<int>(c), u_.data() + p * c * f, static_cast<int>(f),
                 0.0f, s.m.data() + p * m_point_, static_cast<int>(f));
    for (std::size_t k = 0; k < count; ++k) {
      const std::size_t t = first_tile + k, sample = t / per_sample, oy = t % per_sample / tiles_w_ * kTile,
                        ox = t % tiles_w_ * kTile;
      const std::size_t rows = std::min(kTile, w_.out_h - oy), cols = std::min(kTile, w_.out_w - ox);
      float* out = z + sample * w_.out_h * out_row + oy * out_row + ox * f;
      const float* in = s.m.data() + k * f;
      if (rows == kTile && cols == kTile) {
        transform2d<4, 6, kAT>(in, kSpan * m_point_, m_point_, out, out_row, f, f);
      } else {
        transform2d<4, 6, kAT>(in, kSpan * m_point_, m_point_, s.tile.data(), kTile * f, f, f);
        for (std::size_t i = 0; i < rows; ++i) std::copy_n(s.tile.data() + i * kTile * f, cols * f, out + i * out_row);
      }
      if (bias)
        for (std::size_t i = 0; i < rows; ++i)
          for (std::size_t j = 0; j < cols; ++j) {
            float* o = out + i * out_row + j * f;
            for (std::size_t q = 0; q < f; ++q) o[q] += bias[q];
          }
    }
  });
}

void Winograd3x3::backward(const float* x, const float* dz, std::size_t n, float* du, bool first, float* dx,
                           Scratch& s) const {
  const std::size_t c = channels_, f = filters_, per_sample = tiles_h_ * tiles_w_, dz_row = w_.out_w * f,
                    in_row = w_.in_w * c;
  if (first && n == 0) std::fill(du, du + transformed_size(), 0.0f);
  if (dx) std::fill(dx, dx + n * w_.in_size(), 0.0f);
  s.v.resize(kPoints * v_point_);
  s.m.resize(kPoints * m_point_);
  if (dx) s.dv.resize(kPoints * v_point_);
  for_blocks(n, [&](std::size_t first_tile, std::size_t count) {
    // Yh = A dY A^T, the output tile read with zeros past the output's edge.
    for (std::size_t k = 0; k < count; ++k) {
      const std::size_t t = first_tile + k, sample = t / per_sample, oy = t % per_sample / tiles_w_ * kTile,
                        ox = t % tiles_w_ * kTile;
      const std::size_t rows = std::min(kTile, w_.out_h - oy), cols = std::min(kTile, w_.out_w - ox);
      const float* in = dz + sample * w_.out_h * dz_row + oy * dz_row + ox * f;
      float* out = s.m.data() + k * f;
      const std::size_t out_col = m_point_, out_row = kSpan * out_col;
      if (rows == kTile && cols == kTile) {
        transform2d<6, 4, kA>(in, dz_row, f, out, out_row, out_col, f);
      } else {
        std::fill(s.tile.begin(), s.tile.begin() + static_cast<std::ptrdiff_t>(kTile * kTile * f), 0.0f);
        for (std::size_t i = 0; i < rows; ++i) std::copy_n(in + i * dz_row, cols * f, s.tile.data() + i * kTile * f);
        transform2d<6, 4, kA>(s.tile.data(), kTile * f, f, out, out_row, out_col, f);
      }
    }
    transform_input(x, first_tile, count, s);
    for (std::size_t p = 0; p < kPoints; ++p) {
      blas::gemm(blas::Trans::yes, blas::Trans::no, static_cast<int>(c), static_cast<int>(f), static_cast<int>(count),
                 1.0f, s.v.data() + p * v_point_, static_cast<int>(c), s.m.data() + p * m_point_,
                 static_cast<int>(f), first ? 0.0f : 1.0f, du + p * c * f, static_cast<int>(f));
      if (dx)
        blas::gemm(blas::Trans::no, blas::Trans::yes, static_cast<int>(count), static_cast<int>(c),
                   static_cast<int>(f), 1.0f, s.m.data() + p * m_point_, static_cast<int>(f), u_.data() + p * c * f,
                   static_cast<int>(f), 0.0f, s.dv.data() + p * v_point_, static_cast<int>(c));
    }
    first = false;
    if (!dx) return;
    // dd = B dV B^T, added into the input pixels the tile covers.
    for (std::size_t k = 0; k < count; ++k) {
      const std::size_t t = first_tile + k, sample = t / per_sample, ty = t % per_sample / tiles_w_,
                        tx = t % tiles_w_;
      transform2d<6, 6, kB>(s.dv.data() + k * c, kSpan * v_point_, v_point_, s.tile.data(), kSpan * c, c, c);
      float* image = dx + sample * w_.in_size();
      const auto y0 = static_cast<std::ptrdiff_t>(ty * kTile) - static_cast<std::ptrdiff_t>(w_.pad_top);
      const auto x0 = static_cast<std::ptrdiff_t>(tx * kTile) - static_cast<std::ptrdiff_t>(w_.pad_left);
      for (std::size_t i = 0; i < kSpan; ++i) {
        const std::ptrdiff_t yy = y0 + static_cast<std::ptrdiff_t>(i);
        if (yy < 0 || yy >= static_cast<std::ptrdiff_t>(w_.in_h)) continue;
        for (std::size_t j = 0; j < kSpan; ++j) {
          const std::ptrdiff_t xx = x0 + static_cast<std::ptrdiff_t>(j);
          if (xx < 0 || xx >= static_cast<std::ptrdiff_t>(w_.in_w)) continue;
          float* to = image + static_cast<std::size_t>(yy) * in_row + static_cast<std::size_t>(xx) * c;
          const float* from = s.tile.data() + (i * kSpan + j) * c;
          for (std::size_t q = 0; q < c; ++q) to[q] += from[q];
        }
      }
    }
  });
}

}  // namespace mlp
