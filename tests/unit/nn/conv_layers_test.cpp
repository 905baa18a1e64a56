// The image layers (keras@2.2.4:keras/layers/convolutional.py, pooling.py,
// normalization.py, core.py Reshape), channels_last: Conv2D and the poolings
// against small cases worked by hand and against a direct loop over the
// definition; every gradient against central differences (padding valid and
// same, strides and dilation above 1, odd sizes); BatchNormalization's training
// and inference paths and its moving statistics after a few steps against
// Keras's formulas computed here in double; shapes, names and refusals.
#include <catch2/catch.hpp>

#include <cmath>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/matrix.h"
#include "nn/layers/layer_factory.h"
#include "nn/layers/window2d.h"
#include "nn/layers/winograd3x3.h"
#include "support/gradcheck.h"
#include "support/random_matrices.h"

namespace {

using mlp::Json;
using mlp::Matrix;

// One layer as the model builds it for `shape`, each weight bound to its part
// of `params` (gradients only for the trainable ones).
struct Built {
  std::map<std::string, int> counters;
  std::unique_ptr<mlp::Layer> layer;
  std::vector<float> params, grads;
  std::vector<std::size_t> offsets;
  std::vector<bool> trainable;
};

std::unique_ptr<Built> build(const Json& spec, const mlp::Shape& shape) {
  auto built = std::make_unique<Built>();
  mlp::LayerContext context{shape, &built->counters};
  mlp::ObjectReader reader(spec, "model.layers[0]");
  built->layer = mlp::layer_table().find(reader.string("type"), reader.path("type")).entry(reader, context);
  reader.finish();
  std::size_t size = 0;
  for (const auto& p : built->layer->param_specs()) {
    built->offsets.push_back(size);
    built->trainable.push_back(p.trainable);
    size += mlp::shape_size(p.shape);
  }
  built->params.assign(size, 0.0f);
  built->grads.assign(size, 0.0f);
  std::vector<float*> p, g;
  for (std::size_t k = 0; k < built->offsets.size(); ++k) {
    p.push_back(built->params.data() + built->offsets[k]);
    g.push_back(built->trainable[k] ? built->grads.data() + built->offsets[k] : nullptr);
  }
  built->layer->bind(p, g);
  mlp::Rng rng(5);
  built->layer->init_params(rng);
  return built;
}

std::string refusal(const Json& spec, const mlp::Shape& shape) {
  try {
    build(spec, shape);
  } catch (const mlp::ConfigError& e) {
    return e.describe();
  }
  return "";
}

Matrix rows_of(std::size_t rows, std::vector<float> values) {
  Matrix m(rows, values.size() / rows);
  std::copy(values.begin(), values.end(), m.data());
  return m;
}

std::vector<float> run(mlp::Layer& layer, const Matrix& x, bool training = false) {
  Matrix y;
  layer.forward(x, y, {.training = training});
  return {y.data(), y.data() + y.size()};
}

// L = sum(c * layer(x)) + the layer's penalty: dL/dx and dL/d(trainable
// weights) from backward() against central differences.
void check_gradients(Built& built, const Matrix& x, bool training = false, double tolerance = 2e-3) {
  mlp::Layer& layer = *built.layer;
  const mlp::ForwardContext ctx{.training = training};
  Matrix y;
  layer.forward(x, y, ctx);
  const Matrix c = mlp::test::random_matrix(y.rows(), y.cols(), 7);
  const auto objective = [&](const Matrix& at) {
    Matrix out;
    layer.forward(at, out, ctx);
    double sum = layer.penalty();
    for (std::size_t i = 0; i < out.size(); ++i) sum += static_cast<double>(c.data()[i]) * out.data()[i];
    return sum;
  };
  Matrix dx;
  layer.forward(x, y, ctx);
  layer.backward(x, y, c, &dx);
  const std::vector<float> analytic_x(dx.data(), dx.data() + dx.size()), analytic_w = built.grads;
  const auto by_input = mlp::test::check_gradient(
      [&](const std::vector<float>& values) {
        Matrix at(x.rows(), x.cols());
        std::copy(values.begin(), values.end(), at.data());
        return objective(at);
      },
      std::vector<float>(x.data(), x.data() + x.size()), analytic_x);
  INFO("input: " << by_input.describe());
  CHECK(by_input.worst_error < tolerance);
  for (std::size_t k = 0; k < built.offsets.size(); ++k) {
    if (!built.trainable[k]) continue;
    const std::size_t begin = built.offsets[k];
    const std::size_t end = k + 1 < built.offsets.size() ? built.offsets[k + 1] : built.params.size();
    const std::vector<float> saved = built.params;
    const auto by_weight = mlp::test::check_gradient(
        [&](const std::vector<float>& values) {
          std::copy(values.begin(), values.end(), built.params.begin() + static_cast<std::ptrdiff_t>(begin));
          const double v = objective(x);
          built.params = saved;
          return v;
        },
        std::vector<float>(saved.begin() + static_cast<std::ptrdiff_t>(begin),
                           saved.begin() + static_cast<std::ptrdiff_t>(end)),
        std::vector<float>(analytic_w.begin() + static_cast<std::ptrdiff_t>(begin),
                           analytic_w.begin() + static_cast<std::ptrdiff_t>(end)));
    INFO("weight " << layer.param_specs()[k].name << ": " << by_weight.describe());
    CHECK(by_weight.worst_error < tolerance);
  }
}

// The definition, one output at a time (channels_last, Keras's kernel layout).
std::vector<float> direct_convolution(const Matrix& x, const std::vector<float>& kernel, const std::vector<float>& bias,
                                      std::size_t h, std::size_t w, std::size_t cin, std::size_t kh, std::size_t kw,
                                      std::size_t filters, std::size_t stride, std::size_t dilation, bool same) {
  const std::size_t span_h = (kh - 1) * dilation + 1, span_w = (kw - 1) * dilation + 1;
  const std::size_t oh = same ? (h + stride - 1) / stride : (h - span_h) / stride + 1;
  const std::size_t ow = same ? (w + stride - 1) / stride : (w - span_w) / stride + 1;
  const long pad_top = same ? static_cast<long>(std::max<long>(0, static_cast<long>((oh - 1) * stride + span_h) - static_cast<long>(h)) / 2) : 0;
  const long pad_left = same ? static_cast<long>(std::max<long>(0, static_cast<long>((ow - 1) * stride + span_w) - static_cast<long>(w)) / 2) : 0;
  std::vector<float> out;
  for (std::size_t b = 0; b < x.rows(); ++b)
    for (std::size_t i = 0; i < oh; ++i)
      for (std::size_t j = 0; j < ow; ++j)
        for (std::size_t f = 0; f < filters; ++f) {
          double sum = bias.empty() ? 0.0 : bias[f];
          for (std::size_t a = 0; a < kh; ++a)
            for (std::size_t d = 0; d < kw; ++d) {
              const long r = static_cast<long>(i * stride + a * dilation) - pad_top;
              const long s = static_cast<long>(j * stride + d * dilation) - pad_left;
              if (r < 0 || s < 0 || r >= static_cast<long>(h) || s >= static_cast<long>(w)) continue;
              for (std::size_t c = 0; c < cin; ++c)
                sum += static_cast<double>(x(b, (static_cast<std::size_t>(r) * w + static_cast<std::size_t>(s)) * cin + c)) *
                       kernel[((a * kw + d) * cin + c) * filters + f];
            }
          out.push_back(static_cast<float>(sum));
        }
  return out;
}

}  // namespace

