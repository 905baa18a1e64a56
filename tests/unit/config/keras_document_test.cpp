// Keras's model.to_json() documents read as mlp configs (config/keras_document):
// Keras 2.2.4's and tf.keras's layouts, the serialized objects, and every
// refusal naming the document's own key path.
#include <catch2/catch.hpp>

#include <string>

#include "config/keras_document.h"
#include "core/error.h"

namespace {

using mlp::Json;

std::string refusal(const std::string& text) {
  try {
    mlp::from_keras_document(Json::parse(text));
  } catch (const mlp::ConfigError& e) {
    return e.describe();
  }
  return "";
}

const char* dense_224 = R"({"name": "dense_1", "trainable": true, "units": 10, "activation": "softmax", "use_bias": true,
  "kernel_initializer": {"class_name": "VarianceScaling", "config": {"scale": 2.0, "mode": "fan_in", "distribution": "normal", "seed": null}},
  "bias_initializer": {"class_name": "Zeros", "config": {}},
  "kernel_regularizer": {"class_name": "L1L2", "config": {"l1": 0.0, "l2": 0.01}}, "bias_regularizer": null,
  "activity_regularizer": null, "kernel_constraint": {"class_name": "MaxNorm", "config": {"max_value": 2, "axis": 0}},
  "bias_constraint": null})";

}  // namespace

TEST_CASE("Keras 2.2.4's document: input shape, layers as mlp's, serialized objects in mlp's forms, own keys kept") {
  const Json doc = Json::parse(std::string(R"({"class_name": "Sequential", "config": {"name": "sequential_1", "layers": [
      {"class_name": "Flatten", "config": {"name": "flatten_1", "trainable": true, "batch_input_shape": [null, 28, 28],
       "dtype": "float32", "data_format": "channels_last"}},
      {"class_name": "Dropout", "config": {"name": "dropout_1", "trainable": true, "rate": 0.5, "noise_shape": null, "seed": null}},
      {"class_name": "Dense", "config": )") + dense_224 + R"(}]},
      "keras_version": "2.2.4", "backend": "tensorflow", "compile": {"loss": "mse", "optimizer": "sgd"}})");
  REQUIRE(mlp::is_keras_document(doc));
  const Json config = mlp::from_keras_document(doc);
  CHECK(config["model"]["input_shape"] == Json{28, 28});
  CHECK(config["model"]["layers"][0] == Json{{"type", "Flatten"}, {"name", "flatten_1"}});
  CHECK(config["model"]["layers"][1] == Json{{"type", "Dropout"}, {"name", "dropout_1"}, {"rate", 0.5}});
  const Json& dense = config["model"]["layers"][2];
  CHECK(dense["type"] == "Dense");
  CHECK(dense["kernel_initializer"] == "he_normal");
  CHECK(dense["bias_initializer"] == "zeros");
  CHECK(dense["kernel_regularizer"] == Json{{"l1", 0.0}, {"l2", 0.01}});
  CHECK(dense["kernel_constraint"] == Json{{"type", "max_norm"}, {"max_value", 2}, {"axis", 0}});
  CHECK_FALSE(dense.contains("bias_regularizer"));
  CHECK_FALSE(dense.contains("activity_regularizer"));
  CHECK_FALSE(dense.contains("trainable"));
  CHECK(config["compile"]["loss"] == "mse");
  CHECK(config["name"] == "sequential_1");
  CHECK_FALSE(mlp::is_keras_document(Json::parse(R"({"model": {}, "class_name": "x", "config": {}})")));
}

