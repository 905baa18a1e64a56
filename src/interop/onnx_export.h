// A trained model as an ONNX model (opset 13) that ONNX Runtime and other
// consumers run unchanged: input "input" [N, input_shape...] holds raw pixel
// values 0-255 as float32 (the model's input_range scaling is the graph's first
// two nodes), output "output" [N, output_shape...] what the model computes
// (the class probabilities for a softmax classifier). Keras's channels_last
// images become ONNX's NCHW around the convolutions and poolings, with
// Transposes only where the layout changes.
#pragma once

#include <string>

#include "train/compiled.h"

namespace mlp {

// The ModelProto's bytes. Throws Error (exit 2) for a layer it cannot express.
std::string export_onnx(const Compiled& compiled, const std::string& source);

}  // namespace mlp