TEST_CASE("Conv2D: small cases by hand: valid, same with stride 2, dilation 2") {
  const Matrix x = rows_of(1, {1, 2, 3, 4, 5, 6, 7, 8, 9});  // 3x3x1
  auto valid = build(Json::parse(R"({"type": "Conv2D", "filters": 1, "kernel_size": 2, "bias_initializer": "ones"})"),
                     {3, 3, 1});
  valid->params = {1, 0, 0, 1, 0.5f};  // kernel [[1, 0], [0, 1]], bias 0.5
  CHECK(valid->layer->output_shape() == mlp::Shape{2, 2, 1});
  CHECK(run(*valid->layer, x) == std::vector<float>{6.5f, 8.5f, 12.5f, 14.5f});
  auto same = build(Json::parse(R"({"type": "Conv2D", "filters": 1, "kernel_size": [2, 2], "strides": 2,
                                    "padding": "same", "use_bias": false})"),
                    {3, 3, 1});
  same->params = {1, 0, 0, 1};
  // ceil(3 / 2) = 2 outputs a side; one row and column of padding, after.
  CHECK(run(*same->layer, x) == std::vector<float>{6, 3, 7, 9});
  auto dilated = build(Json::parse(R"({"type": "Conv2D", "filters": 2, "kernel_size": 2, "dilation_rate": 2,
                                       "use_bias": false})"),
                       {3, 3, 1});
  dilated->params = {1, 0, 0, 0, 0, 1, 1, -1};  // (kh, kw, cin, filters): filter 0 the diagonal, filter 1 the bottom row's difference
  CHECK(run(*dilated->layer, x) == std::vector<float>{1 + 9, 7 - 9});
}

