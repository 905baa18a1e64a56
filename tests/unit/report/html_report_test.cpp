// The HTML report's page: which charts the history makes, every plotted value
// equal to the history's, the confusion heatmap's cells equal to the matrix,
// the per-class table, the mistakes grid, the weight histograms' bins worked by
// hand; sections left out when they do not apply; the page well-formed XML
// (xmllint) with no reference outside itself.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "report/confusion_heatmap.h"
#include "report/histogram.h"
#include "report/html_report.h"
#include "report/png.h"
#include "support/tiny_idx.h"

namespace {

std::vector<std::smatch> all(const std::string& text, const std::string& pattern) {
  const std::regex re(pattern);
  std::vector<std::smatch> out;
  for (auto it = std::sregex_iterator(text.begin(), text.end(), re); it != std::sregex_iterator(); ++it) out.push_back(*it);
  return out;
}

std::vector<double> numbers(const std::string& text) {
  std::vector<double> out;
  std::istringstream in(text);
  std::string word;
  while (in >> word) out.push_back(word == "NaN" ? NAN : std::stod(word));
  return out;
}

bool well_formed(const std::string& page) {
  mlp::test::TempDir dir;
  std::ofstream(dir.path("page.html")) << page;
  return std::system(("xmllint --noout " + dir.path("page.html")).c_str()) == 0;
}

using History = std::vector<mlp::ReportLogs>;

// Three epochs as a run with ReduceLROnPlateau logs them: lr halves after epoch 2.
History three_epochs() {
  return {{{"loss", 0.2626}, {"acc", 0.9231}, {"val_loss", 0.0576}, {"val_acc", 0.9811}, {"lr", 0.01}},
          {{"loss", 0.0912}, {"acc", 0.9725}, {"val_loss", 0.0401}, {"val_acc", 0.9869}, {"lr", 0.01}},
          {{"loss", 0.0687}, {"acc", 0.9795}, {"val_loss", 0.0359}, {"val_acc", 0.9880}, {"lr", 0.005}}};
}

}  // namespace

TEST_CASE("history charts: each quantity with its val_ twin, the learning rate only when it changed") {
  History history = three_epochs();
  auto charts = mlp::history_charts(history);
  REQUIRE(charts.size() == 3);
  CHECK(charts[0].quantity == "loss");
  CHECK(charts[0].keys == std::vector<std::string>{"loss", "val_loss"});
  CHECK(charts[1].keys == std::vector<std::string>{"acc", "val_acc"});
  CHECK(charts[2].keys == std::vector<std::string>{"lr"});
  for (auto& logs : history) logs.back().second = 0.01;  // never changed: no chart
  CHECK(mlp::history_charts(history).size() == 2);
  // A validation value without its training twin gets a chart of its own; a key
  // that only later epochs have still gets one.
  const History odd{{{"loss", 1.0}, {"val_mae", 2.0}}, {{"loss", 0.5}, {"val_mae", 1.5}, {"top_k", 0.3}}};
  charts = mlp::history_charts(odd);
  REQUIRE(charts.size() == 3);
  CHECK(charts[0].keys == std::vector<std::string>{"loss"});
  CHECK(charts[1].keys == std::vector<std::string>{"val_mae"});
  CHECK(charts[2].keys == std::vector<std::string>{"top_k"});
  CHECK(mlp::history_charts({}).empty());
}

TEST_CASE("histogram: bins worked by hand, equal values, non-finite values apart") {
  const std::vector<float> values{0.0f, 0.25f, 0.5f, 0.6f, 1.0f, NAN, INFINITY};
  const mlp::Histogram h = mlp::histogram(values, 4);
  CHECK(h.low == 0.0);
  CHECK(h.high == 1.0);
  // [0, .25) [.25, .5) [.5, .75) [.75, 1]: the top value in the last bin.
  CHECK(h.counts == std::vector<std::uint64_t>{1, 1, 2, 1});
  CHECK(h.non_finite == 2);
  CHECK(h.mean == Approx((0.25 + 0.5 + 0.6 + 1.0) / 5));
  const double mean = h.mean;
  const double var = (mean * mean + (0.25 - mean) * (0.25 - mean) + (0.5 - mean) * (0.5 - mean) +
                      (0.6f - mean) * (0.6f - mean) + (1 - mean) * (1 - mean)) / 5;
  CHECK(h.stddev == Approx(std::sqrt(var)));
  CHECK(h.min == 0.0);
  CHECK(h.max == 1.0);

  const std::vector<float> zeros(10, 0.0f);  // a bias before training: one value, in the middle bin
  const mlp::Histogram z = mlp::histogram(zeros, 5);
  CHECK(z.low == -1.0);
  CHECK(z.high == 1.0);
  CHECK(z.counts == std::vector<std::uint64_t>{0, 0, 10, 0, 0});
  CHECK(z.stddev == 0.0);

  const std::vector<float> none{NAN};
  const mlp::Histogram n = mlp::histogram(none, 3);
  CHECK(n.counts == std::vector<std::uint64_t>{0, 0, 0});
  CHECK(n.non_finite == 1);

  const std::string svg = mlp::histogram_svg(h, "d<1>/kernel", "2 x 2");
  const auto attrs = all(svg, R"re(data-name="([^"]*)" data-low="([^"]*)" data-high="([^"]*)" data-counts="([^"]*)")re");
  REQUIRE(attrs.size() == 1);
  CHECK(attrs[0][1] == "d&lt;1&gt;/kernel");
  CHECK(numbers(attrs[0][4]) == std::vector<double>{1, 1, 2, 1});
  CHECK(all(svg, "<rect ").size() == 4);  // one bar per non-empty bin
  CHECK(svg.find("2 not finite") != std::string::npos);
}

