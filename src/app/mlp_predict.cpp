// mlp-predict: one predicted class per image, as CSV (index,class,probability).
#include <algorithm>
#include <fstream>
#include <iostream>
#include <sstream>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "app/cli_common.h"
#include "core/error.h"
#include "core/atomic_file.h"
#include "core/output_file.h"
#include "io/saved_model.h"
#include "train/predict.h"

int main(int argc, char** argv) {
  mlp::Flags flags("Predict the class of every image with a saved model.");
  mlp::CommonOptions common;
  std::string model_path, images, output;
  std::size_t batch_size = 256, top_k = 1;
  mlp::add_common_options(flags, common);
  flags.text("--model", model_path, "The saved model (.mlp)").required();
  flags.text("--images", images, "IDX images").required();
  auto output_flag = flags.text("-o,--output", output, "Write the CSV here (atomically) instead of stdout");
  flags.size("--top-k", top_k, 1, 1 << 16, "Also list the K best classes");
  auto batch_flag = flags.size("--batch-size", batch_size, 1, 1 << 20, "Samples per batch (memory, not results)");

  return mlp::run_main("mlp-predict", flags, argc, argv, [&] {
    mlp::apply_common_options(common);
    if (output_flag.given()) mlp::check_outputs({{"--output", output}}, {model_path, images});
    mlp::LoadedModel loaded = mlp::load_saved_model(model_path);
    mlp::Compiled& compiled = loaded.compiled;
    // The default lowered for a model whose buffers take much room per sample (a CNN).
    if (!batch_flag.given()) batch_size = mlp::inference_batch(*compiled.model, batch_size);
    const mlp::Dataset data = mlp::load_images(images, compiled.config.model.input_shape);
    // No more columns than classes (two for a single sigmoid unit): every row has
    // as many as the header.
    const std::size_t classes = std::max<std::size_t>(compiled.classes(), 2);
    if (top_k > classes) {
      spdlog::warn("--top-k {}: the model has {} classes; listing {}", top_k, classes, classes);
      top_k = classes;
    }

    std::ostringstream buffer;
    std::ostream& out = output.empty() ? std::cout : buffer;
    out << "index,class,probability";
    for (std::size_t k = 2; k <= top_k; ++k) out << ",class_" << k << ",probability_" << k;
    out << '\n';
    mlp::predict_batches(*compiled.model, data, compiled.preprocessing.table(), batch_size,
                         [&](std::size_t first, const mlp::Matrix& outputs) {
                           for (std::size_t r = 0; r < outputs.rows(); ++r) {
                             out << first + r;
                             for (const auto& score : mlp::top_classes(outputs.row(r), outputs.cols(), top_k))
                               out << fmt::format(",{},{:.6f}", score.klass, score.probability);
                             out << '\n';
                           }
                         });
    if (!output.empty()) mlp::write_file_atomically(output, buffer.str());
    return 0;
  });
}
