// mlp-eval: evaluates a saved model on its config's test set (or given files),
// prints Keras's evaluate line, and gates CI with --min-accuracy.
#include <iostream>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "app/cli_common.h"
#include "core/clock.h"
#include "core/error.h"
#include "io/saved_model.h"
#include "report/eval_report.h"
#include "report/keras_format.h"
#include "train/evaluate.h"
#include "train/predict.h"

int main(int argc, char** argv) {
  mlp::Flags flags("Evaluate a saved model on a labelled set.");
  mlp::CommonOptions common;
  std::string model_path, images, labels;
  std::size_t batch_size = 256;
  bool json = false, report = false;
  std::optional<double> min_accuracy;
  mlp::add_common_options(flags, common);
  flags.text("--model", model_path, "The saved model (.mlp)").required();
  auto images_flag = flags.text("--images", images, "IDX images (default: the config's test set)");
  auto labels_flag = flags.text("--labels", labels, "IDX labels for --images");
  images_flag.needs(labels_flag);
  labels_flag.needs(images_flag);
  auto batch_flag = flags.size("--batch-size", batch_size, 1, 1 << 20, "Samples per batch (memory, not results)");
  flags.flag("--json", json, "Print one JSON object: samples, loss, every metric");
  flags.flag("--report", report, "Add the confusion matrix and per-class precision, recall, F1");
  flags.number("--min-accuracy", min_accuracy, 0.0, 1.0, "Exit 1 when the accuracy is below this");
  flags.footer("Exit codes: 0 done, 1 accuracy below --min-accuracy (or a failure), 2 bad usage or input.");

  return mlp::run_main("mlp-eval", flags, argc, argv, [&] {
    mlp::apply_common_options(common);
    mlp::LoadedModel loaded = mlp::load_saved_model(model_path);
    mlp::Compiled& compiled = loaded.compiled;
    // The default lowered for a model whose buffers take much room per sample (a CNN).
    if (!batch_flag.given()) batch_size = mlp::inference_batch(*compiled.model, batch_size);
    if (images.empty()) {
      if (!compiled.config.data.test)
        throw mlp::DataError(model_path, "its config names no test set; give --images and --labels");
      images = compiled.config.data.test->images;
      labels = compiled.config.data.test->labels;
    }
    const mlp::Dataset data = mlp::load_dataset(images, labels, compiled.config.model.input_shape, compiled.classes());
    std::vector<std::uint32_t> indices(data.size());
    std::iota(indices.begin(), indices.end(), 0u);

    // The confusion matrix (classes x classes counts) only for --report: a model
    // with many outputs must not cost its square in memory to be evaluated.
    const std::size_t classes = std::max<std::size_t>(compiled.classes(), 2);
    std::optional<mlp::ConfusionMatrix> confusion;
    if (report) {
      constexpr std::size_t max_report_classes = 4096;  // a 128 MiB matrix
      if (classes > max_report_classes)
        throw mlp::DataError(model_path, fmt::format("--report: {} classes are more than a report can show (at most {})",
                                                     classes, max_report_classes));
      confusion.emplace(classes);
    }
    std::size_t correct = 0;
    const double start = mlp::seconds_now();
    const auto values = mlp::evaluate(*compiled.model, *compiled.objective,
                                      {&data, compiled.preprocessing.table(), compiled.classes(), {}}, indices, batch_size,
                                      [&](std::span<const std::uint32_t> batch, const mlp::Matrix& outputs) {
                                        for (std::size_t r = 0; r < batch.size(); ++r) {
                                          const std::size_t truth = data.labels[batch[r]];
                                          const std::size_t predicted = mlp::best_class(outputs.row(r), outputs.cols());
                                          correct += truth == predicted;
                                          if (confusion) confusion->add(truth, predicted);
                                        }
                                      });
    const double accuracy = data.size() ? static_cast<double>(correct) / static_cast<double>(data.size()) : 0.0;
    const double elapsed = mlp::seconds_now() - start;
    spdlog::info("evaluated {} samples in {:.4f} s", data.size(), elapsed);
    const auto names = compiled.objective->names();

    if (json) {
      nlohmann::json result{{"samples", data.size()}};
      for (std::size_t k = 0; k < names.size(); ++k) result[names[k]] = values[k];
      result["accuracy"] = accuracy;
      if (confusion) result.update(confusion->to_json());
      std::cout << result.dump() << '\n';
    } else {
      std::string line = fmt::format("{}/{} - {}", data.size(), data.size(), mlp::keras_seconds(elapsed));
      for (std::size_t k = 0; k < names.size(); ++k)
        line += " - " + names[k] + ": " + mlp::keras_metric_value(values[k], false);
      std::cout << line << '\n';
      if (confusion) {
        std::cout << '\n';
        confusion->print(std::cout);
        std::cout << '\n';
        confusion->print_classification_report(std::cout);
      }
    }
    std::cout.flush();
    if (min_accuracy && accuracy < *min_accuracy) {
      std::cerr << fmt::format("mlp-eval: accuracy {:.4f} is below --min-accuracy {}\n", accuracy, *min_accuracy);
      return 1;
    }
    return 0;
  });
}
