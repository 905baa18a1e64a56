// mlp-eval: evaluates a saved model on its config's test set (or given data),
// prints Keras's evaluate line, and gates CI: --min-accuracy, --baseline with
// --max-drop, --min-class-recall; --junit writes the gates as JUnit XML.
#include <cmath>
#include <iostream>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "app/cli_common.h"
#include "app/data_flags.h"
#include "core/atomic_file.h"
#include "core/clock.h"
#include "core/collective.h"
#include "core/error.h"
#include "core/output_file.h"
#include "io/saved_model.h"
#include "report/eval_report.h"
#include "report/gates.h"
#include "report/keras_format.h"
#include "train/evaluate.h"
#include "train/scored_evaluation.h"

int main(int argc, char** argv) {
  mlp::Flags flags("Evaluate a saved model on a labelled set.");
  mlp::CommonOptions common;
  std::string model_path;
  mlp::DataFlags data_flags;
  std::size_t batch_size = 256;
  bool json = false, report = false;
  std::optional<double> min_accuracy, max_drop;
  std::string baseline_path, junit_path;
  std::vector<std::string> recall_floors;
  mlp::add_common_options(flags, common);
  flags.text("--model", model_path, "The saved model (.mlp)").required();
  mlp::add_data_flags(flags, data_flags, "A labelled CSV table or .npz archive, its targets as in the training data", true);
  auto batch_flag = flags.size("--batch-size", batch_size, 1, 1 << 20, "Samples per batch (memory, not results)");
  flags.flag("--json", json, "Print one JSON object: samples, loss, every metric (and r2 for regression)");
  flags.flag("--report", report, "Add the confusion matrix and per-class precision, recall, F1 (regression: R²)");
  flags.number("--min-accuracy", min_accuracy, 0.0, 1.0, "Gate: exit 1 when the accuracy is below this");
  auto baseline_flag = flags.text("--baseline", baseline_path, "A model to compare with, evaluated on the same data");
  auto drop_flag = flags.number("--max-drop", max_drop, 0.0, 1e30,
                                "Gate: exit 1 when the accuracy is below the baseline's (a regression model's loss "
                                "above it) by more than this (default 0)");
  drop_flag.needs(baseline_flag);
  flags.texts("--min-class-recall", recall_floors, "Gate: X (every class) or CLASS=X, exit 1 below it (repeatable)");
  flags.text("--junit", junit_path, "Write the gates as a JUnit XML report here (atomically)");
  flags.footer("Exit codes: 0 done and every gate passed, 1 a gate failed (or a failure), 2 bad usage or input.");

  return mlp::run_main("mlp-eval", flags, argc, argv, [&] {
    mlp::apply_common_options(common);
    std::vector<std::string> inputs = data_flags.files();
    inputs.push_back(model_path);
    if (!baseline_path.empty()) inputs.push_back(baseline_path);
    if (!junit_path.empty()) mlp::check_outputs({{"--junit", junit_path}}, inputs);
    mlp::LoadedModel loaded = mlp::load_saved_model(model_path);
    mlp::Compiled& compiled = loaded.compiled;
    const bool regression = compiled.regression;
    if (regression && (min_accuracy || !recall_floors.empty()))
      throw mlp::Error(mlp::ExitCode::usage, model_path, "",
                       std::string(min_accuracy ? "--min-accuracy" : "--min-class-recall") +
                           ": a regression model has no accuracy (gate on its loss with --baseline and --max-drop)");
    std::string data_name;
    const mlp::Dataset data = mlp::labelled_data(data_flags, compiled, model_path, data_name);
    const std::size_t classes = std::max<std::size_t>(compiled.classes(), 2);
    std::vector<mlp::RecallFloor> floors;
    for (const auto& text : recall_floors) floors.push_back(mlp::parse_recall_floor(text, classes));
    std::optional<mlp::LoadedModel> baseline;
    if (!baseline_path.empty()) {
      baseline.emplace(mlp::load_saved_model(baseline_path));
      if (baseline->compiled.config.model.input_shape != compiled.config.model.input_shape ||
          baseline->compiled.classes() != compiled.classes() || baseline->compiled.regression != regression)
        throw mlp::DataError(baseline_path, "--baseline: takes other inputs or has other outputs than the model");
    }

    // The confusion matrix (classes x classes counts) only for --report and the
    // class gates: a model with many outputs must not cost its square in memory
    // to be evaluated.
    std::size_t confusion_classes = 0;
    if (!regression && (report || !floors.empty())) {
      constexpr std::size_t max_report_classes = 4096;  // a 128 MiB matrix
      if (classes > max_report_classes)
        throw mlp::DataError(model_path, fmt::format("--report: {} classes are more than a report can show (at most {})",
                                                     classes, max_report_classes));
      confusion_classes = classes;
    }
    struct Outcome {
      mlp::ScoredEvaluation scored;  // loss and metrics, confusion counts, R²
      double accuracy = 0;
    };
    // Under mpirun each rank evaluates its share of the samples; rank 0 prints and writes.
    mlp::Collective& team = mlp::Collective::world();
    // One model on the data, counting its confusion matrix when asked.
    const auto run = [&](mlp::Compiled& c, std::size_t counted_classes) {
      // The default lowered for a model whose buffers take much room per sample (a CNN).
      const std::size_t batch = batch_flag.given() ? batch_size : mlp::inference_batch(*c.model, batch_size);
      Outcome o{mlp::evaluate_scored(c, data, batch, counted_classes, &team)};
      o.accuracy = data.size() ? static_cast<double>(o.scored.hits) / static_cast<double>(data.size()) : 0.0;
      return o;
    };
    const double start = mlp::seconds_now();
    const Outcome outcome = run(compiled, confusion_classes);
    const std::vector<double>& values = outcome.scored.values;
    const std::optional<mlp::ConfusionMatrix>& confusion = outcome.scored.confusion;
    const double elapsed = mlp::seconds_now() - start;
    spdlog::info("evaluated {} samples of {} in {:.4f} s", data.size(), data_name, elapsed);

    std::vector<mlp::Gate> gates;
    if (min_accuracy) gates.push_back(mlp::min_accuracy_gate(outcome.accuracy, *min_accuracy));
    std::optional<Outcome> base;
    if (baseline) {
      base = run(baseline->compiled, 0);
      gates.push_back(regression ? mlp::max_loss_rise_gate(values[0], base->scored.values[0], max_drop.value_or(0.0),
                                                            baseline_path)
                                 : mlp::max_drop_gate(outcome.accuracy, base->accuracy, max_drop.value_or(0.0), baseline_path));
    }
    if (!team.leader()) return 0;
    if (!floors.empty())
      for (auto& g : mlp::class_recall_gates(*confusion, floors)) gates.push_back(std::move(g));
    const auto names = compiled.objective->names();

    if (json) {
      nlohmann::json result{{"samples", data.size()}};
      for (std::size_t k = 0; k < names.size(); ++k) result[names[k]] = values[k];
      if (regression) {
        result["r2"] = outcome.scored.r2;
        if (base) result["baseline_loss"] = base->scored.values[0];
      } else {
        result["accuracy"] = outcome.accuracy;
        if (base) result["baseline_accuracy"] = base->accuracy;
      }
      if (confusion && report) result.update(confusion->to_json());
      result["gates"] = mlp::gates_json(gates);
      std::cout << result.dump() << '\n';
    } else {
      std::string line = fmt::format("{}/{} - {}", data.size(), data.size(), mlp::keras_seconds(elapsed));
      for (std::size_t k = 0; k < names.size(); ++k)
        line += " - " + names[k] + ": " + mlp::keras_metric_value(values[k], false);
      std::cout << line << '\n';
      if (regression && report) std::cout << fmt::format("\nR^2 (coefficient of determination): {:.4f}\n", outcome.scored.r2);
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
