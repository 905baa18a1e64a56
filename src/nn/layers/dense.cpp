#include "nn/layers/dense.h"

#include "core/blas.h"
#include "core/error.h"
#include "core/parallel.h"
#include "nn/layers/layer_factory.h"

namespace mlp {

Dense::Dense(std::string name, std::size_t inputs, Options options)
    : Layer(std::move(name)),
      inputs_(inputs),
      options_(std::move(options)),
      activation_(activation_table().find(options_.activation, "activation").entry),
      kernel_init_(initializer_table().find(options_.kernel_initializer, "kernel_initializer").entry),
      bias_init_(initializer_table().find(options_.bias_initializer, "bias_initializer").entry) {}

std::vector<ParamSpec> Dense::param_specs() const {
  std::vector<ParamSpec> specs{{"kernel", {inputs_, options_.units}, true, options_.kernel_constraint}};
  if (options_.use_bias) specs.push_back({"bias", {options_.units}, true, options_.bias_constraint});
  return specs;
}

void Dense::bind(std::vector<float*> params, std::vector<float*> grads) {
  kernel_ = params[0];
  kernel_grad_ = grads[0];
  if (options_.use_bias) {
    bias_ = params[1];
    bias_grad_ = grads[1];
  }
}

void Dense::init_params(Rng& rng) {
  kernel_init_(rng, {kernel_, inputs_ * options_.units}, inputs_, options_.units);
  if (bias_) bias_init_(rng, {bias_, options_.units}, options_.units, 0);
}

double Dense::penalty() const {
  if (!options_.kernel_regularizer.active()) return 0.0;
  return options_.kernel_regularizer.penalty(kernel_, inputs_ * options_.units);
}

// Every pass splits its work across the thread pool by slices of the layer's
// units (forward, dz) or of its inputs (dx, and the kernel's rows for the
// update), so each thread writes only its own slice and reads what nobody writes
// in the same pass. Slice bounds are multiples of 8 floats (one AVX vector);
// 16 (a cache line) would keep rows from sharing a line, but cannot halve 784.
constexpr std::size_t slice_align = 8;

// Above this share of entries differing from the background, the dense GEMM
// is faster than going by the entries. Measured: MNIST (19% of pixels not blank)
// takes half the time or less each way; Fashion-MNIST (50%) a forward pass 18%
// longer (1031 vs 877 us at batch 128) and the kernel's gradient as long.
constexpr double max_sparse_density = 0.35;

void Dense::forward(const Matrix& x, Matrix& y, const ForwardContext& ctx) {
  const std::size_t batch = x.rows(), units = options_.units;
  y.resize(batch, units);
  // Only the backward pass reads z; without one, a = f(z) is computed in place.
  Matrix& z = ctx.no_backward ? y : z_;
  z.resize(batch, units);
  input_is_sparse_ =
      ctx.input_background && sparse_input_.assign(x, *ctx.input_background, max_sparse_density);
  const double products = static_cast<double>(input_is_sparse_ ? sparse_input_.stored() : batch * inputs_);
  const double flops = 2.0 * products * static_cast<double>(units);
  // Each part packs the operand it shares with the others: split the batch when
  // the kernel is the smaller one to pack again (large batches), else the units.
  if (batch > units || !activation_.elementwise) {
    parallel::for_ranges(batch, 1, flops, [&](std::size_t begin, std::size_t end) {
      forward_block(x, z, y, begin, end, 0, units);
    });
  } else {
    parallel::for_ranges(units, slice_align, flops, [&](std::size_t begin, std::size_t end) {
      forward_block(x, z, y, 0, batch, begin, end);
    });
  }
}

// Rows [row_begin, row_end) and units [unit_begin, unit_end) of z = x W + b and
// y = f(z): the bias and the activation run while the block is still in cache.
void Dense::forward_block(const Matrix& x, Matrix& z, Matrix& y, std::size_t row_begin, std::size_t row_end,
                          std::size_t unit_begin, std::size_t unit_end) const {
  const std::size_t rows = row_end - row_begin, width = unit_end - unit_begin, units = options_.units;
  float* zb = z.row(row_begin) + unit_begin;
  // z starts as the bias and the GEMM adds x W to it (beta = 1): one pass over z
  // fewer than zeroing it (which BLAS does for beta = 0) and adding the bias after.
  for (std::size_t r = 0; r < rows; ++r) {
    float* zr = zb + r * units;
    if (bias_) std::copy(bias_ + unit_begin, bias_ + unit_end, zr);
    else std::fill(zr, zr + width, 0.0f);
  }
  if (input_is_sparse_)
    sparse_input_.multiply_add(row_begin, row_end, kernel_, units, unit_begin, unit_end, z.data(), units);
  else
    blas::gemm(blas::Trans::no, blas::Trans::no, static_cast<int>(rows), static_cast<int>(width),
               static_cast<int>(inputs_), 1.0f, x.row(row_begin), static_cast<int>(inputs_), kernel_ + unit_begin,
               static_cast<int>(units), 1.0f, zb, static_cast<int>(units));
  activation_.forward_rows(zb, y.row(row_begin) + unit_begin, rows, width, units);
}

// The backward pass is three equations, with dz = dL/dz = dy * f'(z):
//   db = sum over the batch of dz
//   dx = dz W^T                       (before W changes)
//   dW = x^T dz + d(penalty)/dW
// With a plain SGD step the last becomes W -= rate (d(penalty)/dW + x^T dz), the
// product added into W by its GEMM (beta = 1), and b -= rate db: no gradient
// buffer is written and read again. How the work is split between threads is
// below, in output_gradient and kernel_parts.
void Dense::backward(const Matrix& x, const Matrix& y, const Matrix& dy, Matrix* dx) {
  backward_pass(x, y, dy, dx, std::nullopt);
}

bool Dense::backward_with_sgd_step(const Matrix& x, const Matrix& y, const Matrix& dy, Matrix* dx, float rate) {
  backward_pass(x, y, dy, dx, rate);
  return true;
}

void Dense::backward_pass(const Matrix& x, const Matrix& y, const Matrix& dy, Matrix* dx,
                          std::optional<float> sgd_rate) {
  output_gradient(y, dy);  // dz, db
  // dx, then dW (or the step) block by block of the kernel.
  kernel_parts(x, dx, [&](std::size_t r0, std::size_t r1, std::size_t c0, std::size_t c1) {
    if (sgd_rate) kernel_sgd_step(x, r0, r1, c0, c1, *sgd_rate);
    else kernel_gradient(x, r0, r1, c0, c1);
  });
  if (sgd_rate && bias_)
    for (std::size_t c = 0; c < options_.units; ++c) bias_[c] -= *sgd_rate * bias_grad_[c];
}

// How the backward pass splits its work: dz and db by slices of the units; dx
// and the kernel's product by slices of the inputs (rows of the kernel), or by
// units when going by the input's entries.

void Dense::output_gradient(const Matrix& y, const Matrix& dy) {
  const std::size_t batch = y.rows(), units = options_.units;
  dz_.resize(batch, units);
  if (!activation_.elementwise) activation_.backward(z_.data(), y.data(), dy.data(), dz_.data(), batch, units);
  const double flops = 4.0 * static_cast<double>(batch * units);
  parallel::for_ranges(units, slice_align, flops, [&](std::size_t begin, std::size_t end) {
    const std::size_t width = end - begin;
    if (activation_.elementwise)
      activation_.backward_rows(z_.data() + begin, y.data() + begin, dy.data() + begin, dz_.data() + begin, batch,
                                width, units);
    if (bias_grad_) {
      // The bias gradient: dz summed over the batch, row by row (cache order).
      float* sum = bias_grad_ + begin;
      std::fill(sum, sum + width, 0.0f);
      for (std::size_t r = 0; r < batch; ++r) {
        const float* row = dz_.row(r) + begin;
        for (std::size_t c = 0; c < width; ++c) sum[c] += row[c];
      }
    }
  });
}

template <class UpdateRows>
void Dense::by_input_rows(Matrix* dx, double update_flops, UpdateRows&& update_rows) {
  const std::size_t batch = dz_.rows(), units = options_.units;
  const double flops = (dx ? 2.0 * static_cast<double>(batch * units * inputs_) : 0.0) + update_flops;
  if (dx) dx->resize(batch, inputs_);
  parallel::for_ranges(inputs_, slice_align, flops, [&](std::size_t begin, std::size_t end) {
    if (dx) {
      // dx[:, slice] = dz W[slice, :]^T, read before this thread updates those rows.
      blas::gemm(blas::Trans::no, blas::Trans::yes, static_cast<int>(batch), static_cast<int>(end - begin),
                 static_cast<int>(units), 1.0f, dz_.data(), static_cast<int>(units), kernel_ + begin * units,
                 static_cast<int>(units), 0.0f, dx->data() + begin, static_cast<int>(inputs_));
    }
    update_rows(begin, end);
  });
}

template <class Part>
void Dense::kernel_parts(const Matrix& x, Matrix* dx, Part&& part) {
  const std::size_t units = options_.units;
  if (!input_is_sparse_) {
    by_input_rows(dx, 2.0 * static_cast<double>(x.size() * units),
                  [&](std::size_t begin, std::size_t end) { part(begin, end, 0, units); });
    return;
  }
  if (dx) by_input_rows(dx, 0.0, [](std::size_t, std::size_t) {});
  sparse_input_.index_columns();
  parallel::for_ranges(units, slice_align, 2.0 * static_cast<double>(sparse_input_.stored() * units),
                       [&](std::size_t begin, std::size_t end) { part(0, inputs_, begin, end); });
}

void Dense::kernel_product(const Matrix& x, std::size_t r0, std::size_t r1, std::size_t c0, std::size_t c1,
                           float alpha, bool accumulate, float* out) const {
  const std::size_t units = options_.units;
  if (input_is_sparse_) {  // (all rows)
    sparse_input_.transpose_multiply(c0, c1, dz_.data(), units, alpha, accumulate, out);
    return;
  }
  blas::gemm(blas::Trans::yes, blas::Trans::no, static_cast<int>(r1 - r0), static_cast<int>(c1 - c0),
             static_cast<int>(x.rows()), alpha, x.data() + r0, static_cast<int>(inputs_), dz_.data() + c0,
             static_cast<int>(units), accumulate ? 1.0f : 0.0f, out + r0 * units + c0, static_cast<int>(units));
}

namespace {

// Calls fn(offset, count) for the kernel's entries in rows [r0, r1) and columns
// [c0, c1), as runs of consecutive entries (one run when the block is whole rows).
template <class Fn>
void for_each_run(std::size_t units, std::size_t r0, std::size_t r1, std::size_t c0, std::size_t c1, Fn&& fn) {
  if (c0 == 0 && c1 == units) {
    fn(r0 * units, (r1 - r0) * units);
    return;
  }
  for (std::size_t r = r0; r < r1; ++r) fn(r * units + c0, c1 - c0);
}

}  // namespace

void Dense::kernel_gradient(const Matrix& x, std::size_t r0, std::size_t r1, std::size_t c0, std::size_t c1) {
  kernel_product(x, r0, r1, c0, c1, 1.0f, false, kernel_grad_);
  if (!options_.kernel_regularizer.active()) return;
  for_each_run(options_.units, r0, r1, c0, c1, [&](std::size_t at, std::size_t count) {
    options_.kernel_regularizer.add_gradient(kernel_ + at, kernel_grad_ + at, count);
  });
}

void Dense::kernel_sgd_step(const Matrix& x, std::size_t r0, std::size_t r1, std::size_t c0, std::size_t c1,
                            float rate) {
  if (options_.kernel_regularizer.active()) {
    // The penalty's gradient at the weights before the step, applied first.
    for_each_run(options_.units, r0, r1, c0, c1, [&](std::size_t at, std::size_t count) {
      float* kernel = kernel_ + at;
      float* grad = kernel_grad_ + at;
      std::fill(grad, grad + count, 0.0f);
      options_.kernel_regularizer.add_gradient(kernel, grad, count);
      for (std::size_t i = 0; i < count; ++i) kernel[i] -= rate * grad[i];
    });
  }
  kernel_product(x, r0, r1, c0, c1, -rate, true, kernel_);  // W += -rate x^T dz
}

nlohmann::json Dense::config() const {
  return {{"type", "Dense"},
          {"name", name()},
          {"units", options_.units},
          {"activation", options_.activation},
          {"use_bias", options_.use_bias},
          {"kernel_initializer", options_.kernel_initializer},
          {"bias_initializer", options_.bias_initializer},
          {"kernel_regularizer", options_.kernel_regularizer.config()},
          {"kernel_constraint", constraint_config(options_.kernel_constraint)},
          {"bias_constraint", constraint_config(options_.bias_constraint)}};
}

std::unique_ptr<Layer> make_dense(ObjectReader& reader, LayerContext& context) {
  if (context.input_shape.size() != 1)
    throw ConfigError(reader.path(), "Dense needs a flat input, got " + std::to_string(context.input_shape.size()) +
                                         " dimensions; put a Flatten layer before it");
  Dense::Options options;
  // Bounded so that sizes stay far from overflow; memory is checked for the whole model.
  options.units = static_cast<std::size_t>(reader.integer("units", std::nullopt, 1, std::int64_t{1} << 40));
  options.activation = activation_table().find(reader.string("activation", "linear"), reader.path("activation")).name;
  options.use_bias = reader.boolean("use_bias", true);
  options.kernel_initializer = read_initializer(reader, "kernel_initializer", "glorot_uniform");
  options.bias_initializer = read_initializer(reader, "bias_initializer", "zeros");
  options.kernel_regularizer = read_regularizer(reader, "kernel_regularizer");
  options.kernel_constraint = read_constraint(reader, "kernel_constraint");
  if (options.kernel_constraint) options.kernel_constraint->check({context.input_shape[0], options.units}, reader.path("kernel_constraint"));
  options.bias_constraint = read_constraint(reader, "bias_constraint");
  if (options.bias_constraint) options.bias_constraint->check({options.units}, reader.path("bias_constraint"));
  std::string name = context.auto_name(reader, "dense");
  return std::make_unique<Dense>(std::move(name), context.input_shape[0], std::move(options));
}

}  // namespace mlp
