// The HTML report of a model (mlp-report, mlp-train --report): one
// self-contained page, inline SVG and data: URIs only, no script, that opens
// from disk in any browser. It is also well-formed XML (every element closed,
// every attribute quoted), so xmllint can check it whole. This file lays the
// page out from plain data; app/report_page.cpp gathers that data from a model.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "report/eval_report.h"

namespace mlp {

using ReportLogs = std::vector<std::pair<std::string, double>>;  // one epoch's, as History keeps them

struct ReportImage {
  std::size_t index = 0;  // in the data set
  std::string png;        // the image as a PNG file
  std::size_t truth = 0, predicted = 0;
  double probability = 0;  // the model's output for the predicted class
};

struct ReportEvaluation {
  std::string data;  // where the samples come from, as the user named them
  std::size_t samples = 0;
  ReportLogs values;  // loss and metrics, as mlp-eval prints them; empty without labels
  std::optional<ConfusionMatrix> confusion;    // labelled classification data
  std::vector<std::uint64_t> predicted_counts;  // unlabelled data: how often each class was predicted
  std::vector<ReportImage> misclassified;      // the most confident mistakes first
  std::uint64_t misclassified_total = 0;
  std::vector<std::string> class_names;        // the training data's, by class id (empty: ids are names)
};

struct ReportWeight {
  std::string layer, name, shape;  // "dense_1", "kernel", "784 x 100"
  bool trainable = true;
  std::span<const float> values;
};

struct ReportContent {
  std::string title;    // the model's file
  std::string summary;  // Keras's summary table
  std::string config;   // the resolved config, as JSON text
  int first_epoch = 1;  // the number of history[0]'s epoch
  std::vector<ReportLogs> history;
  std::optional<ReportEvaluation> evaluation;
  std::vector<ReportWeight> weights;
};

// The history's charts: one per quantity ("loss" with "val_loss", each metric
// with its val_ twin), and the learning rate when a callback changed it.
struct HistoryChart {
  std::string quantity;                    // "loss", "acc", "lr"
  std::vector<std::string> keys;           // the history's keys it plots, in order
};
std::vector<HistoryChart> history_charts(const std::vector<ReportLogs>& history);

std::string html_report(const ReportContent& content);

}  // namespace mlp
