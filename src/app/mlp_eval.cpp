// mlp-eval: evaluates a saved model on its config's test set (or given files),
// prints Keras's evaluate line, and gates CI: --min-accuracy, --baseline with
// --max-drop, --min-class-recall; --junit writes the gates as JUnit XML.
#include <iostream>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "app/cli_common.h"
#include "core/atomic_file.h"
#include "core/clock.h"
#include "core/error.h"
#include "core/output_file.h"
#include "io/saved_model.h"
#include "report/eval_report.h"
#include "report/gates.h"
#include "report/keras_format.h"
#include "train/evaluate.h"
#include "train/predict.h"

int main(int argc, char** argv) {
  mlp::Flags flags("Evaluate a saved model on a labelled set.");
  mlp::CommonOptions common;
  std::string model_path, images, labels;
  std::size_t batch_size = 256;
  bool json = false, report = false;
  std::optional<double> min_accuracy, max_drop;
  std::string baseline_path, junit_path;
  std::vector<std::string> recall_floors;
  mlp::add_common_options(flags, common);
  flags.text("--model", model_path, "The saved model (.mlp)").required();
  auto images_flag = flags.text("--images", images, "IDX images (default: the config's test set)");
  auto labels_flag = flags.text("--labels", labels, "IDX labels for --images");
  images_flag.needs(labels_flag);
  labels_flag.needs(images_flag);
  auto batch_flag = flags.size("--batch-size", batch_size, 1, 1 << 20, "Samples per batch (memory, not results)");
  flags.flag("--json", json, "Print one JSON object: samples, loss, every metric");
  flags.flag("--report", report, "Add the confusion matrix and per-class precision, recall, F1");
  flags.number("--min-accuracy", min_accuracy, 0.0, 1.0, "Gate: exit 1 when the accuracy is below this");
  auto baseline_flag = flags.text("--baseline", baseline_path, "A model to compare with, evaluated on the same data");
  auto drop_flag = flags.number("--max-drop", max_drop, 0.0, 1.0,
                                "Gate: exit 1 when the accuracy is below the baseline's by more than this (default 0)");
  drop_flag.needs(baseline_flag);
  flags.texts("--min-class-recall", recall_floors, "Gate: X (every class) or CLASS=X, exit 1 below it (repeatable)");
  flags.text("--junit", junit_path, "Write the gates as a JUnit XML report here (atomically)");
  flags.footer("Exit codes: 0 done and every gate passed, 1 a gate failed (or a failure), 2 bad usage or input.");

  return mlp::run_main("mlp-eval", flags, argc, argv, [&] {
    mlp::apply_common_options(common);
    std::vector<std::string> inputs{model_path};
    if (!baseline_path.empty()) inputs.push_back(baseline_path);
    if (!junit_path.empty()) mlp::check_outputs({{"--junit", junit_path}}, inputs);
    mlp::LoadedModel loaded = mlp::load_saved_model(model_path);
    mlp::Compiled& compiled = loaded.compiled;
    if (images.empty()) {
      if (!compiled.config.data.test)
        throw mlp::DataError(model_path, "its config names no test set; give --images and --labels");
      images = compiled.config.data.test->images;
      labels = compiled.config.data.test->labels;
    }
    const mlp::Dataset data = mlp::load_dataset(images, labels, compiled.config.model.input_shape, compiled.classes());
    std::vector<std::uint32_t> indices(data.size());
    std::iota(indices.begin(), indices.end(), 0u);
    const std::size_t classes = std::max<std::size_t>(compiled.classes(), 2);
    std::vector<mlp::RecallFloor> floors;
    for (const auto& text : recall_floors) floors.push_back(mlp::parse_recall_floor(text, classes));
    std::optional<mlp::LoadedModel> baseline;
    if (!baseline_path.empty()) {
      baseline.emplace(mlp::load_saved_model(baseline_path));
      if (baseline->compiled.config.model.input_shape != compiled.config.model.input_shape ||
          baseline->compiled.classes() != compiled.classes())
        throw mlp::DataError(baseline_path, "--baseline: takes other inputs or has other outputs than the model");
    }

    // The confusion matrix (classes x classes counts) only for --report and the
    // class gates: a model with many outputs must not cost its square in memory
    // to be evaluated.
    std::optional<mlp::ConfusionMatrix> confusion;
    if (report || !floors.empty()) {
      constexpr std::size_t max_report_classes = 4096;  // a 128 MiB matrix
      if (classes > max_report_classes)
        throw mlp::DataError(model_path, fmt::format("--report: {} classes are more than a report can show (at most {})",
                                                     classes, max_report_classes));
      confusion.emplace(classes);
    }
    // Loss, metrics and accuracy of one model on the data, counting into `counts` when given.
    const auto run = [&](mlp::Compiled& c, mlp::ConfusionMatrix* counts) {
      std::size_t correct = 0;
      // The default lowered for a model whose buffers take much room per sample (a CNN).
      const std::size_t batch = batch_flag.given() ? batch_size : mlp::inference_batch(*c.model, batch_size);
      const auto values = mlp::evaluate(*c.model, *c.objective, {&data, c.preprocessing.table(), c.classes(), {}}, indices,
                                        batch, [&](std::span<const std::uint32_t> rows, const mlp::Matrix& outputs) {
                                          for (std::size_t r = 0; r < rows.size(); ++r) {
                                            const std::size_t truth = data.labels[rows[r]];
                                            const std::size_t predicted = mlp::best_class(outputs.row(r), outputs.cols());
                                            correct += truth == predicted;
                                            if (counts) counts->add(truth, predicted);
                                          }
                                        });
      const double accuracy = data.size() ? static_cast<double>(correct) / static_cast<double>(data.size()) : 0.0;
      return std::pair{values, accuracy};
    };
    const double start = mlp::seconds_now();
    const auto [values, accuracy] = run(compiled, confusion ? &*confusion : nullptr);
    const double elapsed = mlp::seconds_now() - start;
    spdlog::info("evaluated {} samples in {:.4f} s", data.size(), elapsed);

    std::vector<mlp::Gate> gates;
    if (min_accuracy) gates.push_back(mlp::min_accuracy_gate(accuracy, *min_accuracy));
    std::optional<double> baseline_accuracy;
    if (baseline) {
      baseline_accuracy = run(baseline->compiled, nullptr).second;
      gates.push_back(mlp::max_drop_gate(accuracy, *baseline_accuracy, max_drop.value_or(0.0), baseline_path));
    }
    if (!floors.empty())
      for (auto& g : mlp::class_recall_gates(*confusion, floors)) gates.push_back(std::move(g));
    const auto names = compiled.objective->names();

    if (json) {
      nlohmann::json result{{"samples", data.size()}};
      for (std::size_t k = 0; k < names.size(); ++k) result[names[k]] = values[k];
      result["accuracy"] = accuracy;
      if (baseline_accuracy) result["baseline_accuracy"] = *baseline_accuracy;
      if (confusion && report) result.update(confusion->to_json());
      result["gates"] = mlp::gates_json(gates);
      std::cout << result.dump() << '\n';
    } else {
      std::string line = fmt::format("{}/{} - {}", data.size(), data.size(), mlp::keras_seconds(elapsed));
      for (std::size_t k = 0; k < names.size(); ++k)
        line += " - " + names[k] + ": " + mlp::keras_metric_value(values[k], false);
      std::cout << line << '\n';
      if (confusion && report) {
        std::cout << '\n';
        confusion->print(std::cout);
        std::cout << '\n';
        confusion->print_classification_report(std::cout);
      }
    }
    std::cout.flush();
    if (!junit_path.empty()) mlp::write_file_atomically(junit_path, mlp::junit_xml(gates, "mlp-eval " + model_path, elapsed));
    bool failed = false;
    for (const auto& g : gates)
      if (!g.passed) {
        std::cerr << "mlp-eval: gate " << g.name << " failed: " << g.message << '\n';
        failed = true;
      }
    return failed ? 1 : 0;
  });
}
