#include "report/html_report.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "core/version.h"
#include "report/confusion_heatmap.h"
#include "report/histogram.h"
#include "report/keras_format.h"
#include "report/png.h"
#include "report/svg_chart.h"
#include "report/xml_text.h"

namespace mlp {
namespace {

constexpr const char* style = R"css(
body { font-family: system-ui, sans-serif; margin: 0 auto; max-width: 1280px; padding: 0 24px 48px; color: #222; }
h1 { margin: 24px 0 4px; font-size: 26px; }
h2 { margin: 32px 0 12px; border-bottom: 1px solid #ccc; padding-bottom: 4px; font-size: 20px; }
h3 { margin: 16px 0 8px; font-size: 15px; }
p.sub, p.note { color: #555; margin: 4px 0; }
nav a { margin-right: 14px; }
pre { background: #f6f6f6; padding: 10px; font-size: 12px; overflow: auto; margin: 0; }
pre.config { max-height: 420px; }
.row { display: flex; flex-wrap: wrap; gap: 20px; align-items: flex-start; }
table { border-collapse: collapse; font-size: 13px; }
th, td { padding: 3px 10px; text-align: right; border-bottom: 1px solid #e4e4e4; }
th { background: #f0f0f0; }
figure { margin: 0; text-align: center; font-size: 12px; width: 96px; }
figure img { width: 84px; height: 84px; image-rendering: pixelated; border: 1px solid #bbb; }
.grid { display: flex; flex-wrap: wrap; gap: 10px; }
)css";

const double* find(const ReportLogs& logs, const std::string& key) {
  for (const auto& [name, value] : logs)
    if (name == key) return &value;
  return nullptr;
}

std::string history_section(const ReportContent& content) {
  std::string html = "<section id=\"history\">\n<h2>Training history</h2>\n";
  if (content.history.empty())
    return html + "<p class=\"note\">No epochs in this model's history: it was not trained here, or not yet.</p>\n</section>\n";
  html += fmt::format("<p class=\"sub\">Epochs {} to {}, as the model's history holds them.</p>\n<div class=\"row\">\n",
                      content.first_epoch, content.first_epoch + static_cast<int>(content.history.size()) - 1);
  for (const auto& chart : history_charts(content.history)) {
    std::vector<ChartSeries> series;
    for (const auto& key : chart.keys) {
      ChartSeries s{key, {}};
      for (const auto& logs : content.history) {
        const double* v = find(logs, key);
        s.values.push_back(v ? *v : NAN);
      }
      series.push_back(std::move(s));
    }
    ChartOptions options;
    options.title = chart.quantity == "lr" ? "learning rate" : chart.quantity;
    options.y_label = chart.quantity;
    options.first_epoch = content.first_epoch;
    html += fmt::format("<div class=\"chart\" data-quantity=\"{}\">\n{}</div>\n", xml_text(chart.quantity),
                        line_chart_svg(series, options));
  }
  return html + "</div>\n</section>\n";
}

// A class as the page names it: "0", or "0 (benign)" when the training data named it.
std::string class_label(std::size_t c, const std::vector<std::string>& names) {
  return c < names.size() ? fmt::format("{} ({})", c, xml_text(names[c])) : std::to_string(c);
}

std::string class_table(const ConfusionMatrix& confusion, const std::vector<std::string>& names) {
  std::string html =
      "<table class=\"per-class\">\n<tr><th>class</th><th>precision</th><th>recall</th><th>f1-score</th><th>support</th></tr>\n";
  for (std::size_t c = 0; c < confusion.classes(); ++c) {
    const auto s = confusion.scores(c);
    html += fmt::format(
        "<tr data-class=\"{0}\"><td>{1}</td><td>{2:.2f}</td><td>{3:.2f}</td><td>{4:.2f}</td><td>{5}</td></tr>\n", c,
        class_label(c, names), s.precision, s.recall, s.f1, s.support);
  }
  return html + fmt::format("<tr><th>accuracy</th><td></td><td></td><td>{:.4f}</td><td>{}</td></tr>\n</table>\n",
                            confusion.accuracy(), confusion.total());
}

std::string evaluation_section(const ReportEvaluation& e) {
  std::string html = fmt::format("<section id=\"evaluation\">\n<h2>Evaluation</h2>\n<p class=\"sub\">{} samples of {}.</p>\n",
                                 e.samples, xml_text(e.data));
  if (!e.values.empty()) {
    html += "<table class=\"values\">\n<tr>";
    for (const auto& [name, value] : e.values) html += "<th>" + xml_text(name) + "</th>";
    html += "</tr>\n<tr>";
    for (const auto& [name, value] : e.values)
      html += fmt::format("<td data-name=\"{}\" data-value=\"{}\">{}</td>", xml_text(name), exact_number(value), keras_metric_value(value, false));
    html += "</tr>\n</table>\n";
  }
  if (e.confusion) {
    html += "<div class=\"row\">\n<div>\n<h3>Confusion matrix (rows: true class, columns: predicted class)</h3>\n";
    if (e.confusion->classes() <= heatmap_max_classes) html += confusion_heatmap_svg(*e.confusion);
    else html += fmt::format("<p class=\"note\">{} classes: too many to draw; the table has each class's scores.</p>\n",
                             e.confusion->classes());
    html += "</div>\n<div>\n<h3>Per class</h3>\n" + class_table(*e.confusion, e.class_names) + "</div>\n</div>\n";
  }
  if (!e.predicted_counts.empty()) {
    html += "<h3>Predicted classes (the data has no labels)</h3>\n<table class=\"predicted\">\n<tr><th>class</th><th>predicted</th></tr>\n";
    for (std::size_t c = 0; c < e.predicted_counts.size(); ++c)
      html += fmt::format("<tr data-class=\"{}\"><td>{}</td><td>{}</td></tr>\n", c, class_label(c, e.class_names),
                          e.predicted_counts[c]);
    html += "</table>\n";
  }
  return html + "</section>\n";
}

std::string misclassified_section(const ReportEvaluation& e) {
  std::string html = fmt::format(
      "<section id=\"misclassified\">\n<h2>Most confident mistakes</h2>\n<p class=\"sub\">The {} of {} misclassified "
      "samples the model was surest of: index in the data, true class, predicted class (its output).</p>\n<div class=\"grid\">\n",
      e.misclassified.size(), e.misclassified_total);
  for (const auto& m : e.misclassified)
    html += fmt::format(
        "<figure class=\"mistake\" data-index=\"{0}\" data-true=\"{1}\" data-predicted=\"{2}\" data-probability=\"{3}\">"
        "<img src=\"{4}\" alt=\"sample {0}\"/><figcaption>#{0}: {1} &#8594; {2} ({5:.2f})</figcaption></figure>\n",
        m.index, m.truth, m.predicted, exact_number(m.probability), png_data_uri(m.png), m.probability);
  return html + "</div>\n</section>\n";
}

std::string weights_section(const std::vector<ReportWeight>& weights) {
  std::string html = "<section id=\"weights\">\n<h2>Weights</h2>\n<p class=\"sub\">Each weight tensor's values in 30 "
                     "equal bins over its range.</p>\n";
  for (std::size_t i = 0; i < weights.size();) {
    const std::string& layer = weights[i].layer;
    html += "<h3>" + xml_text(layer) + "</h3>\n<div class=\"row\">\n";
    for (; i < weights.size() && weights[i].layer == layer; ++i) {
      const auto& w = weights[i];
      html += histogram_svg(histogram(w.values), w.layer + "/" + w.name,
                            w.shape + (w.trainable ? "" : ", not trainable"));
    }
    html += "</div>\n";
  }
  return html + "</section>\n";
}

}  // namespace

std::vector<HistoryChart> history_charts(const std::vector<ReportLogs>& history) {
  std::vector<std::string> keys;  // in the order they first appear
  for (const auto& logs : history)
    for (const auto& [name, value] : logs)
      if (std::find(keys.begin(), keys.end(), name) == keys.end()) keys.push_back(name);
  const auto has = [&](const std::string& key) { return std::find(keys.begin(), keys.end(), key) != keys.end(); };
  std::vector<HistoryChart> charts;
  for (const auto& key : keys) {
    if (key == "lr") continue;
    if (key.starts_with("val_")) {
      if (!has(key.substr(4))) charts.push_back({key, {key}});  // no training twin to share a chart with
      continue;
    }
    charts.push_back({key, {key}});
    if (has("val_" + key)) charts.back().keys.push_back("val_" + key);
  }
  // The learning rate, when it changed: a callback logs it (ReduceLROnPlateau, LearningRateScheduler).
  double low = INFINITY, high = -INFINITY;
  for (const auto& logs : history)
    if (const double* v = find(logs, "lr"); v && std::isfinite(*v)) low = std::min(low, *v), high = std::max(high, *v);
  if (high > low) charts.push_back({"lr", {"lr"}});
  return charts;
}

std::string html_report(const ReportContent& content) {
  std::string html = "<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n";
  html += "<title>" + xml_text("mlp report: " + content.title) + "</title>\n<style>" + style + "</style>\n</head>\n<body>\n";
  html += "<h1>" + xml_text(content.title) + "</h1>\n";
  html += fmt::format("<p class=\"sub\">Report by {}.</p>\n<nav><a href=\"#model\">Model</a><a href=\"#history\">History</a>",
                      program_version);
  const auto* e = content.evaluation ? &*content.evaluation : nullptr;
  if (e) html += "<a href=\"#evaluation\">Evaluation</a>";
  if (e && !e->misclassified.empty()) html += "<a href=\"#misclassified\">Mistakes</a>";
  if (!content.weights.empty()) html += "<a href=\"#weights\">Weights</a>";
  html += "</nav>\n";
  html += "<section id=\"model\">\n<h2>Model</h2>\n<div class=\"row\">\n<div>\n<h3>Summary</h3>\n<pre class=\"summary\">" +
          xml_text(content.summary) + "</pre>\n</div>\n<div>\n<h3>Resolved config</h3>\n<pre class=\"config\">" +
          xml_text(content.config) + "</pre>\n</div>\n</div>\n</section>\n";
  html += history_section(content);
  if (e) html += evaluation_section(*e);
  if (e && !e->misclassified.empty()) html += misclassified_section(*e);
  if (!content.weights.empty()) html += weights_section(content.weights);
  return html + "</body>\n</html>\n";
}

}  // namespace mlp
