#include "app/report_page.h"

#include <algorithm>
#include <sstream>

#include <fmt/format.h>

#include "core/atomic_file.h"
#include "report/html_report.h"
#include "report/eval_report.h"
#include "report/png.h"
#include "report/summary.h"
#include "train/evaluate.h"
#include "train/predict.h"
#include "train/scored_evaluation.h"

namespace mlp {
namespace {

constexpr std::size_t shown_mistakes = 32;
constexpr std::size_t max_confusion_classes = 4096;  // a 128 MiB matrix, as mlp-eval allows

// A sample as a grey image, when the model reads images of one channel.
bool is_grey_image(const Shape& shape) {
  return shape.size() == 2 || (shape.size() == 3 && shape[2] == 1);
}

ReportEvaluation evaluate_for_report(Compiled& compiled, const ReportData& source) {
  const Dataset& data = *source.data;
  Model& model = *compiled.model;
  ReportEvaluation e;
  e.data = source.name;
  e.samples = data.size();
  e.class_names = compiled.class_names;
  const std::size_t classes = std::max<std::size_t>(compiled.classes(), 2);
  const std::size_t batch = inference_batch(model, 256);
  if (!data.labelled()) {
    if (compiled.regression) return e;
    e.predicted_counts.assign(classes, 0);
    predict_batches(model, data, compiled.preprocessing.scaling(), batch, [&](std::size_t, const Matrix& outputs) {
      for (std::size_t r = 0; r < outputs.rows(); ++r) ++e.predicted_counts[best_class(outputs.row(r), outputs.cols())];
    });
    return e;
  }
  std::vector<Miss> mistakes;
  ScoredEvaluation scored = evaluate_scored(compiled, data, batch,
                                            !compiled.regression && classes <= max_confusion_classes ? classes : 0,
                                            nullptr, [&](const Miss& miss) { mistakes.push_back(miss); });
  const auto names = compiled.objective->names();
  for (std::size_t k = 0; k < names.size(); ++k) e.values.emplace_back(names[k], scored.values[k]);
  if (compiled.regression) {
    e.values.emplace_back("r2", scored.r2);
    return e;
  }
  e.confusion = std::move(scored.confusion);
  e.misclassified_total = mistakes.size();
  const Shape& shape = compiled.config.model.input_shape;
  if (!is_grey_image(shape) || data.bytes.empty()) return e;
  // The surest first; among equals, the first in the data.
  const auto count = std::min(mistakes.size(), shown_mistakes);
  std::partial_sort(mistakes.begin(), mistakes.begin() + static_cast<std::ptrdiff_t>(count), mistakes.end(),
                    [](const Miss& a, const Miss& b) {
                      return a.probability != b.probability ? a.probability > b.probability : a.index < b.index;
                    });
  const std::size_t pixels = data.feature_count();
  for (std::size_t k = 0; k < count; ++k) {
    const Miss& m = mistakes[k];
    const std::span<const std::uint8_t> image(data.bytes.data() + std::size_t{m.index} * pixels, pixels);
    e.misclassified.push_back({m.index, encode_grey_png(image, shape[1], shape[0]), data.labels[m.index], m.predicted,
                               static_cast<double>(m.probability)});
  }
  return e;
}

}  // namespace

std::string report_page(Compiled& compiled, const FitState& state, const std::string& title, const ReportData& data) {
  ReportContent content;
  content.title = title;
  std::ostringstream summary;
  print_summary(*compiled.model, summary);
  content.summary = summary.str();
  content.config = compiled.config.to_json().dump(2);
  content.history = state.history;
  content.first_epoch = state.next_epoch - static_cast<int>(state.history.size()) + 1;
  if (data.data) content.evaluation = evaluate_for_report(compiled, data);
  const Model& model = *compiled.model;
  for (const auto& layer : model.layers())
    for (const auto& spec : layer->param_specs()) {
      const ParamSlice* slice = spec.keras_weight ? model.find_slice(layer->name(), spec.name) : nullptr;
      if (!slice) continue;
      std::string shape;
      for (const auto d : slice->shape) shape += (shape.empty() ? "" : " x ") + std::to_string(d);
      content.weights.push_back({slice->layer, slice->name, shape, slice->trainable,
                                 std::span<const float>(model.params()).subspan(slice->offset, slice->size)});
    }
  return html_report(content);
}

void ReportWriter::write() const { write_file_atomically(path_, report_page(compiled_, state_, title_, data_)); }

}  // namespace mlp
