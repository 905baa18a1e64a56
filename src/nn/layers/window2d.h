// How a 2-D window (a convolution's kernel, a pooling's pool) slides over a
// channels_last sample (height, width, channels), as TensorFlow lays it out for
// Keras 2.2.4 (keras/utils/conv_utils.py conv_output_length; tf.nn.conv2d's
// padding): "valid" keeps the windows that fit; "same" gives ceil(in / stride)
// outputs and pads the total shortfall, its smaller half before (top, left) and
// the rest after.
#pragma once

#include <array>
#include <cstddef>
#include <string>

#include "config/json_reader.h"
#include "core/shape.h"

namespace mlp {

struct Window2D {
  std::size_t in_h = 0, in_w = 0, channels = 0;
  std::size_t kernel_h = 1, kernel_w = 1;
  std::size_t stride_h = 1, stride_w = 1;
  std::size_t dilation_h = 1, dilation_w = 1;
  bool same = false;  // padding "same" (else "valid")
  std::size_t out_h = 0, out_w = 0;
  std::size_t pad_top = 0, pad_left = 0;

  // Fills out_h, out_w and the padding; false when no window fits (valid
  // padding with a window larger than the input).
  bool lay_out();
  std::size_t in_size() const { return in_h * in_w * channels; }
  std::size_t positions() const { return out_h * out_w; }
  std::size_t window_size() const { return kernel_h * kernel_w; }
  std::string padding() const { return same ? "same" : "valid"; }
};

// Keras's int-or-tuple arguments (kernel_size, strides, pool_size, dilation_rate):
// an integer for both dimensions, or a list of two.
std::array<std::size_t, 2> read_pair(ObjectReader& reader, const std::string& key,
                                     std::optional<std::array<std::size_t, 2>> fallback, std::size_t max);

// The "padding" key: "valid" (the default) or "same"; true for same.
bool read_padding(ObjectReader& reader);

// A convolution or pooling layer's input: (height, width, channels). Refuses any
// other rank, and data_format channels_first, naming the layer's key path.
void read_image_input(ObjectReader& reader, const Shape& input_shape, const std::string& layer, Window2D& window);

// Lays the window out, refusing (naming the shapes) one that leaves no output.
void lay_out_or_refuse(ObjectReader& reader, const std::string& layer, Window2D& window);

}  // namespace mlp
