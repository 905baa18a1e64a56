#include "nn/losses.h"

#include <algorithm>
#include <cmath>

namespace mlp {
namespace {

constexpr float eps = keras_epsilon;

// mean(square(p - y), axis=-1)  (keras@2.2.4:keras/losses.py l.13)
void mse_forward(const float* p, const float* y, float* loss, std::size_t rows, std::size_t cols) {
  for (std::size_t r = 0; r < rows; ++r) {
    float sum = 0.0f;
    for (std::size_t c = 0; c < cols; ++c) {
      const float d = p[r * cols + c] - y[r * cols + c];
      sum += d * d;
    }
    loss[r] = sum / static_cast<float>(cols);
  }
}
void mse_backward(const float* p, const float* y, float* dp, std::size_t rows, std::size_t cols) {
  const float scale = 2.0f / static_cast<float>(rows * cols);
  for (std::size_t i = 0; i < rows * cols; ++i) dp[i] = scale * (p[i] - y[i]);
}

// mean(abs(p - y), axis=-1)
void mae_forward(const float* p, const float* y, float* loss, std::size_t rows, std::size_t cols) {
  for (std::size_t r = 0; r < rows; ++r) {
    float sum = 0.0f;
    for (std::size_t c = 0; c < cols; ++c) sum += std::fabs(p[r * cols + c] - y[r * cols + c]);
    loss[r] = sum / static_cast<float>(cols);
  }
}
void mae_backward(const float* p, const float* y, float* dp, std::size_t rows, std::size_t cols) {
  const float scale = 1.0f / static_cast<float>(rows * cols);
  for (std::size_t i = 0; i < rows * cols; ++i) {
    const float d = p[i] - y[i];
    dp[i] = d > 0.0f ? scale : (d < 0.0f ? -scale : 0.0f);
  }
}

// TF backend categorical_crossentropy(from_logits=False): renormalise, clip, -sum y log p.
// The clip passes no gradient where it is active.
void cce_forward(const float* p, const float* y, float* loss, std::size_t rows, std::size_t cols) {
  for (std::size_t r = 0; r < rows; ++r) {
    const float* pr = p + r * cols;
    const float* yr = y + r * cols;
    float total = 0.0f;
    for (std::size_t c = 0; c < cols; ++c) total += pr[c];
    float sum = 0.0f;
    for (std::size_t c = 0; c < cols; ++c)
      if (yr[c] != 0.0f) sum -= yr[c] * std::log(std::clamp(pr[c] / total, eps, 1.0f - eps));
    loss[r] = sum;
  }
}
void cce_backward(const float* p, const float* y, float* dp, std::size_t rows, std::size_t cols) {
  const float inv_rows = 1.0f / static_cast<float>(rows);
  for (std::size_t r = 0; r < rows; ++r) {
    const float* pr = p + r * cols;
    const float* yr = y + r * cols;
    float* dr = dp + r * cols;
    float total = 0.0f;
    for (std::size_t c = 0; c < cols; ++c) total += pr[c];
    // g_j = dL/dq_j with q = p / total; then dL/dp_k = (g_k - sum_j g_j q_j) / total.
    float weighted = 0.0f;
    for (std::size_t c = 0; c < cols; ++c) {
      const float q = pr[c] / total;
      const bool clipped = q < eps || q > 1.0f - eps;
      dr[c] = (clipped || yr[c] == 0.0f) ? 0.0f : -yr[c] / q;
      weighted += dr[c] * q;
    }
    for (std::size_t c = 0; c < cols; ++c) dr[c] = (dr[c] - weighted) / total * inv_rows;
  }
}

// TF backend sparse_categorical_crossentropy(from_logits=False): clip first, then
// log and a softmax over the logs, i.e. -log(q_y / sum q) with q = clip(p).
void scce_forward(const float* p, const float* y, float* loss, std::size_t rows, std::size_t cols) {
  for (std::size_t r = 0; r < rows; ++r) {
    float total = 0.0f, target = 0.0f;
    for (std::size_t c = 0; c < cols; ++c) {
      const float q = std::clamp(p[r * cols + c], eps, 1.0f - eps);
      total += q;
      if (y[r * cols + c] != 0.0f) target = q;
    }
    loss[r] = std::log(total) - std::log(target);
  }
}
void scce_backward(const float* p, const float* y, float* dp, std::size_t rows, std::size_t cols) {
  const float inv_rows = 1.0f / static_cast<float>(rows);
  for (std::size_t r = 0; r < rows; ++r) {
    float total = 0.0f;
    for (std::size_t c = 0; c < cols; ++c) total += std::clamp(p[r * cols + c], eps, 1.0f - eps);
    for (std::size_t c = 0; c < cols; ++c) {
      const float pc = p[r * cols + c];
      const bool clipped = pc < eps || pc > 1.0f - eps;
      const float q = std::clamp(pc, eps, 1.0f - eps);
      const float g = 1.0f / total - (y[r * cols + c] != 0.0f ? 1.0f / q : 0.0f);
      dp[r * cols + c] = clipped ? 0.0f : g * inv_rows;
    }
  }
}

// TF backend binary_crossentropy: clip, then sigmoid cross-entropy on log(p/(1-p)),
// which equals -(y log p + (1-y) log(1-p)); mean over the last axis.
void bce_forward(const float* p, const float* y, float* loss, std::size_t rows, std::size_t cols) {
  for (std::size_t r = 0; r < rows; ++r) {
    float sum = 0.0f;
    for (std::size_t c = 0; c < cols; ++c) {
      const float q = std::clamp(p[r * cols + c], eps, 1.0f - eps);
      const float t = y[r * cols + c];
      sum -= t * std::log(q) + (1.0f - t) * std::log(1.0f - q);
    }
    loss[r] = sum / static_cast<float>(cols);
  }
}
void bce_backward(const float* p, const float* y, float* dp, std::size_t rows, std::size_t cols) {
  const float scale = 1.0f / static_cast<float>(rows * cols);
  for (std::size_t i = 0; i < rows * cols; ++i) {
    const bool clipped = p[i] < eps || p[i] > 1.0f - eps;
    dp[i] = clipped ? 0.0f : scale * (-y[i] / p[i] + (1.0f - y[i]) / (1.0f - p[i]));
  }
}

}  // namespace

const NameTable<LossFns>& loss_table() {
  static const NameTable<LossFns> table(
      "loss", {
                  {"mean_squared_error", {"mse"}, {mse_forward, mse_backward, LabelKind::one_hot}},
                  {"mean_absolute_error", {"mae"}, {mae_forward, mae_backward, LabelKind::one_hot}},
                  {"categorical_crossentropy", {}, {cce_forward, cce_backward, LabelKind::one_hot}},
                  {"sparse_categorical_crossentropy", {}, {scce_forward, scce_backward, LabelKind::sparse}},
                  {"binary_crossentropy", {}, {bce_forward, bce_backward, LabelKind::binary}},
              });
  return table;
}

}  // namespace mlp
