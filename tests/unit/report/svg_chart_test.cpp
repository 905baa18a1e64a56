// The report's line charts: nice ticks worked by hand, every plotted point read
// back through the frame equal to its value, the exact values carried, missing
// epochs left out, names escaped, and the SVG well-formed (xmllint).
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "report/svg_chart.h"
#include "support/tiny_idx.h"

TEST_CASE("nice ticks: steps of 1, 2 or 5 times a power of ten, the range widened to them") {
  double lo = 0.03, hi = 0.97;
  CHECK(mlp::nice_ticks(lo, hi) == std::vector<double>{0, 0.2, 0.4, 0.6000000000000001, 0.8, 1});
  CHECK(lo == 0);
  CHECK(hi == 1);
  lo = 0.0577, hi = 0.2626;  // range 0.2049: raw step 0.041 -> 0.05
  const auto ticks = mlp::nice_ticks(lo, hi);
  CHECK(lo == Approx(0.05));
  CHECK(hi == Approx(0.3));
  CHECK(ticks.size() == 6);
  lo = hi = 2.5;  // one value: a band of 10% around it
  mlp::nice_ticks(lo, hi);
  CHECK(lo <= 2.25);
  CHECK(hi >= 2.75);
  lo = hi = 0;
  mlp::nice_ticks(lo, hi);
  CHECK(lo == -1);
  CHECK(hi == 1);
}

TEST_CASE("a line chart: its points read back to the history, exact values carried, gaps skipped, well-formed") {
  const std::vector<mlp::ChartSeries> series{{"loss", {0.2626, 0.0912, 0.0687, 0.0577}},
                                             {"val_<loss> & co", {0.0576, NAN, 0.0401, 0.0359}}};
  const mlp::ChartOptions options{"Loss", "loss", "epoch", 480, 300};
  const std::string svg = mlp::line_chart_svg(series, options);
  const mlp::ChartFrame frame = mlp::chart_frame(series, options);
  const std::regex polyline(R"re(<polyline class="series" data-name="([^"]*)" data-values="([^"]*)" points="([^"]*)")re");
  std::size_t found = 0;
  for (auto it = std::sregex_iterator(svg.begin(), svg.end(), polyline); it != std::sregex_iterator(); ++it, ++found) {
    REQUIRE(found < series.size());
    const auto& s = series[found];
    CHECK((*it)[1] == (found == 0 ? "loss" : "val_&lt;loss&gt; &amp; co"));
    // data-values: each value's shortest text, reading back exactly.
    std::istringstream values((*it)[2]);
    for (const double v : s.values) {
      std::string text;
      values >> text;
      if (std::isnan(v)) CHECK(text == "NaN");
      else CHECK(std::stod(text) == v);
    }
    // points: epoch e at x(e), value at y(v), to 0.01 of a unit; the NaN epoch has none.
    std::istringstream points((*it)[3]);
    std::string point;
    std::size_t e = 0;
    while (points >> point) {
      while (std::isnan(s.values[e])) ++e;
      const double x = std::stod(point.substr(0, point.find(','))), y = std::stod(point.substr(point.find(',') + 1));
      CHECK(x == Approx(frame.x(static_cast<double>(e + 1))).margin(0.006));
      const double read_back = frame.y_min + (frame.bottom - y) / (frame.bottom - frame.top) * (frame.y_max - frame.y_min);
      CHECK(read_back == Approx(s.values[e]).margin((frame.y_max - frame.y_min) / (frame.bottom - frame.top) * 0.006));
      ++e;
    }
    CHECK(e == s.values.size());
  }
  CHECK(found == 2);
  CHECK(frame.y_min <= 0.0359);
  CHECK(frame.y_max >= 0.2626);
  for (const double t : frame.y_ticks) CHECK(svg.find(">" + fmt::format("{:.4g}", t) + "</text>") != std::string::npos);
  CHECK(svg.find("class=\"legend\">val_&lt;loss&gt; &amp; co</text>") != std::string::npos);

  mlp::test::TempDir dir;
  std::ofstream(dir.path("chart.svg")) << svg;
  CHECK(std::system(("xmllint --noout " + dir.path("chart.svg")).c_str()) == 0);
}
