// libFuzzer target: a Keras model.to_json() document (what mlp-train --config
// and mlp-import read) -> mlp's config -> compiled model. Only ConfigError /
// DataError may come out; nothing may crash, hang or allocate what the text
// does not justify.
#include <cstdint>
#include <string>

#include "config/config.h"
#include "config/keras_document.h"
#include "core/error.h"
#include "train/compiled.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    mlp::Json root = mlp::parse_json_text(std::string(reinterpret_cast<const char*>(data), size), "fuzz");
    if (!mlp::is_keras_document(root)) return 0;
    root = mlp::from_keras_document(root);
    if (!root.contains("compile")) root["compile"] = {{"loss", "categorical_crossentropy"}, {"optimizer", "adam"}};
    const mlp::Config config = mlp::parse_config(root, "/tmp");
    const mlp::Compiled compiled = mlp::compile(config, mlp::Model::default_max_params, mlp::Allocation::shapes_only);
    (void)compiled.config.to_json().dump();
  } catch (const mlp::Error&) {
  }
  return 0;
}
