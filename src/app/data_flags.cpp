#include "app/data_flags.h"

#include "core/error.h"
#include "data/load_data.h"

namespace mlp {

std::vector<std::string> DataFlags::files() const {
  std::vector<std::string> out;
  for (const auto* f : {&images, &labels, &input})
    if (!f->empty()) out.push_back(*f);
  return out;
}

void add_data_flags(Flags& flags, DataFlags& data, const std::string& input_help, bool labels) {
  auto images = flags.text("--images", data.images, "IDX images (or a .npy array of features)");
  auto input = flags.text("--input", data.input, input_help);
  auto format = flags.choice("--format", data.format, {"csv", "npy", "npz", "idx"},
                             "The format of --input (default: from its name; IDX otherwise)");
  input.excludes(images);
  format.needs(input);
  if (labels) {
    auto targets = flags.text("--labels", data.labels, "IDX labels for --images (or a .npy array of targets)");
    images.needs(targets);
    targets.needs(images);
    input.excludes(targets);
  }
}

DataFormat input_format(const DataFlags& flags) {
  if (flags.format == "csv") return DataFormat::csv;
  if (flags.format == "npy") return DataFormat::npy;
  if (flags.format == "npz") return DataFormat::npz;
  if (flags.format == "idx") return DataFormat::idx;
  return format_of_file(flags.input);
}

Dataset labelled_data(const DataFlags& flags, const Compiled& compiled, const std::string& model_path, std::string& name) {
  const Config& config = compiled.config;
  DataSpec spec;
  if (!flags.input.empty()) {
    const DataFormat format = input_format(flags);
    if (format == DataFormat::idx || format == DataFormat::npy)
      throw Error(ExitCode::usage, flags.input, "",
                  "--input holds features alone in this format: give the targets too, with --images F --labels F");
    const DataSpec* training = config.data.train && config.data.train->format == format ? &*config.data.train : nullptr;
    if (training) spec = *training;
    spec.format = format;
    spec.path = flags.input;
    if (!training) {
      if (format == DataFormat::csv)
        throw Error(ExitCode::usage, flags.input, "", "the model was not trained on a CSV table, so which column is the target?");
      spec.x = "x";
      spec.y = "y";
    }
  } else if (!flags.images.empty()) {
    spec.format = format_of_file(flags.images) == DataFormat::npy ? DataFormat::npy : DataFormat::idx;
    spec.images = spec.x = flags.images;
    spec.labels = spec.y = flags.labels;
  } else if (config.data.test) {
    spec = *config.data.test;
  } else {
    throw DataError(model_path, "its config names no test set; give --images and --labels, or --input");
  }
  name = spec.features_file();
  return load_data(spec, config.model.input_shape, compiled.target_needs());
}

Dataset feature_data(const DataFlags& flags, const Compiled& compiled) {
  const Config& config = compiled.config;
  if (!flags.images.empty()) return load_features(flags.images, format_of_file(flags.images), config.model.input_shape, nullptr);
  const DataSpec* training = config.data.train ? &*config.data.train : nullptr;
  return load_features(flags.input, input_format(flags), config.model.input_shape, training);
}

}  // namespace mlp
