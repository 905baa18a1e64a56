// The confusion matrix as an SVG heatmap for the report: rows are the true
// classes, columns the predicted ones; each cell shows its count and is shaded
// by its share of its row (the true class's recall on the diagonal), so a
// class's mistakes stand out however many samples it has. Each cell carries
// its count (data-count) for tests.
#pragma once

#include <string>

#include "report/eval_report.h"

namespace mlp {

// Cells are drawn for at most this many classes; beyond it a matrix is a table's job.
inline constexpr std::size_t heatmap_max_classes = 50;

std::string confusion_heatmap_svg(const ConfusionMatrix& confusion);

}  // namespace mlp
