#include "nn/layers/window2d.h"

#include <fmt/format.h>

#include "core/error.h"

namespace mlp {

bool Window2D::lay_out() {
  const auto one_axis = [&](std::size_t in, std::size_t kernel, std::size_t stride, std::size_t dilation,
                            std::size_t& out, std::size_t& pad_before) {
    const std::size_t span = (kernel - 1) * dilation + 1;
    if (same) {
      out = (in + stride - 1) / stride;
      const std::size_t needed = (out - 1) * stride + span;
      pad_before = needed > in ? (needed - in) / 2 : 0;
      return out > 0;
    }
    pad_before = 0;
    if (span > in) return false;
    out = (in - span) / stride + 1;
    return true;
  };
  return one_axis(in_h, kernel_h, stride_h, dilation_h, out_h, pad_top) &&
         one_axis(in_w, kernel_w, stride_w, dilation_w, out_w, pad_left);
}

std::array<std::size_t, 2> read_pair(ObjectReader& reader, const std::string& key,
                                     std::optional<std::array<std::size_t, 2>> fallback, std::size_t max) {
  const Json* value = reader.optional_value(key);
  const std::string path = reader.path(key);
  if (!value || value->is_null()) {
    if (!fallback) throw ConfigError(path, "missing required key");
    return *fallback;
  }
  const auto one = [&](const Json& v, const std::string& at) {
    return static_cast<std::size_t>(read_integer(v, at, 1, static_cast<std::int64_t>(max)));
  };
  if (value->is_array()) {
    if (value->size() != 2) throw ConfigError(path, "expected one integer or a list of two");
    return {one((*value)[0], index_path(path, 0)), one((*value)[1], index_path(path, 1))};
  }
  const std::size_t both = one(*value, path);
  return {both, both};
}

bool read_padding(ObjectReader& reader) {
  const std::string padding = reader.string("padding", "valid");
  if (padding != "valid" && padding != "same")
    throw ConfigError(reader.path("padding"), "expected \"valid\" or \"same\", got \"" + padding + "\"");
  return padding == "same";
}

void read_image_input(ObjectReader& reader, const Shape& input_shape, const std::string& layer, Window2D& window) {
  const std::string format = reader.string("data_format", "channels_last");
  if (format != "channels_last")
    throw ConfigError(reader.path("data_format"),
                      "only \"channels_last\" (Keras's default: height, width, channels) is supported, got \"" +
                          format + "\"");
  if (input_shape.size() != 3)
    throw ConfigError(reader.path(), fmt::format("{} needs an input of (height, width, channels), got {} ({} "
                                                 "dimensions); give model.input_shape as [28, 28, 1] or add a Reshape",
                                                 layer, shape_text(input_shape), input_shape.size()));
  window.in_h = input_shape[0];
  window.in_w = input_shape[1];
  window.channels = input_shape[2];
}

void lay_out_or_refuse(ObjectReader& reader, const std::string& layer, Window2D& window) {
  if (!window.lay_out())
    throw ConfigError(reader.path(),
                      fmt::format("{}'s window of {}x{} (dilation {}x{}) does not fit its input of {}x{} with padding "
                                  "\"valid\": it leaves no output",
                                  layer, window.kernel_h, window.kernel_w, window.dilation_h, window.dilation_w,
                                  window.in_h, window.in_w));
}

}  // namespace mlp
