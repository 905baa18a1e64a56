// mlp-eval's CI gates: each a named check on the evaluation with its outcome,
// printed on stderr when it fails, listed in the JSON output, and written as
// one test case of a JUnit XML report (the format CI systems display: Jenkins,
// GitLab, GitHub's test reporters).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "report/eval_report.h"

namespace mlp {

struct Gate {
  std::string name;     // "min-accuracy", "max-drop", "min-class-recall 7"
  bool passed = true;
  double value = 0, threshold = 0;
  std::string message;  // what was measured against what
};

// --min-class-recall: "X" (every class) or "CLASS=X"; throws Error (exit 2) naming the flag.
struct RecallFloor {
  std::optional<std::size_t> klass;  // none: every class
  double floor = 0;
};
RecallFloor parse_recall_floor(const std::string& text, std::size_t classes);

Gate min_accuracy_gate(double accuracy, double minimum);
Gate max_drop_gate(double accuracy, double baseline_accuracy, double max_drop, const std::string& baseline);
// For a regression model --max-drop bounds how far the loss may rise above the baseline's.
Gate max_loss_rise_gate(double loss, double baseline_loss, double max_rise, const std::string& baseline);
// One gate per class the floors reach (a class's own floor over the general one).
std::vector<Gate> class_recall_gates(const ConfusionMatrix& confusion, const std::vector<RecallFloor>& floors);

nlohmann::json gates_json(const std::vector<Gate>& gates);
std::string junit_xml(const std::vector<Gate>& gates, const std::string& suite, double seconds);

}  // namespace mlp
