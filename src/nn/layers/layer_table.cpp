#include "nn/layers/layer_factory.h"

#include "core/error.h"

namespace mlp {

std::string LayerContext::auto_name(ObjectReader& reader, const std::string& snake_class) {
  const int uid = ++(*name_counters)[snake_class];
  std::string name = reader.string("name", snake_class + "_" + std::to_string(uid));
  if (name.empty()) throw ConfigError(reader.path("name"), "must not be empty");
  return name;
}

// The makers, each defined in its layer's file. A new layer is that file, a line
// here, a row below, and its line in src/CMakeLists.txt.
std::unique_ptr<Layer> make_dense(ObjectReader& reader, LayerContext& context);
std::unique_ptr<Layer> make_flatten(ObjectReader& reader, LayerContext& context);
std::unique_ptr<Layer> make_dropout(ObjectReader& reader, LayerContext& context);
std::unique_ptr<Layer> make_activation(ObjectReader& reader, LayerContext& context);
std::unique_ptr<Layer> make_leaky_relu(ObjectReader& reader, LayerContext& context);
std::unique_ptr<Layer> make_prelu(ObjectReader& reader, LayerContext& context);
std::unique_ptr<Layer> make_elu(ObjectReader& reader, LayerContext& context);
std::unique_ptr<Layer> make_thresholded_relu(ObjectReader& reader, LayerContext& context);
std::unique_ptr<Layer> make_softmax(ObjectReader& reader, LayerContext& context);
std::unique_ptr<Layer> make_conv2d(ObjectReader& reader, LayerContext& context);
std::unique_ptr<Layer> make_max_pooling2d(ObjectReader& reader, LayerContext& context);
std::unique_ptr<Layer> make_average_pooling2d(ObjectReader& reader, LayerContext& context);
std::unique_ptr<Layer> make_global_average_pooling2d(ObjectReader& reader, LayerContext& context);
std::unique_ptr<Layer> make_global_max_pooling2d(ObjectReader& reader, LayerContext& context);
std::unique_ptr<Layer> make_batch_normalization(ObjectReader& reader, LayerContext& context);
std::unique_ptr<Layer> make_reshape(ObjectReader& reader, LayerContext& context);

const NameTable<LayerMaker>& layer_table() {
  static const NameTable<LayerMaker> table("layer type", {
                                                             {"Flatten", {}, make_flatten},
                                                             {"Dense", {}, make_dense},
                                                             {"Dropout", {}, make_dropout},
                                                             {"Activation", {}, make_activation},
                                                             {"LeakyReLU", {}, make_leaky_relu},
                                                             {"PReLU", {}, make_prelu},
                                                             {"ELU", {}, make_elu},
                                                             {"ThresholdedReLU", {}, make_thresholded_relu},
                                                             {"Softmax", {}, make_softmax},
                                                             {"Conv2D", {"Convolution2D"}, make_conv2d},
                                                             {"MaxPooling2D", {"MaxPool2D"}, make_max_pooling2d},
                                                             {"AveragePooling2D", {"AvgPool2D"}, make_average_pooling2d},
                                                             {"GlobalAveragePooling2D", {"GlobalAvgPool2D"}, make_global_average_pooling2d},
                                                             {"GlobalMaxPooling2D", {"GlobalMaxPool2D"}, make_global_max_pooling2d},
                                                             {"BatchNormalization", {}, make_batch_normalization},
                                                             {"Reshape", {}, make_reshape},
                                                         });
  return table;
}

}  // namespace mlp
