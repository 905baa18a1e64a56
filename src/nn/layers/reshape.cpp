// Reshape (keras@2.2.4:keras/layers/core.py): the same values in another shape,
// target_shape without the batch; one dimension may be -1, inferred from the
// rest. A batch is stored flat, so like Flatten it passes the data through.
#include <fmt/format.h>

#include "core/error.h"
#include "nn/layers/layer_factory.h"

namespace mlp {
namespace {

class Reshape : public Layer {
 public:
  Reshape(std::string name, Shape target, std::vector<std::int64_t> as_given)
      : Layer(std::move(name)), target_(std::move(target)), as_given_(std::move(as_given)) {}

  std::string class_name() const override { return "Reshape"; }
  Shape output_shape() const override { return target_; }
  bool passes_through() const override { return true; }
  void forward(const Matrix& x, Matrix& y, const ForwardContext&) override {
    y.resize(x.rows(), x.cols());
    std::copy(x.data(), x.data() + x.size(), y.data());
  }
  void backward(const Matrix&, const Matrix&, const Matrix& dy, Matrix* dx) override {
    if (!dx) return;
    dx->resize(dy.rows(), dy.cols());
    std::copy(dy.data(), dy.data() + dy.size(), dx->data());
  }
  nlohmann::json config() const override {
    return {{"type", "Reshape"}, {"name", name()}, {"target_shape", as_given_}};
  }

 private:
  Shape target_;
  std::vector<std::int64_t> as_given_;  // with its -1, as the config gave it
};

}  // namespace

std::unique_ptr<Layer> make_reshape(ObjectReader& reader, LayerContext& context) {
  const Json& list = reader.value("target_shape");
  const std::string path = reader.path("target_shape");
  if (!list.is_array() || list.empty() || list.size() > 8)
    throw ConfigError(path, "expected a list of 1 to 8 dimensions, like [28, 28, 1]");
  const std::size_t size = shape_size(context.input_shape);
  std::vector<std::int64_t> given;
  std::optional<std::size_t> unknown;
  std::size_t known = 1;
  for (std::size_t i = 0; i < list.size(); ++i) {
    const auto d = read_integer(list[i], index_path(path, i), -1, std::int64_t{1} << 40);
    if (d == 0) throw ConfigError(index_path(path, i), "a dimension must be positive (or -1, inferred)");
    if (d == -1) {
      if (unknown) throw ConfigError(index_path(path, i), "only one dimension may be -1");
      unknown = i;
    } else {
      // Checked before multiplying: dimensions up to 2^40 would overflow the product.
      if (static_cast<double>(known) * static_cast<double>(d) > static_cast<double>(size)) break;
      known *= static_cast<std::size_t>(d);
    }
    given.push_back(d);
  }
  Shape target;
  for (auto d : given) target.push_back(d < 0 ? 0 : static_cast<std::size_t>(d));
  if (given.size() == list.size() && unknown && known > 0 && size % known == 0) target[*unknown] = size / known;
  if (given.size() != list.size() || shape_size(target) != size)
    throw ConfigError(path, fmt::format("cannot reshape {} ({} values) into {}", shape_text(context.input_shape), size,
                                        list.dump()));
  std::string name = context.auto_name(reader, "reshape");
  return std::make_unique<Reshape>(std::move(name), std::move(target), std::move(given));
}

}  // namespace mlp
