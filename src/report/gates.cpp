#include "report/gates.h"

#include <map>

#include <fmt/format.h>

#include "core/error.h"
#include "core/number_text.h"
#include "report/xml_text.h"

namespace mlp {

RecallFloor parse_recall_floor(const std::string& text, std::size_t classes) {
  RecallFloor floor;
  const auto equals = text.find('=');
  try {
    if (equals != std::string::npos) {
      floor.klass = parse_number_text<std::size_t>(std::string_view(text).substr(0, equals), 0, classes - 1);
      floor.floor = parse_number_text<double>(std::string_view(text).substr(equals + 1), 0.0, 1.0);
    } else {
      floor.floor = parse_number_text<double>(text, 0.0, 1.0);
    }
  } catch (const NumberTextError& e) {
    throw Error(ExitCode::usage, "", "",
                fmt::format("--min-class-recall {}: {} (expected X or CLASS=X, a class below {}, X in [0, 1])", text,
                            e.what(), classes));
  }
  return floor;
}

Gate min_accuracy_gate(double accuracy, double minimum) {
  Gate g{"min-accuracy", accuracy >= minimum, accuracy, minimum, ""};
  g.message = fmt::format("accuracy {:.4f} {} --min-accuracy {}", accuracy, g.passed ? "meets" : "is below", minimum);
  return g;
}

namespace {

// --max-drop: `worse` is how much worse the model is than the baseline ("drop"
// of accuracy, "rise" of loss); `number` how the values print.
Gate baseline_gate(const std::string& quantity, double value, double baseline_value, double worse, const char* change,
                   double allowed, const std::string& baseline, const char* number) {
  Gate g{"max-drop", worse <= allowed, worse, allowed, ""};
  const auto shown = [&](double v) { return fmt::format(fmt::runtime(number), v); };
  g.message = fmt::format("{} {} against the baseline {}'s {}: a {} of {}, {} --max-drop {}", quantity, shown(value),
                          baseline, shown(baseline_value), change, shown(worse), g.passed ? "within" : "more than", allowed);
  return g;
}

}  // namespace

Gate max_drop_gate(double accuracy, double baseline_accuracy, double max_drop, const std::string& baseline) {
  return baseline_gate("accuracy", accuracy, baseline_accuracy, baseline_accuracy - accuracy, "drop", max_drop, baseline,
                       "{:.4f}");
}

Gate max_loss_rise_gate(double loss, double baseline_loss, double max_rise, const std::string& baseline) {
  return baseline_gate("loss", loss, baseline_loss, loss - baseline_loss, "rise", max_rise, baseline, "{:.6g}");
}

std::vector<Gate> class_recall_gates(const ConfusionMatrix& confusion, const std::vector<RecallFloor>& floors) {
  std::map<std::size_t, double> per_class;
  for (const auto& f : floors)
    if (!f.klass)
      for (std::size_t c = 0; c < confusion.classes(); ++c) per_class[c] = f.floor;
  for (const auto& f : floors)
    if (f.klass) per_class[*f.klass] = f.floor;
  std::vector<Gate> gates;
  for (const auto& [c, floor] : per_class) {
    const auto scores = confusion.scores(c);
    Gate g{fmt::format("min-class-recall {}", c), scores.recall >= floor, scores.recall, floor, ""};
    g.message = fmt::format("class {}: recall {:.4f} ({} samples) {} {}", c, scores.recall, scores.support,
                            g.passed ? "meets" : "is below", floor);
    gates.push_back(std::move(g));
  }
  return gates;
}

nlohmann::json gates_json(const std::vector<Gate>& gates) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& g : gates)
    list.push_back({{"name", g.name}, {"passed", g.passed}, {"value", g.value}, {"threshold", g.threshold},
                    {"message", g.message}});
  return list;
}

std::string junit_xml(const std::vector<Gate>& gates, const std::string& suite, double seconds) {
  std::size_t failures = 0;
  for (const auto& g : gates) failures += !g.passed;
  std::string xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  xml += fmt::format("<testsuites tests=\"{}\" failures=\"{}\" errors=\"0\" time=\"{:.3f}\">\n", gates.size(), failures, seconds);
  xml += fmt::format("  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"0\" skipped=\"0\" time=\"{:.3f}\">\n",
                     xml_text(suite), gates.size(), failures, seconds);
  for (const auto& g : gates) {
    xml += fmt::format("    <testcase classname=\"mlp-eval\" name=\"{}\" time=\"0\">\n", xml_text(g.name));
    if (g.passed)
      xml += fmt::format("      <system-out>{}</system-out>\n", xml_text(g.message));
    else
      xml += fmt::format("      <failure message=\"{}\" type=\"gate\">{}</failure>\n", xml_text(g.message),
                         xml_text(g.message));
    xml += "    </testcase>\n";
  }
  xml += "  </testsuite>\n</testsuites>\n";
  return xml;
}

}  // namespace mlp
