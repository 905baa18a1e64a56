// A 3x3 convolution with stride 1 and no dilation by Winograd's minimal
// filtering F(4x4, 3x3) (Lavin and Gray, "Fast Algorithms for Convolutional
// Neural Networks", CVPR 2016): the output goes in 4x4 tiles, each computed
// from the 6x6 input tile under it as
//   Y = A^T [ U (.) V ] A,   U = G g G^T (the kernel),   V = B^T d B (the input),
// so that, summed over channels, the 36 products (.) become 36 GEMMs
// [tiles x channels] x [channels x filters]: 36 multiplications per tile and
// channel pair where the direct convolution needs 144 (4x fewer). The
// gradients are the same sums read backwards:
//   Yh = A dY A^T,  dU = sum over tiles V^T Yh,  dV = Yh U^T,
//   dg = G^T dU G,  dd = B dV B^T (added into dx; input tiles overlap by 2).
// Rounding: the transforms' constants (1/4, 1/6, 1/24, 8) cost a few ulps more
// than a direct sum; relative errors stay near 1e-6 at these sizes.
//
// Samples are channels_last rows, as Conv2D holds them; "same" padding reads
// zeros outside the image, and tiles that hang over the output's edge are cut.
#pragma once

#include <cstddef>
#include <vector>

#include "nn/layers/window2d.h"

namespace mlp {

class Winograd3x3 {
 public:
  // A 3x3 window with stride 1 and no dilation, over at least 8 channels (one
  // group of transformed lanes; fewer would make the 36 GEMMs' inner dimension
  // tiny: a grey image's first convolution stays with im2col).
  static bool suits(const Window2D& window);

  Winograd3x3(const Window2D& window, std::size_t filters);

  // One thread's buffers: a block of tiles in the transformed domain.
  struct Scratch {
    std::vector<float> v, m, dv, tile;
  };

  // U from the kernel (3, 3, channels, filters): before forward() and backward().
  void set_kernel(const float* kernel);

  // z (n rows of out_h * out_w * filters) = the convolution of x's n rows, plus bias (may be null).
  void forward(const float* x, std::size_t n, const float* bias, float* z, Scratch& s) const;

  // From dz (n rows): the gradient in the transformed domain, 36 [channels x
  // filters] blocks, written to du (first) or added to it; and, when dx is not
  // null, dx's n rows (overwritten).
  void backward(const float* x, const float* dz, std::size_t n, float* du, bool first, float* dx,
                Scratch& s) const;

  std::size_t transformed_size() const { return 36 * channels_ * filters_; }

  // dK (3, 3, channels, filters) = G^T du G.
  void kernel_gradient(const float* du, float* dk) const;

 private:
  template <class Fn>
  void for_blocks(std::size_t n, Fn&& fn) const;
  void transform_input(const float* x, std::size_t first_tile, std::size_t count, Scratch& s) const;

  Window2D w_;
  std::size_t channels_, filters_;
  std::size_t tiles_h_, tiles_w_;  // per sample
  std::size_t v_point_, m_point_;  // floats from one point's block of V (of M, Yh) to the next
  std::vector<float> u_;           // 36 [channels x filters]
};

}  // namespace mlp