TEST_CASE("Conv2D equals the definition's loop, for channels, strides, dilation and both paddings") {
  struct Case {
    std::size_t h, w, cin, k1, k2, filters, stride, dilation;
    bool same;
  };
  for (const Case& c : {Case{7, 5, 2, 3, 3, 3, 1, 1, false}, Case{7, 5, 2, 3, 2, 4, 2, 1, true},
                       Case{6, 7, 3, 2, 3, 2, 1, 2, true}, Case{5, 5, 1, 1, 1, 3, 1, 1, false},
                       Case{9, 8, 2, 3, 3, 2, 3, 1, false}}) {
    Json spec{{"type", "Conv2D"}, {"filters", c.filters}, {"kernel_size", {c.k1, c.k2}}, {"strides", c.stride},
              {"dilation_rate", c.dilation}, {"padding", c.same ? "same" : "valid"}, {"bias_initializer", "random_uniform"}};
    auto built = build(spec, {c.h, c.w, c.cin});
    const Matrix x = mlp::test::random_matrix(3, c.h * c.w * c.cin, 11);
    const std::size_t kernel_size = c.k1 * c.k2 * c.cin * c.filters;
    const std::vector<float> kernel(built->params.begin(), built->params.begin() + static_cast<std::ptrdiff_t>(kernel_size));
    const std::vector<float> bias(built->params.begin() + static_cast<std::ptrdiff_t>(kernel_size), built->params.end());
    const auto expected =
        direct_convolution(x, kernel, bias, c.h, c.w, c.cin, c.k1, c.k2, c.filters, c.stride, c.dilation, c.same);
    const auto got = run(*built->layer, x);
    INFO(spec.dump());
    REQUIRE(got.size() == expected.size());
    for (std::size_t i = 0; i < got.size(); ++i) CHECK(got[i] == Approx(expected[i]).margin(1e-5));
  }
}

TEST_CASE("Conv2D's gradients: input, kernel and bias, with valid and same padding, strides, dilation, odd sizes") {
  for (const char* spec : {R"({"type": "Conv2D", "filters": 3, "kernel_size": 3, "activation": "tanh"})",
                           R"({"type": "Conv2D", "filters": 2, "kernel_size": [3, 2], "strides": 2, "padding": "same",
                               "activation": "tanh"})",
                           R"({"type": "Conv2D", "filters": 2, "kernel_size": 2, "dilation_rate": [2, 1],
                               "padding": "same", "bias_initializer": "random_uniform",
                               "kernel_regularizer": {"l2": 0.01}, "bias_regularizer": {"l1": 0.01}})",
                           R"({"type": "Conv2D", "filters": 4, "kernel_size": 1, "activation": "sigmoid"})"}) {
    INFO(spec);
    auto built = build(Json::parse(spec), {5, 7, 2});
    check_gradients(*built, mlp::test::random_matrix(3, 5 * 7 * 2, 4));
  }
}

