#include "train/json_logger.h"

#include <cmath>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/atomic_file.h"
#include "core/clock.h"
#include "nn/optimizers/optimizer.h"

namespace mlp {
namespace {

std::string number(double value) {
  return std::isfinite(value) ? fmt::format("{}", static_cast<float>(value)) : std::string("null");
}

}  // namespace

std::string JsonLogger::line(int epoch, const Logs& logs, double learning_rate, double seconds) {
  std::string text = fmt::format("{{\"epoch\": {}", epoch);
  bool has_lr = false;
  for (const auto& [name, value] : logs) {
    text += fmt::format(", {}: {}", nlohmann::json(name).dump(), number(value));
    has_lr = has_lr || name == "lr";
  }
  if (!has_lr) text += ", \"lr\": " + number(learning_rate);
  text += ", \"seconds\": " + (seconds >= 0.0 ? fmt::format("{:.3f}", seconds) : std::string("null"));
  return text + "}\n";
}

void JsonLogger::on_train_begin(const TrainInfo& info) {
  text_.clear();
  if (!info.earlier_epochs) return;
  const int first = info.first_logged_epoch();
  // An epoch that did not log lr ran with the rate the optimizer still has: only callbacks that log it change it.
  for (std::size_t e = 0; e < info.earlier_epochs->size(); ++e)
    text_ += line(first + static_cast<int>(e), (*info.earlier_epochs)[e], control_->optimizer->learning_rate(), -1.0);
}

void JsonLogger::on_epoch_begin(int) { start_ = seconds_now(); }

void JsonLogger::on_epoch_end(int epoch, Logs& logs) {
  text_ += line(epoch, logs, control_->optimizer->learning_rate(), seconds_now() - start_);
  write_file_atomically(path_, text_);
}

}  // namespace mlp
