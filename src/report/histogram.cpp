#include "report/histogram.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "report/xml_text.h"

namespace mlp {

Histogram histogram(std::span<const float> values, std::size_t bins) {
  Histogram h;
  h.counts.assign(std::max<std::size_t>(bins, 1), 0);
  double sum = 0;
  std::size_t finite = 0;
  h.min = INFINITY;
  h.max = -INFINITY;
  for (const float v : values) {
    if (!std::isfinite(v)) {
      ++h.non_finite;
      continue;
    }
    h.min = std::min<double>(h.min, v);
    h.max = std::max<double>(h.max, v);
    sum += v;
    ++finite;
  }
  if (finite == 0) {
    h.min = h.max = 0;
    h.low = -1;
    h.high = 1;
    return h;
  }
  h.mean = sum / static_cast<double>(finite);
  double squares = 0;  // a second pass: no cancellation for tensors far from zero
  for (const float v : values)
    if (std::isfinite(v)) squares += (v - h.mean) * (v - h.mean);
  h.stddev = std::sqrt(squares / static_cast<double>(finite));
  h.low = h.min;
  h.high = h.max;
  if (!(h.high > h.low)) {  // one value (a bias still at zero): a band around it, the value in its middle bin
    const double pad = h.low == 0 ? 1.0 : std::abs(h.low) * 0.1;
    h.low -= pad;
    h.high += pad;
  }
  const double scale = static_cast<double>(h.counts.size()) / (h.high - h.low);
  for (const float v : values)
    if (std::isfinite(v)) {
      const auto k = static_cast<std::size_t>(std::max(0.0, (v - h.low) * scale));
      ++h.counts[std::min(k, h.counts.size() - 1)];
    }
  return h;
}

std::string histogram_svg(const Histogram& h, const std::string& title, const std::string& note) {
  constexpr double width = 300, height = 170, left = 10, right = width - 10, top = 40, bottom = height - 30;
  const std::uint64_t tallest = std::max<std::uint64_t>(1, *std::max_element(h.counts.begin(), h.counts.end()));
  std::string counts;
  for (std::size_t k = 0; k < h.counts.size(); ++k) counts += (k ? " " : "") + std::to_string(h.counts[k]);
  std::string svg = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"histogram\" width=\"{0}\" height=\"{1}\" viewBox=\"0 0 {0} {1}\" "
      "font-family=\"sans-serif\" font-size=\"11\" role=\"img\" aria-label=\"{2}\" data-name=\"{2}\" data-low=\"{3}\" "
      "data-high=\"{4}\" data-counts=\"{5}\">\n",
      width, height, xml_text(title), h.low, h.high, counts);
  svg += fmt::format("<text x=\"{}\" y=\"15\" font-weight=\"bold\">{}</text>\n", left, xml_text(title));
  svg += fmt::format("<text x=\"{}\" y=\"30\" fill=\"#555\">{}</text>\n", left, xml_text(note));
  svg += fmt::format("<text x=\"{}\" y=\"30\" text-anchor=\"end\" fill=\"#555\">tallest bar {}</text>\n", right, tallest);
  const double bar = (right - left) / static_cast<double>(h.counts.size());
  for (std::size_t k = 0; k < h.counts.size(); ++k) {
    if (!h.counts[k]) continue;
    const double tall = static_cast<double>(h.counts[k]) / static_cast<double>(tallest) * (bottom - top);
    svg += fmt::format("<rect x=\"{:.2f}\" y=\"{:.2f}\" width=\"{:.2f}\" height=\"{:.2f}\" fill=\"#0072B2\"/>\n",
                       left + static_cast<double>(k) * bar, bottom - tall, std::max(bar - 1, 0.5), tall);
  }
  svg += fmt::format("<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#000\"/>\n", left, bottom, right, bottom);
  svg += fmt::format("<text x=\"{}\" y=\"{}\">{:.3g}</text>\n", left, bottom + 14, h.low);
  svg += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{:.3g}</text>\n", right, bottom + 14, h.high);
  svg += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" fill=\"#555\">mean {:.3g}, std {:.3g}{}</text>\n",
                     (left + right) / 2, bottom + 26, h.mean, h.stddev,
                     h.non_finite ? fmt::format(", {} not finite", h.non_finite) : std::string());
  return svg + "</svg>\n";
}

}  // namespace mlp