// 3x3 windows with stride 1 over 8 or more channels go by Winograd's F(4x4, 3x3)
// (nn/layers/winograd3x3): its forward and both gradients against the
// definition's sums, in double, for outputs that are and are not multiples of
// its 4x4 tiles, both paddings, channel counts that do and do not fill its
// 8-wide groups, and enough tiles per sample to need several blocks of GEMMs.
TEST_CASE("Conv2D by Winograd: forward, dK, db and dx equal the definition's sums") {
  struct Case {
    std::size_t batch, h, w, cin, filters;
    bool same;
  };
  for (const Case& c : {Case{3, 9, 7, 8, 3, false}, Case{3, 10, 11, 12, 6, true}, Case{2, 3, 3, 8, 2, false},
                       Case{2, 6, 6, 16, 9, false}, Case{9, 40, 38, 8, 3, true}, Case{2, 4, 13, 20, 5, true}}) {
    Json spec{{"type", "Conv2D"}, {"filters", c.filters}, {"kernel_size", 3}, {"padding", c.same ? "same" : "valid"},
              {"bias_initializer", "random_uniform"}};
    INFO(spec.dump() << " on " << c.batch << " x " << c.h << "x" << c.w << "x" << c.cin);
    mlp::Window2D window;
    window.in_h = c.h, window.in_w = c.w, window.channels = c.cin, window.kernel_h = window.kernel_w = 3,
    window.same = c.same;
    REQUIRE(window.lay_out());
    REQUIRE(mlp::Winograd3x3::suits(window));
    auto built = build(spec, {c.h, c.w, c.cin});
    const std::size_t kernel_size = 9 * c.cin * c.filters, oh = window.out_h, ow = window.out_w;
    const std::vector<float> kernel(built->params.begin(), built->params.begin() + static_cast<std::ptrdiff_t>(kernel_size));
    const std::vector<float> bias(built->params.begin() + static_cast<std::ptrdiff_t>(kernel_size), built->params.end());
    const Matrix x = mlp::test::random_matrix(c.batch, c.h * c.w * c.cin, 11);
    const auto expected = direct_convolution(x, kernel, bias, c.h, c.w, c.cin, 3, 3, c.filters, 1, 1, c.same);
    Matrix y;
    built->layer->forward(x, y, {.training = true});
    REQUIRE(y.size() == expected.size());
    for (std::size_t i = 0; i < y.size(); ++i) CHECK(y.data()[i] == Approx(expected[i]).margin(1e-5));

    // The gradients of L = sum(dy * y) (the activation is linear, so dz = dy).
    const Matrix dy = mlp::test::random_matrix(c.batch, oh * ow * c.filters, 12);
    Matrix dx;
    built->layer->backward(x, y, dy, &dx);
    // dK's tolerance scales with the norm of its terms: in the transformed
    // domain F(4x4, 3x3) rounds each term with an error up to ~1e-4 of it
    // (the transforms' entries reach 8 and 1/24; measured 1e-4 with two terms),
    // and independent errors add as a norm. 5e-4 of the norm stays below a tenth
    // of one typical term (|g x| ~ 1/4) even in the largest sums here (13,680 terms).
    std::vector<double> dk(kernel_size, 0.0), dk_norm(kernel_size, 0.0), db(c.filters, 0.0),
        dx_expected(x.size(), 0.0);
    const long pad_top = static_cast<long>(window.pad_top), pad_left = static_cast<long>(window.pad_left);
    for (std::size_t b = 0; b < c.batch; ++b)
      for (std::size_t i = 0; i < oh; ++i)
        for (std::size_t j = 0; j < ow; ++j)
          for (std::size_t f = 0; f < c.filters; ++f) {
            const double g = dy(b, (i * ow + j) * c.filters + f);
            db[f] += g;
            for (std::size_t a = 0; a < 3; ++a)
              for (std::size_t d = 0; d < 3; ++d) {
                const long r = static_cast<long>(i + a) - pad_top, s = static_cast<long>(j + d) - pad_left;
                if (r < 0 || s < 0 || r >= static_cast<long>(c.h) || s >= static_cast<long>(c.w)) continue;
                const std::size_t at = (static_cast<std::size_t>(r) * c.w + static_cast<std::size_t>(s)) * c.cin;
                for (std::size_t ch = 0; ch < c.cin; ++ch) {
                  const std::size_t k = ((a * 3 + d) * c.cin + ch) * c.filters + f;
                  dk[k] += g * x(b, at + ch);
                  dk_norm[k] += g * x(b, at + ch) * g * x(b, at + ch);
                  dx_expected[b * x.cols() + at + ch] += g * kernel[k];
                }
              }
          }
    for (std::size_t k = 0; k < kernel_size; ++k) CHECK(built->grads[k] == Approx(dk[k]).margin(5e-4 * std::sqrt(dk_norm[k])));
    for (std::size_t f = 0; f < c.filters; ++f) CHECK(built->grads[kernel_size + f] == Approx(db[f]).margin(1e-4));
    for (std::size_t i = 0; i < dx.size(); ++i) CHECK(dx.data()[i] == Approx(dx_expected[i]).margin(1e-5));
  }
}

