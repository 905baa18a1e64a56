#include "train/progbar_logger.h"

#include <cmath>
#include <string>

#include "core/clock.h"
#include "report/keras_format.h"

namespace mlp {
namespace {

constexpr int bar_width = 30;
constexpr double update_interval = 0.05;  // seconds between redraws

}  // namespace

ProgbarLogger::ProgbarLogger(std::ostream& out, int verbose, bool dynamic, Clock clock)
    : out_(out), verbose_(verbose), dynamic_(dynamic), clock_(clock ? std::move(clock) : Clock(seconds_now)) {}

void ProgbarLogger::on_train_begin(const TrainInfo& info) {
  target_ = info.train_samples;
  epochs_ = info.epochs;
  if (verbose_ > 0 && info.val_samples > 0)
    out_ << "Train on " << info.train_samples << " samples, validate on " << info.val_samples << " samples\n"
         << std::flush;
}

void ProgbarLogger::on_epoch_begin(int epoch) {
  if (verbose_ == 0) return;
  out_ << "Epoch " << epoch + 1 << '/' << epochs_ << '\n' << std::flush;
  start_ = clock_();
  last_update_ = 0.0;
  total_width_ = 0;
  seen_ = 0;
}

void ProgbarLogger::on_batch_end(std::size_t, BatchLogs& logs) {
  if (logs.running) update(logs.seen, *logs.running);
}

void ProgbarLogger::update(std::size_t seen, const Logs& running) {
  seen_ = seen;
  // The last batch is drawn by on_epoch_end, with the validation values.
  if (verbose_ == 1 && seen < target_) draw(seen, running, false);
}

void ProgbarLogger::on_epoch_end(int, Logs& logs) {
  if (verbose_ == 0) return;
  draw(seen_, logs, true);
}

void ProgbarLogger::draw(std::size_t current, const Logs& values, bool finished) {
  const double now = clock_();
  if (verbose_ == 2) {
    if (!finished) return;
    std::string line = " - " + keras_seconds(now - start_);
    for (const auto& [name, value] : values) line += " - " + name + ": " + keras_metric_value(value, false);
    out_ << line << '\n' << std::flush;
    return;
  }
  if (!finished && now - last_update_ < update_interval) return;

  const std::size_t previous_width = total_width_;
  if (dynamic_) out_ << std::string(previous_width, '\b') << '\r';
  else out_ << '\n';

  const int digits = target_ > 0 ? static_cast<int>(std::floor(std::log10(static_cast<double>(target_)))) + 1 : 1;
  std::string bar = std::to_string(current);
  if (bar.size() < static_cast<std::size_t>(digits)) bar.insert(0, static_cast<std::size_t>(digits) - bar.size(), ' ');
  bar += "/" + std::to_string(target_) + " [";
  const int progress = target_ > 0 ? static_cast<int>(bar_width * static_cast<double>(current) / static_cast<double>(target_)) : bar_width;
  if (progress > 0) {
    bar += std::string(static_cast<std::size_t>(progress - 1), '=');
    bar += current < target_ ? '>' : '=';
  }
  bar += std::string(static_cast<std::size_t>(bar_width - progress), '.') + "]";
  total_width_ = bar.size();

  const double per_unit = current ? (now - start_) / static_cast<double>(current) : 0.0;
  std::string info;
  if (current < target_) {
    info = " - ETA: " + keras_eta(per_unit * static_cast<double>(target_ - current));
  } else {
    info = " - " + keras_seconds(now - start_) + " " + keras_time_per_unit(per_unit);
  }
  for (const auto& [name, value] : values) info += " - " + name + ": " + keras_metric_value(value, true);
  total_width_ += info.size();
  if (previous_width > total_width_) info += std::string(previous_width - total_width_, ' ');
  if (current >= target_) info += '\n';
  out_ << bar << info << std::flush;
  last_update_ = now;
}

}  // namespace mlp
