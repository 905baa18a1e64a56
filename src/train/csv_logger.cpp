#include "train/csv_logger.h"

#include <algorithm>

#include <fmt/format.h>

#include "core/atomic_file.h"

namespace mlp {

CsvLogger::CsvLogger(std::string path, std::vector<Logs> earlier_epochs)
    : path_(std::move(path)), epochs_(std::move(earlier_epochs)) {}

std::string CsvLogger::render(const std::vector<Logs>& epochs) {
  if (epochs.empty()) return "";
  std::vector<std::string> keys;
  for (const auto& entry : epochs.front()) keys.push_back(entry.first);
  std::sort(keys.begin(), keys.end());
  std::string text = "epoch";
  for (const auto& key : keys) text += "," + key;
  text += "\r\n";
  for (std::size_t e = 0; e < epochs.size(); ++e) {
    text += std::to_string(e);
    for (const auto& key : keys) {
      auto it = std::find_if(epochs[e].begin(), epochs[e].end(), [&](const auto& entry) { return entry.first == key; });
      // Shortest text that reads back as the same float32, like str() of numpy's float32.
      text += it == epochs[e].end() ? ",NA" : fmt::format(",{}", static_cast<float>(it->second));
    }
    text += "\r\n";
  }
  return text;
}

void CsvLogger::on_epoch_end(int, Logs& logs) {
  epochs_.push_back(logs);
  write_file_atomically(path_, render(epochs_));
}

}  // namespace mlp