TEST_CASE("Conv2D by Winograd: gradients against central differences, through an activation and regularizers") {
  for (const char* spec : {R"({"type": "Conv2D", "filters": 3, "kernel_size": 3, "activation": "tanh"})",
                           R"({"type": "Conv2D", "filters": 2, "kernel_size": [3, 3], "padding": "same",
                               "activation": "sigmoid", "bias_initializer": "random_uniform",
                               "kernel_regularizer": {"l2": 0.01}, "bias_regularizer": {"l1": 0.01}})"}) {
    INFO(spec);
    auto built = build(Json::parse(spec), {5, 7, 8});
    check_gradients(*built, mlp::test::random_matrix(3, 5 * 7 * 8, 4));
  }
}

TEST_CASE("Conv2D: shapes, names, config, and what does not fit is refused with the shapes") {
  auto built = build(Json::parse(R"({"type": "conv2d", "filters": 32, "kernel_size": [3, 3], "activation": "relu"})"),
                     {28, 28, 1});
  CHECK(built->layer->name() == "conv2d_1");
  CHECK(built->layer->class_name() == "Conv2D");
  CHECK(built->layer->output_shape() == mlp::Shape{26, 26, 32});
  CHECK(built->params.size() == 320);
  const Json config = built->layer->config();
  CHECK(config["kernel_size"] == Json{3, 3});
  CHECK(config["padding"] == "valid");
  CHECK(refusal(config, {28, 28, 1}).empty());  // its own config builds it again
  CHECK(refusal(Json::parse(R"({"type": "Conv2D", "filters": 2, "kernel_size": 5})"), {4, 6, 1}) ==
        "model.layers[0]: Conv2D's window of 5x5 (dilation 1x1) does not fit its input of 4x6 with padding \"valid\": it "
        "leaves no output");
  CHECK(refusal(Json::parse(R"({"type": "Conv2D", "filters": 2, "kernel_size": 3})"), {28, 28})
            .find("Conv2D needs an input of (height, width, channels), got (28, 28)") != std::string::npos);
  CHECK(refusal(Json::parse(R"({"type": "Conv2D", "filters": 2, "kernel_size": 3, "data_format": "channels_first"})"),
                {1, 28, 28})
            .find("model.layers[0].data_format: only \"channels_last\"") != std::string::npos);
  CHECK(refusal(Json::parse(R"({"type": "Conv2D", "filters": 2, "kernel_size": 3, "strides": 2, "dilation_rate": 2})"),
                {9, 9, 1})
            .find("model.layers[0].dilation_rate") != std::string::npos);
  CHECK(refusal(Json::parse(R"({"type": "Conv2D", "filters": 2, "kernel_size": [3, 3, 3]})"), {9, 9, 1})
            .find("model.layers[0].kernel_size") != std::string::npos);
  CHECK(refusal(Json::parse(R"({"type": "Conv2D", "filters": 0, "kernel_size": 3})"), {9, 9, 1})
            .find("model.layers[0].filters") != std::string::npos);
}

TEST_CASE("MaxPooling2D and AveragePooling2D by hand, valid and same; their gradients") {
  const Matrix x = rows_of(1, {1, 5, 2, 0, 3, 4, 9, 8, 7, 1, 6, 2, 0, 2, 3, 4});  // 4x4x1
  auto max = build(Json::parse(R"({"type": "MaxPooling2D"})"), {4, 4, 1});
  CHECK(max->layer->name() == "max_pooling2d_1");
  CHECK(max->layer->output_shape() == mlp::Shape{2, 2, 1});
  CHECK(run(*max->layer, x) == std::vector<float>{5, 9, 7, 6});
  auto average = build(Json::parse(R"({"type": "AveragePooling2D", "pool_size": 3, "strides": 2, "padding": "same"})"),
                       {4, 4, 1});
  // ceil(4 / 2) = 2 a side; windows rows/cols 0-2 and 2-4 (the last one padded: averaged over what is inside).
  const auto avg = run(*average->layer, x);
  REQUIRE(avg.size() == 4);
  CHECK(avg[0] == Approx((1 + 5 + 2 + 3 + 4 + 9 + 7 + 1 + 6) / 9.0));
  CHECK(avg[1] == Approx((2 + 0 + 9 + 8 + 6 + 2) / 6.0));
  CHECK(avg[2] == Approx((7 + 1 + 6 + 0 + 2 + 3) / 6.0));
  CHECK(avg[3] == Approx((6 + 2 + 3 + 4) / 4.0));
  // Distinct values (a gap of 0.01 at least) keep every maximum unique under the differences.
  Matrix distinct(2, 5 * 7 * 3);
  for (std::size_t i = 0; i < distinct.size(); ++i) distinct.data()[i] = static_cast<float>((i * 37) % 211) * 0.01f - 1.0f;
  for (const char* spec : {R"({"type": "MaxPooling2D", "pool_size": [2, 3]})",
                           R"({"type": "MaxPooling2D", "pool_size": 2, "strides": 1, "padding": "same"})",
                           R"({"type": "AveragePooling2D", "pool_size": 3, "strides": 2, "padding": "same"})",
                           R"({"type": "AveragePooling2D"})"}) {
    INFO(spec);
    auto built = build(Json::parse(spec), {5, 7, 3});
    check_gradients(*built, distinct);
  }
  CHECK(refusal(Json::parse(R"({"type": "MaxPooling2D", "pool_size": 5})"), {4, 4, 2}).find("leaves no output") !=
        std::string::npos);
}

