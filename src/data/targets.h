// Targets as a task reads them, shared by the CSV and NumPy readers
// (data/load_data.h says the rules).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "data/dataset.h"
#include "data/load_data.h"

namespace mlp {

// The largest class id + 1 the model's outputs allow (a single unit: classes 0 and 1).
inline std::size_t class_limit(std::size_t outputs) { return outputs == 1 ? 2 : outputs; }

// A cell or array value as a class id: a whole number in [0, limit); false otherwise.
bool as_class_id(double value, std::size_t limit, std::uint32_t& id);

// One class target per sample given as text (a CSV column): class ids when every
// text is a whole number from 0 and no names are known, else names mapped to ids
// (`names`: the training data's, extended in order of first appearance when it
// came empty). `where(i)` describes sample i's place for messages ("line 12,
// column 5 (\"species\")"). Fills data.labels and data.class_names.
void read_class_texts(const std::vector<std::string>& texts, const TargetNeeds& needs,
                      const std::function<std::string(std::size_t)>& where, const std::string& path, Dataset& data);

// Several 0/1 columns per sample, one of them 1 (one-hot): the class ids.
void read_one_hot(std::span<const float> rows, std::size_t width, const TargetNeeds& needs,
                  const std::function<std::string(std::size_t)>& where, const std::string& path, Dataset& data);

// A locale-independent number: optional spaces, an optional sign, digits with a
// decimal point and an exponent ("1.5e-3", "+2", " 7 "), finite and within float32.
bool parse_number(std::string_view text, float& value);

}  // namespace mlp
