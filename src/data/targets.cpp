#include "data/targets.h"

#include <charconv>
#include <cmath>
#include <unordered_map>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "core/error.h"

namespace mlp {

bool as_class_id(double value, std::size_t limit, std::uint32_t& id) {
  if (!(value >= 0) || value != std::floor(value) || value >= static_cast<double>(limit)) return false;
  id = static_cast<std::uint32_t>(value);
  return true;
}

bool parse_number(std::string_view text, float& value) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  if (text.size() > 1 && text.front() == '+' && text[1] != '-') text.remove_prefix(1);
  if (text.empty()) return false;
  // from_chars reads "inf" and "nan": refused with the other non-finite values.
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  return error == std::errc() && end == text.data() + text.size() && std::isfinite(value);
}

void read_class_texts(const std::vector<std::string>& texts, const TargetNeeds& needs,
                      const std::function<std::string(std::size_t)>& where, const std::string& path, Dataset& data) {
  const std::size_t limit = class_limit(needs.outputs);
  data.labels.resize(texts.size());
  bool numbers = needs.class_names.empty();
  if (numbers)
    for (std::size_t i = 0; i < texts.size() && numbers; ++i) {
      float v = 0;
      numbers = parse_number(texts[i], v) && v >= 0 && v == std::floor(v);
    }
  if (numbers) {
    for (std::size_t i = 0; i < texts.size(); ++i) {
      float v = 0;
      parse_number(texts[i], v);
      if (!as_class_id(v, limit, data.labels[i]))
        throw DataError(path, fmt::format("{}: class {} is beyond the model's {} classes (the last layer's units)", where(i),
                                          texts[i], limit));
    }
    return;
  }
  // Text classes: the training data's names, or numbered as they first appear.
  data.class_names = needs.class_names;
  std::unordered_map<std::string, std::uint32_t> ids;
  for (std::size_t c = 0; c < data.class_names.size(); ++c) ids.emplace(data.class_names[c], static_cast<std::uint32_t>(c));
  const bool known = !needs.class_names.empty();
  for (std::size_t i = 0; i < texts.size(); ++i) {
    auto it = ids.find(texts[i]);
    if (it == ids.end()) {
      if (known)
        throw DataError(path, fmt::format("{}: class \"{}\" is not one the model was trained on ({})", where(i), texts[i],
                                          fmt::join(data.class_names, ", ")));
      if (data.class_names.size() == limit)
        throw DataError(path, fmt::format("{}: class \"{}\" is one more than the model's {} classes (the last layer's "
                                          "units; {})",
                                          where(i), texts[i], limit, fmt::join(data.class_names, ", ")));
      it = ids.emplace(texts[i], static_cast<std::uint32_t>(data.class_names.size())).first;
      data.class_names.push_back(texts[i]);
    }
    data.labels[i] = it->second;
  }
}

void read_one_hot(std::span<const float> rows, std::size_t width, const TargetNeeds& needs,
                  const std::function<std::string(std::size_t)>& where, const std::string& path, Dataset& data) {
  if (width != needs.outputs)
    throw DataError(path, fmt::format("{} target columns for a model with {} outputs (one-hot classes need one per unit)",
                                      width, needs.outputs));
  const std::size_t n = width ? rows.size() / width : 0;
  data.labels.resize(n);
  for (std::size_t i = 0; i < n; ++i) {
    std::size_t ones = 0;
    for (std::size_t k = 0; k < width; ++k) {
      const float v = rows[i * width + k];
      if (v != 0.0f && v != 1.0f) ones = width + 1;
      if (v == 1.0f) {
        ++ones;
        data.labels[i] = static_cast<std::uint32_t>(k);
      }
    }
    if (ones != 1) throw DataError(path, fmt::format("{}: the targets are not one-hot (one 1, the rest 0)", where(i)));
  }
}

}  // namespace mlp