TEST_CASE("GlobalAveragePooling2D and GlobalMaxPooling2D: per channel over the image; gradients") {
  const Matrix x = rows_of(1, {1, -1, 3, 2, 5, 0, -2, 4});  // 2x2x2
  auto average = build(Json::parse(R"({"type": "GlobalAveragePooling2D"})"), {2, 2, 2});
  auto max = build(Json::parse(R"({"type": "GlobalMaxPooling2D"})"), {2, 2, 2});
  CHECK(average->layer->output_shape() == mlp::Shape{2});
  CHECK(average->layer->name() == "global_average_pooling2d_1");
  CHECK(max->layer->name() == "global_max_pooling2d_1");
  CHECK(run(*average->layer, x) == std::vector<float>{7.0f / 4, 5.0f / 4});
  CHECK(run(*max->layer, x) == std::vector<float>{5, 4});
  Matrix distinct(2, 3 * 4 * 2);
  for (std::size_t i = 0; i < distinct.size(); ++i) distinct.data()[i] = static_cast<float>((i * 7) % 29) * 0.05f;
  check_gradients(*average, mlp::test::random_matrix(2, 8, 3));
  auto wide = build(Json::parse(R"({"type": "GlobalMaxPooling2D"})"), {3, 4, 2});
  check_gradients(*wide, distinct);
}

TEST_CASE("Reshape: target_shape with one -1, the data unchanged; a size that does not fit is refused") {
  auto built = build(Json::parse(R"({"type": "Reshape", "target_shape": [-1, 4, 1]})"), {28, 28});
  CHECK(built->layer->output_shape() == mlp::Shape{196, 4, 1});
  CHECK(built->layer->passes_through());
  CHECK(built->layer->config()["target_shape"] == Json{-1, 4, 1});
  CHECK(refusal(Json::parse(R"({"type": "Reshape", "target_shape": [5, 5]})"), {28, 28}) ==
        "model.layers[0].target_shape: cannot reshape (28, 28) (784 values) into [5,5]");
  CHECK(refusal(Json::parse(R"({"type": "Reshape", "target_shape": [-1, -1]})"), {4}).find("only one") !=
        std::string::npos);
  CHECK(refusal(Json::parse(R"({"type": "Reshape", "target_shape": [-1, 3]})"), {4}).find("cannot reshape") !=
        std::string::npos);
  // Dimensions whose product overflows 64 bits (2^160) are refused, not wrapped around to 4.
  CHECK(refusal(Json::parse(R"({"type": "Reshape", "target_shape": [1099511627776, 1099511627776, 1099511627776,
                                                                     1099511627776, 4]})"),
                {4})
            .find("cannot reshape") != std::string::npos);
}

namespace {

// Keras 2.2.4's moving statistics (see batch_normalization.cpp), in double.
struct MovingByHand {
  double momentum, epsilon;
  bool images;
  double biased_mean = 0, biased_variance = 0, mean = 0, variance = 1;
  int step = 0;
  void update(const std::vector<double>& values) {
    const double n = static_cast<double>(values.size());
    double m = 0, v = 0;
    for (double x : values) m += x;
    m /= n;
    for (double x : values) v += (x - m) * (x - m);
    v /= n;
    if (images) v *= n / (n - 1);
    v *= n / (n - (1 + epsilon));
    ++step;
    biased_mean = biased_mean * momentum + m * (1 - momentum);
    biased_variance = biased_variance * momentum + v * (1 - momentum);
    mean = biased_mean / (1 - std::pow(momentum, step));
    variance = biased_variance / (1 - std::pow(momentum, step));
  }
};

}  // namespace

