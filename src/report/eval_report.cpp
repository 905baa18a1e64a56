#include "report/eval_report.h"

#include <algorithm>
#include <string>

#include <fmt/format.h>

namespace mlp {

std::uint64_t ConfusionMatrix::total() const {
  std::uint64_t n = 0;
  for (auto c : counts_) n += c;
  return n;
}

double ConfusionMatrix::accuracy() const {
  std::uint64_t hits = 0;
  for (std::size_t c = 0; c < classes_; ++c) hits += at(c, c);
  const auto n = total();
  return n ? static_cast<double>(hits) / static_cast<double>(n) : 0.0;
}

ConfusionMatrix::ClassScores ConfusionMatrix::scores(std::size_t c) const {
  ClassScores s;
  std::uint64_t predicted = 0;
  for (std::size_t t = 0; t < classes_; ++t) predicted += at(t, c);
  for (std::size_t p = 0; p < classes_; ++p) s.support += at(c, p);
  const auto hits = static_cast<double>(at(c, c));
  s.precision = predicted ? hits / static_cast<double>(predicted) : 0.0;
  s.recall = s.support ? hits / static_cast<double>(s.support) : 0.0;
  s.f1 = s.precision + s.recall > 0 ? 2 * s.precision * s.recall / (s.precision + s.recall) : 0.0;
  return s;
}

void ConfusionMatrix::print(std::ostream& out) const {
  std::size_t width = 1;
  for (auto c : counts_) width = std::max(width, std::to_string(c).size());
  width = std::max(width, std::to_string(classes_ - 1).size());
  out << "Confusion matrix (rows: true class, columns: predicted class)\n";
  out << std::string(std::to_string(classes_ - 1).size(), ' ') << " ";
  for (std::size_t p = 0; p < classes_; ++p) out << fmt::format(" {:>{}}", p, width);
  out << '\n';
  for (std::size_t t = 0; t < classes_; ++t) {
    out << fmt::format("{:>{}} ", t, std::to_string(classes_ - 1).size());
    for (std::size_t p = 0; p < classes_; ++p) out << fmt::format(" {:>{}}", at(t, p), width);
    out << '\n';
  }
}

// sklearn.metrics.classification_report: width = max(len(longest class name),
// len("weighted avg")), rows "{:>{width}s} " + " {:>9.2f}" x 3 + " {:>9}".
void ConfusionMatrix::print_classification_report(std::ostream& out) const {
  const std::string heading = "weighted avg";
  const std::size_t width = std::max(heading.size(), std::to_string(classes_ - 1).size());
  out << fmt::format("{:>{}} ", "", width) << fmt::format(" {:>9} {:>9} {:>9} {:>9}", "precision", "recall", "f1-score", "support")
      << "\n\n";
  auto row = [&](const std::string& name, double p, double r, double f, std::uint64_t support) {
    out << fmt::format("{:>{}}  {:>9.2f} {:>9.2f} {:>9.2f} {:>9}\n", name, width, p, r, f, support);
  };
  double macro_p = 0, macro_r = 0, macro_f = 0, weighted_p = 0, weighted_r = 0, weighted_f = 0;
  const auto n = total();
  for (std::size_t c = 0; c < classes_; ++c) {
    const ClassScores s = scores(c);
    row(std::to_string(c), s.precision, s.recall, s.f1, s.support);
    macro_p += s.precision / static_cast<double>(classes_);
    macro_r += s.recall / static_cast<double>(classes_);
    macro_f += s.f1 / static_cast<double>(classes_);
    const double weight = n ? static_cast<double>(s.support) / static_cast<double>(n) : 0.0;
    weighted_p += s.precision * weight;
    weighted_r += s.recall * weight;
    weighted_f += s.f1 * weight;
  }
  out << '\n';
  out << fmt::format("{:>{}}  {:>9} {:>9} {:>9.2f} {:>9}\n", "accuracy", width, "", "", accuracy(), n);
  row("macro avg", macro_p, macro_r, macro_f, n);
  row("weighted avg", weighted_p, weighted_r, weighted_f, n);
}

nlohmann::json ConfusionMatrix::to_json() const {
  nlohmann::json matrix = nlohmann::json::array();
  for (std::size_t t = 0; t < classes_; ++t) {
    nlohmann::json row = nlohmann::json::array();
    for (std::size_t p = 0; p < classes_; ++p) row.push_back(at(t, p));
    matrix.push_back(row);
  }
  nlohmann::json per_class = nlohmann::json::array();
  for (std::size_t c = 0; c < classes_; ++c) {
    const ClassScores s = scores(c);
    per_class.push_back({{"class", c}, {"precision", s.precision}, {"recall", s.recall}, {"f1", s.f1}, {"support", s.support}});
  }
  return {{"confusion_matrix", matrix}, {"classes", per_class}};
}

void R2Score::add(const float* truth, const float* predicted) {
  ++n_;
  for (std::size_t k = 0; k < sum_.size(); ++k) {
    sum_[k] += truth[k];
    squares_[k] += static_cast<double>(truth[k]) * truth[k];
    const double e = static_cast<double>(truth[k]) - predicted[k];
    residuals_[k] += e * e;
  }
}

void R2Score::sum_over(Collective& team) {
  if (!team.distributed()) return;
  std::vector<double> all{static_cast<double>(n_)};
  for (const auto* part : {&sum_, &squares_, &residuals_}) all.insert(all.end(), part->begin(), part->end());
  team.sum(all.data(), all.size());
  n_ = static_cast<std::size_t>(all[0]);
  auto at = all.begin() + 1;
  for (auto* part : {&sum_, &squares_, &residuals_}) {
    std::copy(at, at + static_cast<std::ptrdiff_t>(part->size()), part->begin());
    at += static_cast<std::ptrdiff_t>(part->size());
  }
}

double R2Score::value() const {
  if (n_ == 0 || sum_.empty()) return 0.0;
  double total = 0;
  for (std::size_t k = 0; k < sum_.size(); ++k) {
    const double n = static_cast<double>(n_);
    const double spread = std::max(0.0, squares_[k] - sum_[k] * sum_[k] / n);
    total += spread > 0 ? 1.0 - residuals_[k] / spread : residuals_[k] == 0 ? 1.0 : 0.0;
  }
  return total / static_cast<double>(sum_.size());
}

}  // namespace mlp
