// Definitions follow keras@2.2.4:keras/activations.py (and tf.keras for swish, gelu,
// leaky_relu, which 2.2.4 lacks).
#include "nn/activations.h"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace mlp {
namespace {

// Elementwise activations are a scalar pair; these adapters run them over rows.
template <float (*f)(float)>
void elementwise_forward(const float* z, float* a, std::size_t rows, std::size_t cols, std::size_t stride) {
  for (std::size_t r = 0; r < rows; ++r, z += stride, a += stride)
    for (std::size_t c = 0; c < cols; ++c) a[c] = f(z[c]);
}
// df(z, a) is f'(z) given a = f(z).
template <float (*df)(float, float)>
void elementwise_backward(const float* z, const float* a, const float* da, float* dz, std::size_t rows,
                          std::size_t cols, std::size_t stride) {
  for (std::size_t r = 0; r < rows; ++r, z += stride, a += stride, da += stride, dz += stride)
    for (std::size_t c = 0; c < cols; ++c) dz[c] = da[c] * df(z[c], a[c]);
}

float sigmoid_of(float x) { return 1.0f / (1.0f + std::exp(-x)); }

float linear(float x) { return x; }
float linear_grad(float, float) { return 1.0f; }

float relu(float x) { return x > 0.0f ? x : 0.0f; }
// relu's gradient passes da where z > 0. Written as a select between loaded
// values, which GCC vectorizes; da * (z > 0) it turns back into a branch.
void relu_backward(const float* z, const float*, const float* da, float* dz, std::size_t rows, std::size_t cols,
                   std::size_t stride) {
  for (std::size_t r = 0; r < rows; ++r, z += stride, da += stride, dz += stride)
    for (std::size_t c = 0; c < cols; ++c) {
      const float gradient = da[c];
      dz[c] = z[c] > 0.0f ? gradient : 0.0f;
    }
}

float sigmoid(float x) { return sigmoid_of(x); }
float sigmoid_grad(float, float a) { return a * (1.0f - a); }

float tanh_(float x) { return std::tanh(x); }
float tanh_grad(float, float a) { return 1.0f - a * a; }

float elu(float x) { return x > 0.0f ? x : std::expm1(x); }  // alpha = 1
float elu_grad(float z, float a) { return z > 0.0f ? 1.0f : a + 1.0f; }

constexpr float selu_alpha = 1.6732632423543772848170429916717f;
constexpr float selu_scale = 1.0507009873554804934193349852946f;
float selu(float x) { return selu_scale * (x > 0.0f ? x : selu_alpha * std::expm1(x)); }
float selu_grad(float z, float a) { return z > 0.0f ? selu_scale : a + selu_scale * selu_alpha; }

// log(1 + e^x) without overflow for large x.
float softplus(float x) { return std::max(x, 0.0f) + std::log1p(std::exp(-std::fabs(x))); }
float softplus_grad(float z, float) { return sigmoid_of(z); }

float softsign(float x) { return x / (1.0f + std::fabs(x)); }
float softsign_grad(float z, float) {
  const float d = 1.0f + std::fabs(z);
  return 1.0f / (d * d);
}

// clip(0.2 x + 0.5, 0, 1)
float hard_sigmoid(float x) { return std::clamp(0.2f * x + 0.5f, 0.0f, 1.0f); }
float hard_sigmoid_grad(float z, float) { return (z > -2.5f && z < 2.5f) ? 0.2f : 0.0f; }

float swish(float x) { return x * sigmoid_of(x); }
float swish_grad(float z, float) {
  const float s = sigmoid_of(z);
  return s + z * s * (1.0f - s);
}

// Exact GELU, x * Phi(x) (tf.keras gelu with approximate=False).
float gelu(float x) { return 0.5f * x * (1.0f + std::erf(x * static_cast<float>(std::numbers::sqrt2 / 2))); }
float gelu_grad(float z, float) {
  const float cdf = 0.5f * (1.0f + std::erf(z * static_cast<float>(std::numbers::sqrt2 / 2)));
  const float pdf = std::exp(-0.5f * z * z) * static_cast<float>(std::numbers::inv_sqrtpi / std::numbers::sqrt2);
  return cdf + z * pdf;
}

constexpr float leaky_slope = 0.2f;  // tf.nn.leaky_relu's default alpha
float leaky_relu(float x) { return x > 0.0f ? x : leaky_slope * x; }
float leaky_relu_grad(float z, float) { return z > 0.0f ? 1.0f : leaky_slope; }

// Row-wise softmax, shifted by the row maximum so exp never overflows.
void softmax_forward(const float* z, float* a, std::size_t rows, std::size_t cols, std::size_t stride) {
  for (std::size_t r = 0; r < rows; ++r) {
    const float* zr = z + r * stride;
    float* ar = a + r * stride;
    const float peak = *std::max_element(zr, zr + cols);
    float sum = 0.0f;
    for (std::size_t c = 0; c < cols; ++c) sum += ar[c] = std::exp(zr[c] - peak);
    const float inv = 1.0f / sum;
    for (std::size_t c = 0; c < cols; ++c) ar[c] *= inv;
  }
}
// dz_j = a_j (da_j - sum_k da_k a_k): the Jacobian-vector product of softmax.
void softmax_backward(const float*, const float* a, const float* da, float* dz, std::size_t rows,
                      std::size_t cols, std::size_t stride) {
  for (std::size_t r = 0; r < rows; ++r) {
    const float* ar = a + r * stride;
    const float* dar = da + r * stride;
    float* dzr = dz + r * stride;
    float dot = 0.0f;
    for (std::size_t c = 0; c < cols; ++c) dot += dar[c] * ar[c];
    for (std::size_t c = 0; c < cols; ++c) dzr[c] = ar[c] * (dar[c] - dot);
  }
}

template <float (*f)(float), float (*df)(float, float)>
constexpr ActivationFns elementwise() {
  return {elementwise_forward<f>, elementwise_backward<df>};
}

}  // namespace

const NameTable<ActivationFns>& activation_table() {
  static const NameTable<ActivationFns> table(
      "activation", {
                        {"linear", {"none"}, elementwise<linear, linear_grad>()},
                        {"relu", {}, {elementwise_forward<relu>, relu_backward}},
                        {"sigmoid", {}, elementwise<sigmoid, sigmoid_grad>()},
                        {"tanh", {}, elementwise<tanh_, tanh_grad>()},
                        {"softmax", {}, {softmax_forward, softmax_backward, false}},
                        {"elu", {}, elementwise<elu, elu_grad>()},
                        {"selu", {}, elementwise<selu, selu_grad>()},
                        {"softplus", {}, elementwise<softplus, softplus_grad>()},
                        {"softsign", {}, elementwise<softsign, softsign_grad>()},
                        {"hard_sigmoid", {}, elementwise<hard_sigmoid, hard_sigmoid_grad>()},
                        {"swish", {"silu"}, elementwise<swish, swish_grad>()},
                        {"gelu", {}, elementwise<gelu, gelu_grad>()},
                        {"leaky_relu", {}, elementwise<leaky_relu, leaky_relu_grad>()},
                    });
  return table;
}

}  // namespace mlp