TEST_CASE("the report page: charts, heatmap, per-class table, mistakes and histograms equal their data") {
  mlp::ReportContent content;
  content.title = "runs/<m>.mlp";
  content.summary = "Layer (type)  Output Shape  Param #\n";
  content.config = R"({"name": "a & b"})";
  content.history = three_epochs();
  content.first_epoch = 4;  // a run that began at fit.initial_epoch 3
  mlp::ReportEvaluation e;
  e.data = "t10k-images";
  e.samples = 10;
  e.values = {{"loss", 0.5}, {"acc", 0.00012}};
  mlp::ConfusionMatrix confusion(3);
  const int pairs[][2] = {{0, 0}, {0, 0}, {0, 1}, {1, 1}, {1, 1}, {1, 1}, {2, 0}, {2, 2}, {2, 2}, {2, 1}};
  for (const auto& [t, p] : pairs) confusion.add(static_cast<std::size_t>(t), static_cast<std::size_t>(p));
  e.confusion = confusion;
  const std::vector<std::uint8_t> pixels{0, 255, 128, 7};
  const std::string png = mlp::encode_grey_png(pixels, 2, 2);
  e.misclassified = {{6, png, 2, 0, 0.75}, {2, png, 0, 1, 0.5}};
  e.misclassified_total = 3;
  content.evaluation = e;
  const std::vector<float> kernel{0.0f, 0.25f, 0.5f, 1.0f}, bias{0.0f, 0.0f};
  content.weights = {{"dense_1", "kernel", "2 x 2", true, kernel}, {"dense_1", "bias", "2", true, bias},
                     {"bn", "moving_mean", "2", false, bias}};
  const std::string page = mlp::html_report(content);
  CHECK(well_formed(page));
  // Self-contained: nothing fetched, no script needed.
  CHECK(page.find("<script") == std::string::npos);
  CHECK(all(page, R"((src|href)="(?!#|data:image/png;base64,))").empty());
  CHECK(page.find("<h1>runs/&lt;m&gt;.mlp</h1>") != std::string::npos);
  CHECK(page.find("{&quot;name&quot;: &quot;a &amp; b&quot;}") != std::string::npos);

  // Every series' values are the history's, charts in history_charts' order; x from epoch 4.
  const auto charts = all(page, R"re(<div class="chart" data-quantity="([^"]*)">)re");
  REQUIRE(charts.size() == 3);
  CHECK(charts[2][1] == "lr");
  const auto lines = all(page, R"re(<polyline class="series" data-name="([^"]*)" data-values="([^"]*)")re");
  REQUIRE(lines.size() == 5);
  for (const auto& line : lines) {
    std::vector<double> expected;
    for (const auto& logs : content.history)
      for (const auto& [name, value] : logs)
        if (name == line[1]) expected.push_back(value);
    CHECK(numbers(line[2]) == expected);
  }
  CHECK(page.find("class=\"x-tick\">4</text>") != std::string::npos);
  CHECK(page.find("class=\"x-tick\">6</text>") != std::string::npos);
  CHECK(page.find("class=\"x-tick\">1</text>") == std::string::npos);

  // The evaluation's values, exact in data-value, as Keras prints them on screen.
  CHECK(page.find(R"(data-name="acc" data-value="0.00012">1.2000e-04</td>)") != std::string::npos);
  // The heatmap: one cell per pair with its count.
  const auto cells = all(page, R"re(data-true="(\d+)" data-predicted="(\d+)" data-count="(\d+)")re");
  REQUIRE(cells.size() == 9);
  for (const auto& cell : cells)
    CHECK(std::stoull(cell[3]) == confusion.at(std::stoul(cell[1]), std::stoul(cell[2])));
  // Per class: class 2 has precision 2/2, recall 2/4.
  CHECK(page.find("<tr data-class=\"2\"><td>2</td><td>1.00</td><td>0.50</td><td>0.67</td><td>4</td></tr>") !=
        std::string::npos);
  // Classes the training data named are shown by id and name.
  content.evaluation->class_names = {"cat", "dog", "<cow>"};
  CHECK(mlp::html_report(content).find("<tr data-class=\"2\"><td>2 (&lt;cow&gt;)</td><td>1.00</td>") != std::string::npos);
  CHECK(page.find("<td>0.7000</td><td>10</td>") != std::string::npos);  // accuracy 7/10 of 10
  // Mistakes: in the given order, each image inline.
  const auto figures = all(page, R"re(data-index="(\d+)" data-true="(\d+)" data-predicted="(\d+)" data-probability="([^"]*)"><img src="([^"]*)")re");
  REQUIRE(figures.size() == 2);
  CHECK(figures[0][1] == "6");
  CHECK(figures[0][4] == "0.75");
  CHECK(figures[0][5] == mlp::png_data_uri(png));
  CHECK(page.find("The 2 of 3 misclassified") != std::string::npos);
  // Histograms, grouped by layer; a non-trainable weight says so.
  const auto histograms = all(page, R"re(class="histogram"[^>]*data-name="([^"]*)"[^>]*data-counts="([^"]*)")re");
  REQUIRE(histograms.size() == 3);
  CHECK(histograms[0][1] == "dense_1/kernel");
  double sum = 0;
  for (const double c : numbers(histograms[0][2])) sum += c;
  CHECK(sum == 4);
  CHECK(all(page, "<h3>dense_1</h3>").size() == 1);
  CHECK(page.find("2, not trainable") != std::string::npos);
}

TEST_CASE("the report page leaves out what does not apply") {
  mlp::ReportContent content;
  content.title = "m.mlp";
  // No history, no evaluation, no weights: the model and a note, no empty sections.
  std::string page = mlp::html_report(content);
  CHECK(well_formed(page));
  CHECK(page.find("id=\"model\"") != std::string::npos);
  CHECK(page.find("No epochs in this model's history") != std::string::npos);
  for (const char* id : {"id=\"evaluation\"", "id=\"misclassified\"", "id=\"weights\"", "href=\"#evaluation\"", "<polyline"})
    CHECK(page.find(id) == std::string::npos);

  // Unlabelled data: the predicted classes, no loss, no confusion matrix, no mistakes.
  mlp::ReportEvaluation e;
  e.data = "images";
  e.samples = 5;
  e.predicted_counts = {3, 0, 2};
  content.evaluation = e;
  page = mlp::html_report(content);
  CHECK(well_formed(page));
  CHECK(page.find("<tr data-class=\"0\"><td>0</td><td>3</td></tr>") != std::string::npos);
  for (const char* part : {"class=\"confusion\"", "class=\"per-class\"", "class=\"values\"", "id=\"misclassified\""})
    CHECK(page.find(part) == std::string::npos);

  // Labelled but not images (no mistakes to show), and too many classes to draw.
  e.predicted_counts.clear();
  e.values = {{"loss", 1.0}};
  e.confusion.emplace(mlp::heatmap_max_classes + 1);
  e.misclassified_total = 4;
  content.evaluation = e;
  page = mlp::html_report(content);
  CHECK(well_formed(page));
  CHECK(page.find("class=\"per-class\"") != std::string::npos);
  CHECK(page.find("class=\"confusion\"") == std::string::npos);
  CHECK(page.find("too many to draw") != std::string::npos);
  CHECK(page.find("id=\"misclassified\"") == std::string::npos);
}

TEST_CASE("the confusion heatmap shades each cell by its share of the true class") {
  mlp::ConfusionMatrix confusion(2);
  for (int k = 0; k < 9; ++k) confusion.add(0, 0);
  confusion.add(0, 1);
  const std::string svg = mlp::confusion_heatmap_svg(confusion);
  // (0,0): share 0.9, depth sqrt(0.9); (1,*): an empty row stays white.
  const auto depth = std::sqrt(0.9);
  const auto channel = [&](double full) { return std::lround(255 - (255 - full) * depth); };
  CHECK(svg.find("data-true=\"0\" data-predicted=\"0\" data-count=\"9\"") != std::string::npos);
  CHECK(svg.find("fill=\"rgb(" + std::to_string(channel(0)) + "," + std::to_string(channel(114)) + "," +
                 std::to_string(channel(178)) + ")\"") != std::string::npos);
  CHECK(all(svg, R"re(data-true="1" data-predicted="\d" data-count="0" [^>]*fill="rgb\(255,255,255\)")re").size() == 2);
}
