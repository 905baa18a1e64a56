#include "report/summary.h"

#include <array>
#include <string>

#include "report/keras_format.h"

namespace mlp {
namespace {

constexpr std::size_t line_length = 65;
// int(65 * .45), int(65 * .85), int(65 * 1.)
constexpr std::array<std::size_t, 3> positions{29, 55, 65};

// print_row: each field starts where the previous column ended (its last character
// replaced by a space), is cut at the column's stop and padded to it.
std::string row(const std::array<std::string, 3>& fields) {
  std::string line;
  for (std::size_t i = 0; i < fields.size(); ++i) {
    if (i > 0 && !line.empty()) line.back() = ' ';
    line += fields[i];
    line.resize(positions[i], ' ');
  }
  return line;
}

std::string output_shape_text(const Shape& shape) {
  std::string text = "(None";
  for (std::size_t d : shape) text += ", " + std::to_string(d);
  return text + ")";
}

}  // namespace

void print_summary(const Model& model, std::ostream& out) {
  const std::string rule(line_length, '_'), double_rule(line_length, '=');
  out << rule << '\n' << row({"Layer (type)", "Output Shape", "Param #"}) << '\n' << double_rule << '\n';
  std::int64_t total = 0, trainable = 0;
  const auto& layers = model.layers();
  for (std::size_t i = 0; i < layers.size(); ++i) {
    std::size_t count = 0;
    for (const auto& spec : layers[i]->param_specs()) {
      if (!spec.keras_weight) continue;
      count += shape_size(spec.shape);
      if (spec.trainable) trainable += static_cast<std::int64_t>(shape_size(spec.shape));
    }
    total += static_cast<std::int64_t>(count);
    out << row({layers[i]->name() + " (" + layers[i]->class_name() + ")", output_shape_text(layers[i]->output_shape()),
                std::to_string(count)})
        << '\n'
        << (i + 1 == layers.size() ? double_rule : rule) << '\n';
  }
  // Counted by each weight's flag, as keras@2.2.4:keras/utils/layer_utils.py does.
  out << "Total params: " << thousands(total) << '\n'
      << "Trainable params: " << thousands(trainable) << '\n'
      << "Non-trainable params: " << thousands(total - trainable) << '\n'
      << rule << '\n';
}

}  // namespace mlp
