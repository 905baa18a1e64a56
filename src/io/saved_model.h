// Between a trained model in memory and the .mlp model file's content.
#pragma once

#include <string>

#include "io/model_file.h"
#include "train/compiled.h"
#include "train/trainer.h"

namespace mlp {

ModelFile to_model_file(const Compiled& compiled, const FitState& state);

// Rebuilds the model (and optimizer state, history) a file holds; refuses a file
// whose tensors do not match the architecture its config describes.
struct LoadedModel {
  Compiled compiled;
  FitState state;  // where training stood: resumable from here
};
LoadedModel from_model_file(const ModelFile& file, const std::string& path);
LoadedModel load_saved_model(const std::string& path);

}  // namespace mlp
