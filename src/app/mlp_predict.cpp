// mlp-predict: one prediction per sample, as CSV: index,class,probability (the
// class by the name the training data gave it), or index,value[,value_2...]
// for a regression model.
#include <algorithm>
#include <fstream>
#include <iostream>
#include <sstream>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "app/cli_common.h"
#include "app/data_flags.h"
#include "core/error.h"
#include "core/atomic_file.h"
#include "core/output_file.h"
#include "io/saved_model.h"
#include "train/predict.h"

int main(int argc, char** argv) {
  mlp::Flags flags("Predict the class of every image with a saved model.");
  mlp::CommonOptions common;
  std::string model_path, output;
  mlp::DataFlags data_flags;
  std::size_t batch_size = 256, top_k = 1;
  mlp::add_common_options(flags, common);
  flags.text("--model", model_path, "The saved model (.mlp)").required();
  mlp::add_data_flags(flags, data_flags, "Features: a CSV table (its target columns, if any, left out), .npy, .npz or IDX", false);
  auto output_flag = flags.text("-o,--output", output, "Write the CSV here (atomically) instead of stdout");
  flags.size("--top-k", top_k, 1, 1 << 16, "Also list the K best classes");
  auto batch_flag = flags.size("--batch-size", batch_size, 1, 1 << 20, "Samples per batch (memory, not results)");

  return mlp::run_main("mlp-predict", flags, argc, argv, [&] {
    mlp::apply_common_options(common);
    if (mlp::idle_rank()) return 0;
    if (data_flags.images.empty() && data_flags.input.empty())
      throw mlp::Error(mlp::ExitCode::usage, "", "", "give the samples: --input FILE (or --images FILE)");
    std::vector<std::string> inputs = data_flags.files();
    inputs.push_back(model_path);
    if (output_flag.given()) mlp::check_outputs({{"--output", output}}, inputs);
    mlp::LoadedModel loaded = mlp::load_saved_model(model_path);
    mlp::Compiled& compiled = loaded.compiled;
    // The default lowered for a model whose buffers take much room per sample (a CNN).
    if (!batch_flag.given()) batch_size = mlp::inference_batch(*compiled.model, batch_size);
    const mlp::Dataset data = mlp::feature_data(data_flags, compiled);
    // No more columns than classes (two for a single sigmoid unit): every row has
    // as many as the header.
    const std::size_t classes = std::max<std::size_t>(compiled.classes(), 2);
    if (top_k > classes) {
      spdlog::warn("--top-k {}: the model has {} classes; listing {}", top_k, classes, classes);
      top_k = classes;
    }

    std::ostringstream buffer;
    std::ostream& out = output.empty() ? std::cout : buffer;
    if (compiled.regression) {
      const std::size_t outputs = compiled.classes();
      out << "index,value";
      for (std::size_t k = 2; k <= outputs; ++k) out << ",value_" << k;
      out << '\n';
      mlp::predict_batches(*compiled.model, data, compiled.preprocessing.scaling(), batch_size,
                           [&](std::size_t first, const mlp::Matrix& values) {
                             for (std::size_t r = 0; r < values.rows(); ++r) {
                               out << first + r;
                               for (std::size_t k = 0; k < outputs; ++k) out << ',' << fmt::format("{}", values(r, k));
                               out << '\n';
                             }
                           });
      if (!output.empty()) mlp::write_file_atomically(output, buffer.str());
      return 0;
    }
    // A class by the name the training data gave it (quoted as CSV needs), else its id.
    const auto& names = compiled.class_names;
    const auto class_text = [&](std::size_t klass) {
      if (klass >= names.size()) return std::to_string(klass);
      const std::string& name = names[klass];
      if (name.find_first_of(",\"\r\n") == std::string::npos) return name;
      std::string quoted = "\"";
      for (const char c : name) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
      return quoted + "\"";
    };
    out << "index,class,probability";
    for (std::size_t k = 2; k <= top_k; ++k) out << ",class_" << k << ",probability_" << k;
    out << '\n';
    mlp::predict_batches(*compiled.model, data, compiled.preprocessing.scaling(), batch_size,
                         [&](std::size_t first, const mlp::Matrix& outputs) {
                           for (std::size_t r = 0; r < outputs.rows(); ++r) {
                             out << first + r;
                             for (const auto& score : mlp::top_classes(outputs.row(r), outputs.cols(), top_k))
                               out << ',' << class_text(score.klass) << fmt::format(",{:.6f}", score.probability);
                             out << '\n';
                           }
                         });
    if (!output.empty()) mlp::write_file_atomically(output, buffer.str());
    return 0;
  });
}
