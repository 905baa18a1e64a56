#include "report/svg_chart.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include <fmt/format.h>

namespace mlp {
namespace {

// Colour-blind-safe (Okabe and Ito), in order.
constexpr const char* palette[] = {"#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442"};

}  // namespace

std::string exact_number(double v) { return fmt::format("{}", v); }

double ChartFrame::x(double epoch) const {
  return x_max == x_min ? (left + right) / 2 : left + (epoch - x_min) / (x_max - x_min) * (right - left);
}

double ChartFrame::y(double value) const { return bottom - (value - y_min) / (y_max - y_min) * (bottom - top); }

std::vector<double> nice_ticks(double& lo, double& hi, int count) {
  if (!(hi > lo)) {  // one value (or none): a unit band around it
    const double pad = lo == 0 ? 1.0 : std::abs(lo) * 0.1;
    lo -= pad;
    hi += pad;
  }
  const double raw = (hi - lo) / std::max(1, count);
  const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
  const double residual = raw / magnitude;
  const double step = (residual < 1.5 ? 1 : residual < 3 ? 2 : residual < 7 ? 5 : 10) * magnitude;
  lo = std::floor(lo / step) * step;
  hi = std::ceil(hi / step) * step;
  std::vector<double> ticks;
  for (int k = 0; lo + k * step <= hi + step / 2; ++k) {
    const double t = lo + k * step;
    ticks.push_back(std::abs(t) < step / 1e9 ? 0.0 : t);
  }
  return ticks;
}

ChartFrame chart_frame(const std::vector<ChartSeries>& series, const ChartOptions& options) {
  ChartFrame f;
  f.right = options.width - 20.0;
  f.bottom = options.height - 70.0;  // room for the x labels and the legend below
  double lo = std::numeric_limits<double>::infinity(), hi = -lo;
  std::size_t epochs = 1;
  for (const auto& s : series) {
    epochs = std::max(epochs, s.values.size());
    for (const double v : s.values)
      if (std::isfinite(v)) lo = std::min(lo, v), hi = std::max(hi, v);
  }
  if (!std::isfinite(lo)) lo = 0, hi = 1;
  f.y_ticks = nice_ticks(lo, hi);
  f.x_min = options.first_epoch;
  f.x_max = static_cast<double>(options.first_epoch) + static_cast<double>(epochs - 1);
  f.y_min = lo;
  f.y_max = hi;
  return f;
}

std::string line_chart_svg(const std::vector<ChartSeries>& series, const ChartOptions& options) {
  const ChartFrame f = chart_frame(series, options);
  std::string svg = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{0}\" height=\"{1}\" viewBox=\"0 0 {0} {1}\" "
      "font-family=\"sans-serif\" font-size=\"11\" role=\"img\" aria-label=\"{2}\">\n",
      options.width, options.height, xml_text(options.title));
  svg += fmt::format("<text x=\"{}\" y=\"18\" text-anchor=\"middle\" font-size=\"13\" font-weight=\"bold\">{}</text>\n",
                     options.width / 2, xml_text(options.title));
  // Grid and y ticks.
  for (const double t : f.y_ticks) {
    const double y = f.y(t);
    svg += fmt::format("<line x1=\"{:.2f}\" y1=\"{:.2f}\" x2=\"{:.2f}\" y2=\"{:.2f}\" stroke=\"#ddd\"/>\n", f.left, y, f.right, y);
    svg += fmt::format("<text x=\"{:.2f}\" y=\"{:.2f}\" text-anchor=\"end\" class=\"y-tick\">{}</text>\n", f.left - 6, y + 4,
                       fmt::format("{:.4g}", t));
  }
  // x ticks: every epoch, or every k-th when there are many.
  const auto first = static_cast<int>(f.x_min), last = static_cast<int>(f.x_max);
  const int every = std::max(1, (last - first + 10) / 10);
  for (int e = first; e <= last; e += every) {
    const double x = f.x(e);
    svg += fmt::format("<line x1=\"{0:.2f}\" y1=\"{1:.2f}\" x2=\"{0:.2f}\" y2=\"{2:.2f}\" stroke=\"#000\"/>\n", x, f.bottom,
                       f.bottom + 4);
    svg += fmt::format("<text x=\"{:.2f}\" y=\"{:.2f}\" text-anchor=\"middle\" class=\"x-tick\">{}</text>\n", x,
                       f.bottom + 16, e);
  }
  // Axes and their labels.
  svg += fmt::format("<path d=\"M{:.2f},{:.2f} V{:.2f} H{:.2f}\" fill=\"none\" stroke=\"#000\"/>\n", f.left, f.top, f.bottom,
                     f.right);
  svg += fmt::format("<text x=\"{:.2f}\" y=\"{:.2f}\" text-anchor=\"middle\">{}</text>\n", (f.left + f.right) / 2,
                     f.bottom + 32, xml_text(options.x_label));
  svg += fmt::format("<text transform=\"translate(14,{:.2f}) rotate(-90)\" text-anchor=\"middle\">{}</text>\n",
                     (f.top + f.bottom) / 2, xml_text(options.y_label));
  // The lines, each with its exact values, and the legend.
  for (std::size_t k = 0; k < series.size(); ++k) {
    const auto& s = series[k];
    const char* colour = palette[k % std::size(palette)];
    std::string points, values;
    for (std::size_t e = 0; e < s.values.size(); ++e) {
      values += (e ? " " : "") + (std::isfinite(s.values[e]) ? exact_number(s.values[e]) : std::string("NaN"));
      if (std::isfinite(s.values[e]))
        points += fmt::format("{}{:.2f},{:.2f}", points.empty() ? "" : " ", f.x(f.x_min + static_cast<double>(e)), f.y(s.values[e]));
    }
    svg += fmt::format(
        "<polyline class=\"series\" data-name=\"{}\" data-values=\"{}\" points=\"{}\" fill=\"none\" stroke=\"{}\" "
        "stroke-width=\"2\"{}/>\n",
        xml_text(s.name), values, points, colour, k % 2 ? " stroke-dasharray=\"6 3\"" : "");
    const double lx = f.left + static_cast<double>(k % 4) * 110, ly = options.height - 22.0 + static_cast<double>(k / 4) * 14;
    svg += fmt::format("<line x1=\"{:.2f}\" y1=\"{:.2f}\" x2=\"{:.2f}\" y2=\"{:.2f}\" stroke=\"{}\" stroke-width=\"2\"{}/>\n",
                       lx, ly, lx + 18, ly, colour, k % 2 ? " stroke-dasharray=\"6 3\"" : "");
    svg += fmt::format("<text x=\"{:.2f}\" y=\"{:.2f}\" class=\"legend\">{}</text>\n", lx + 22, ly + 4, xml_text(s.name));
  }
  svg += "</svg>\n";
  return svg;
}

}  // namespace mlp
