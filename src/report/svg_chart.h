// Line charts as inline SVG for the HTML report: one line per series over the
// epochs, axes with "nice" ticks (1, 2 or 5 times a power of ten), axis labels,
// a legend. Each line carries its exact values (data-values, shortest text that
// reads back the same), so a test can check the plotted points against the
// history they come from.
#pragma once

#include <string>
#include <vector>

#include "report/xml_text.h"

namespace mlp {

struct ChartSeries {
  std::string name;            // "val_loss"
  std::vector<double> values;  // one per epoch; NaN where the epoch has none
};

struct ChartOptions {
  std::string title, y_label, x_label = "epoch";
  int width = 480, height = 300;
  int first_epoch = 1;  // the number of values[0]'s epoch (a run may start at fit.initial_epoch)
};

// The plot's frame, for placing and reading back points: x of epoch e (1-based),
// y of a value.
struct ChartFrame {
  double left = 60, right = 0, top = 30, bottom = 0;  // the plot area, in SVG units
  double x_min = 1, x_max = 1, y_min = 0, y_max = 1;  // what its edges mean
  std::vector<double> y_ticks;
  double x(double epoch) const;
  double y(double value) const;
};

// The ticks between lo and hi: a step of 1, 2 or 5 times a power of ten giving
// about `count` intervals; lo and hi are widened to multiples of it.
std::vector<double> nice_ticks(double& lo, double& hi, int count = 5);

// The shortest text that reads back as exactly `v`: how data- attributes carry numbers.
std::string exact_number(double v);

ChartFrame chart_frame(const std::vector<ChartSeries>& series, const ChartOptions& options);
std::string line_chart_svg(const std::vector<ChartSeries>& series, const ChartOptions& options);

}  // namespace mlp