TEST_CASE("BatchNormalization: batch statistics when training, moving ones when not; moving statistics as Keras's") {
  for (const bool images : {false, true}) {
    const mlp::Shape shape = images ? mlp::Shape{2, 3, 2} : mlp::Shape{2};
    auto built = build(Json::parse(R"({"type": "BatchNormalization", "momentum": 0.9})"), shape);
    CHECK(built->layer->name() == "batch_normalization_1");
    // gamma, beta, moving_mean, moving_variance, and the hidden accumulators and step.
    const auto specs = built->layer->param_specs();
    REQUIRE(specs.size() == 7);
    CHECK((specs[0].name == "gamma" && specs[0].trainable && specs[0].keras_weight));
    CHECK((specs[2].name == "moving_mean" && !specs[2].trainable && specs[2].keras_weight));
    CHECK((specs[4].name == "moving_mean/biased" && !specs[4].keras_weight));
    MovingByHand by_hand[2] = {{0.9, 1e-3, images}, {0.9, 1e-3, images}};
    for (int step = 0; step < 3; ++step) {
      const Matrix x = mlp::test::random_matrix(4, mlp::shape_size(shape), 20 + static_cast<std::uint64_t>(step));
      const auto y = run(*built->layer, x, true);
      for (std::size_t c = 0; c < 2; ++c) {
        std::vector<double> values, outputs;
        for (std::size_t i = c; i < x.size(); i += 2) {
          values.push_back(x.data()[i]);
          outputs.push_back(y[i]);
        }
        by_hand[c].update(values);
        // Normalized with the batch's own statistics: mean 0, variance 1 / (1 + eps / var).
        double mean = 0, square = 0;
        for (double o : outputs) mean += o / static_cast<double>(outputs.size());
        for (double o : outputs) square += (o - mean) * (o - mean) / static_cast<double>(outputs.size());
        CHECK(mean == Approx(0.0).margin(1e-6));
        CHECK(square == Approx(1.0).epsilon(0.02));
        CHECK(built->params[4 + c] == Approx(by_hand[c].mean).epsilon(1e-5));      // moving_mean
        CHECK(built->params[6 + c] == Approx(by_hand[c].variance).epsilon(1e-5));  // moving_variance
      }
    }
    // Inference: (x - moving_mean) / sqrt(moving_variance + eps) * gamma + beta.
    built->params[0] = 2.0f;   // gamma of channel 0
    built->params[3] = -1.0f;  // beta of channel 1
    const Matrix x = mlp::test::random_matrix(1, mlp::shape_size(shape), 9);
    const auto y = run(*built->layer, x, false);
    for (std::size_t i = 0; i < x.size(); ++i) {
      const std::size_t c = i % 2;
      const double expected = (x.data()[i] - by_hand[c].mean) / std::sqrt(by_hand[c].variance + 1e-3) *
                                  (c == 0 ? 2.0 : 1.0) +
                              (c == 1 ? -1.0 : 0.0);
      CHECK(y[i] == Approx(expected).epsilon(1e-4));
    }
  }
}

TEST_CASE("BatchNormalization's gradients in training: input, gamma and beta, for vectors and images") {
  for (const auto& shape : {mlp::Shape{3}, mlp::Shape{3, 2, 2}}) {
    auto built = build(Json::parse(R"({"type": "BatchNormalization", "gamma_initializer": "random_uniform",
                                       "beta_initializer": "random_uniform", "gamma_regularizer": {"l2": 0.1}})"),
                       shape);
    check_gradients(*built, mlp::test::random_matrix(5, mlp::shape_size(shape), 8), true, 5e-3);
  }
  auto plain = build(Json::parse(R"({"type": "BatchNormalization", "center": false, "scale": false})"), {4});
  CHECK(plain->layer->param_specs().size() == 5);
  check_gradients(*plain, mlp::test::random_matrix(6, 4, 2), true, 5e-3);
  CHECK(refusal(Json::parse(R"({"type": "BatchNormalization", "axis": 1})"), {4, 4, 2}).find("model.layers[0].axis") !=
        std::string::npos);
  CHECK(refusal(Json::parse(R"({"type": "BatchNormalization", "axis": 3})"), {4, 4, 2}).empty());
}
