#include "report/confusion_heatmap.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

namespace mlp {

std::string confusion_heatmap_svg(const ConfusionMatrix& confusion) {
  const std::size_t n = std::min(confusion.classes(), heatmap_max_classes);
  const double cell = n <= 12 ? 40 : n <= 25 ? 24 : 14;
  const double left = 60, top = 50;
  const double width = left + cell * static_cast<double>(n) + 10, height = top + cell * static_cast<double>(n) + 10;
  std::string svg = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"confusion\" width=\"{0}\" height=\"{1}\" viewBox=\"0 0 {0} {1}\" "
      "font-family=\"sans-serif\" font-size=\"{2}\" role=\"img\" aria-label=\"confusion matrix\">\n",
      width, height, cell >= 40 ? 12 : cell >= 24 ? 9 : 7);
  svg += fmt::format("<text x=\"{}\" y=\"14\" text-anchor=\"middle\">predicted class</text>\n",
                     left + cell * static_cast<double>(n) / 2);
  svg += fmt::format("<text transform=\"translate(14,{}) rotate(-90)\" text-anchor=\"middle\">true class</text>\n",
                     top + cell * static_cast<double>(n) / 2);
  for (std::size_t c = 0; c < n; ++c) {
    const double at = static_cast<double>(c) * cell + cell / 2;
    svg += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>\n", left + at, top - 6, c);
    svg += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>\n", left - 6, top + at + 4, c);
  }
  for (std::size_t t = 0; t < n; ++t) {
    std::uint64_t row = 0;
    for (std::size_t p = 0; p < confusion.classes(); ++p) row += confusion.at(t, p);
    for (std::size_t p = 0; p < n; ++p) {
      const std::uint64_t count = confusion.at(t, p);
      const double share = row ? static_cast<double>(count) / static_cast<double>(row) : 0.0;
      // From white to the palette's blue (0, 114, 178); a square root so that a few mistakes still show.
      const double depth = std::sqrt(share);
      const auto channel = [&](double full) { return static_cast<int>(std::lround(255 - (255 - full) * depth)); };
      const double x = left + static_cast<double>(p) * cell, y = top + static_cast<double>(t) * cell;
      svg += fmt::format(
          "<rect class=\"cell\" data-true=\"{}\" data-predicted=\"{}\" data-count=\"{}\" x=\"{}\" y=\"{}\" width=\"{}\" "
          "height=\"{}\" fill=\"rgb({},{},{})\" stroke=\"#fff\"/>\n",
          t, p, count, x, y, cell, cell, channel(0), channel(114), channel(178));
      if (count)
        svg += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" fill=\"{}\">{}</text>\n", x + cell / 2,
                           y + cell / 2 + 4, depth > 0.6 ? "#fff" : "#000", count);
    }
  }
  return svg + "</svg>\n";
}

}  // namespace mlp