TEST_CASE("tf.keras's document: an InputLayer gives the shape; GlorotUniform and module keys") {
  const Json config = mlp::from_keras_document(Json::parse(R"({"class_name": "Sequential", "config": {"name": "sequential",
      "layers": [{"class_name": "InputLayer", "config": {"batch_input_shape": [null, 8], "dtype": "float32",
                  "sparse": false, "ragged": false, "name": "dense_input"}},
                 {"class_name": "Dense", "config": {"name": "dense", "trainable": true, "dtype": "float32", "units": 3,
                  "activation": "relu", "use_bias": true,
                  "kernel_initializer": {"module": "keras.initializers", "class_name": "GlorotUniform",
                                         "config": {"seed": null}, "registered_name": null},
                  "bias_initializer": {"class_name": "Zeros", "config": {}}, "kernel_regularizer": null,
                  "bias_regularizer": null, "activity_regularizer": null, "kernel_constraint": null,
                  "bias_constraint": null}}]}, "keras_version": "2.11.0", "backend": "tensorflow"})"));
  CHECK(config["model"]["input_shape"] == Json{8});
  REQUIRE(config["model"]["layers"].size() == 1);
  CHECK(config["model"]["layers"][0]["kernel_initializer"] == "glorot_uniform");
}

TEST_CASE("what mlp cannot take from a Keras document is refused at the document's key path") {
  const std::string head = R"({"class_name": "Sequential", "config": {"layers": [)";
  const std::string first = R"({"class_name": "Flatten", "config": {"batch_input_shape": [null, 4]}})";
  CHECK(refusal(R"({"class_name": "Model", "config": {}})").find("class_name: only Sequential") != std::string::npos);
  CHECK(refusal(R"({"class_name": "Sequential", "config": {"layers": []}})").find("config.layers: expected a non-empty list") !=
        std::string::npos);
  CHECK(refusal(head + R"({"class_name": "Dense", "config": {"units": 2}}]}})")
            .find("config.layers[0].config.batch_input_shape: the first layer sets no input shape") != std::string::npos);
  CHECK(refusal(head + R"({"class_name": "Flatten", "config": {"batch_input_shape": [4, 4]}}]}})")
            .find("config.layers[0].config.batch_input_shape: expected [null, d1, d2, ...]") != std::string::npos);
  CHECK(refusal(head + first + R"(, {"class_name": "Conv2D", "config": {"data_format": "channels_first"}}]}})")
            .find("config.layers[1].config.data_format: only \"channels_last\"") != std::string::npos);
  CHECK(refusal(head + first + R"(, {"class_name": "Dense", "config": {"trainable": false}}]}})")
            .find("config.layers[1].config.trainable: frozen layers are not supported") != std::string::npos);
  CHECK(refusal(head + first + R"(, {"class_name": "Dense", "config": {"activity_regularizer": {"class_name": "L1L2"}}}]}})")
            .find("config.layers[1].config.activity_regularizer") != std::string::npos);
  CHECK(refusal(head + first + R"(, {"class_name": "Dense", "config": {"kernel_initializer": {"class_name": "Orthogonal", "config": {}}}}]}})")
            .find("config.layers[1].config.kernel_initializer: initializer Orthogonal is not one mlp has") != std::string::npos);
  CHECK(refusal(head + first + R"(, {"class_name": "Dense", "config": {"kernel_initializer": {"class_name": "VarianceScaling",
            "config": {"scale": 3.0, "mode": "fan_in", "distribution": "uniform"}}}}]}})")
            .find("is none of glorot, he or lecun") != std::string::npos);
  CHECK(refusal(head + first + R"(, {"class_name": "Dense", "config": {"kernel_initializer": {"class_name": "RandomUniform",
            "config": {"minval": -1, "maxval": 1}}}}]}})")
            .find("with Keras's default settings only") != std::string::npos);
  CHECK(refusal(head + first + R"(, {"class_name": "Dense", "config": {"dtype": "float64"}}]}})")
            .find("config.layers[1].config.dtype: mlp computes in float32") != std::string::npos);
  CHECK(refusal(head + first + R"(, {"class_name": "Dropout", "config": {"rate": 0.1, "noise_shape": [1, 4]}}]}})")
            .find("config.layers[1].config.noise_shape") != std::string::npos);
  CHECK(refusal(head + first + R"(, 7]}})").find("config.layers[1]: expected {\"class_name\"") != std::string::npos);
}
