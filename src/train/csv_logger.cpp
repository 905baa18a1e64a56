#include "train/csv_logger.h"

#include <algorithm>
#include <filesystem>

#include <fmt/format.h>

#include "config/json_reader.h"
#include "core/atomic_file.h"
#include "core/error.h"
#include "core/input_file.h"
#include "train/callback_table.h"

namespace mlp {

CsvLogger::CsvLogger(std::string path, std::string separator, bool append)
    : path_(std::move(path)), separator_(std::move(separator)), append_(append) {}

std::string CsvLogger::render(const std::vector<Logs>& epochs, int first_epoch, const std::string& separator,
                              bool header) {
  if (epochs.empty()) return "";
  std::vector<std::string> keys;
  for (const auto& entry : epochs.front()) keys.push_back(entry.first);
  std::sort(keys.begin(), keys.end());
  std::string text;
  if (header) {
    text = "epoch";
    for (const auto& key : keys) text += separator + key;
    text += "\r\n";
  }
  for (std::size_t e = 0; e < epochs.size(); ++e) {
    text += std::to_string(first_epoch + static_cast<int>(e));
    for (const auto& key : keys) {
      const double* value = find_log(epochs[e], key);
      // Shortest text that reads back as the same float32, like str() of numpy's float32.
      text += separator + (value ? fmt::format("{}", static_cast<float>(*value)) : std::string("NA"));
    }
    text += "\r\n";
  }
  return text;
}

void CsvLogger::on_train_begin(const TrainInfo& info) {
  epochs_.clear();
  kept_.clear();
  first_epoch_ = info.first_epoch;
  if (append_) {
    std::error_code error;
    if (std::filesystem::exists(path_, error))
      kept_ = read_input_file(path_, "the CSV log to append to", std::uint64_t{1} << 30);
    if (!kept_.empty() && kept_.back() != '\n') kept_ += "\r\n";
  } else if (info.earlier_epochs) {
    epochs_ = *info.earlier_epochs;
    first_epoch_ = info.first_logged_epoch();
  }
}

void CsvLogger::on_epoch_end(int, Logs& logs) {
  epochs_.push_back(logs);
  write_file_atomically(path_, kept_ + render(epochs_, first_epoch_, separator_, kept_.empty()));
}

std::unique_ptr<Callback> make_csv_logger(ObjectReader& reader, const CallbackEnv& env) {
  const std::string filename = reader.string("filename");
  const std::string separator = reader.string("separator", ",");
  // Python's csv module takes a one-character delimiter.
  if (separator.size() != 1 || separator == "\r" || separator == "\n" || separator == "\"")
    throw ConfigError(reader.path("separator"), "expected one character other than a quote or a line end, got \"" +
                                                    separator + "\"");
  const bool append = reader.boolean("append", false);
  if (!env.writes_files) return std::make_unique<Callback>();  // stateless, as a CsvLogger is
  return std::make_unique<CsvLogger>(filename, separator, append);
}

}  // namespace mlp
