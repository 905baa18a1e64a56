#include "data/csv_table.h"

#include <algorithm>

#include <fmt/format.h>

#include "config/suggest.h"
#include "core/error.h"
#include "data/csv_reader.h"
#include "data/targets.h"

namespace mlp {
namespace {

constexpr std::size_t max_values = std::size_t{1} << 31;  // 8 GiB of float32

// The target columns' indices in a table of `names` (its header, or the
// columns' numbers), in the order given.
std::vector<std::size_t> target_columns(const DataSpec& spec, const std::vector<std::string>& names, bool header) {
  const Json list = spec.target.is_array() ? spec.target : Json::array({spec.target});
  std::vector<std::size_t> columns;
  for (const Json& t : list) {
    std::size_t column = 0;
    if (t.is_string()) {
      const auto it = std::find(names.begin(), names.end(), t.get<std::string>());
      if (it == names.end()) {
        throw DataError(spec.path, fmt::format("target: no column named \"{}\" in the header{}", t.get<std::string>(),
                                               did_you_mean(t.get<std::string>(), names)));
      }
      column = static_cast<std::size_t>(it - names.begin());
    } else {
      const auto index = t.get<std::int64_t>();
      const auto count = static_cast<std::int64_t>(names.size());
      if (index >= count || index < -count)
        throw DataError(spec.path, fmt::format("target: column {} does not exist: the {} has {} columns", index,
                                               header ? "header" : "first line", count));
      column = static_cast<std::size_t>(index < 0 ? index + count : index);
    }
    if (std::find(columns.begin(), columns.end(), column) != columns.end())
      throw DataError(spec.path, fmt::format("target: column {} (\"{}\") is named twice", column, names[column]));
    columns.push_back(column);
  }
  return columns;
}

}  // namespace

Dataset read_csv_table(const DataSpec& spec, const Shape& input_shape, const TargetNeeds* needs) {
  CsvReader reader(spec.path, spec.delimiter);
  std::vector<std::string_view> fields;
  if (!reader.next(fields)) throw DataError(spec.path, "is empty: no header and no rows");
  std::vector<std::string> names;
  for (std::size_t c = 0; c < fields.size(); ++c)
    names.push_back(spec.header ? std::string(fields[c]) : fmt::format("column {}", c));
  const std::size_t columns = names.size();
  const std::size_t features = shape_size(input_shape);

  // Which columns are targets: all the spec names when it reads targets; for
  // features alone, the training spec's when this file has them.
  std::vector<std::size_t> targets;
  if (needs) {
    targets = target_columns(spec, names, spec.header);
  } else if (columns != features) {
    try {
      targets = target_columns(spec, names, spec.header);
    } catch (const DataError&) {
      targets.clear();
    }
  }
  std::vector<bool> is_target(columns, false);
  for (const auto t : targets) is_target[t] = true;
  if (columns - targets.size() != features)
    throw DataError(spec.path, fmt::format("{} feature columns ({} columns{}), and model.input_shape {} takes {} values",
                                           columns - targets.size(), columns,
                                           targets.empty() ? "" : fmt::format(", {} of them targets", targets.size()),
                                           Json(input_shape).dump(), features));

  Dataset data;
  data.features_path = data.targets_path = spec.path;
  const bool regression = needs && needs->regression;
  const bool one_hot = needs && !regression && targets.size() > 1;
  std::vector<std::string> class_texts;      // a single class column's cells, decided at the end
  std::vector<std::uint64_t> lines;          // each sample's line, for messages about its class
  std::vector<float> target_values;          // regression and one-hot columns
  const auto where = [&](std::uint64_t line, std::size_t column) {
    return fmt::format("line {}, column {} (\"{}\")", line, column + 1, names[column]);
  };
  bool first = !spec.header;  // the first record is data when there is no header
  std::size_t samples = 0;
  while (first || reader.next(fields)) {
    first = false;
    if (fields.size() != columns)
      throw DataError(spec.path, fmt::format("line {}: {} fields, the {} has {}", reader.line(), fields.size(),
                                             spec.header ? "header" : "first line", columns));
    if (data.values.size() + features > max_values)
      throw DataError(spec.path, fmt::format("more than {} values: too large to hold in memory", max_values));
    for (std::size_t c = 0; c < columns; ++c) {
      if (is_target[c] && needs && !regression && !one_hot) {
        class_texts.emplace_back(fields[c]);
        continue;
      }
      if (is_target[c] && !needs) continue;
      float v = 0;
      if (!parse_number(fields[c], v))
        throw DataError(spec.path, fmt::format("{}: \"{}\" is not a number", where(reader.line(), c),
                                               fields[c].substr(0, 40)));
      (is_target[c] ? target_values : data.values).push_back(v);
    }
    if (needs && !regression) lines.push_back(reader.line());
    ++samples;
  }
  if (samples == 0) throw DataError(spec.path, "holds no rows of data");
  data.dims = {samples};
  data.dims.insert(data.dims.end(), input_shape.begin(), input_shape.end());
  if (!needs) return data;

  // The targets, in the order the spec names the columns.
  if (regression) {
    if (targets.size() != needs->outputs)
      throw DataError(spec.path, fmt::format("{} target columns for a regression model with {} outputs", targets.size(),
                                             needs->outputs));
    // Read in file order; put each sample's in the spec's order.
    std::vector<std::size_t> order(targets.size());
    std::vector<std::size_t> sorted = targets;
    std::sort(sorted.begin(), sorted.end());
    for (std::size_t k = 0; k < targets.size(); ++k)
      order[k] = static_cast<std::size_t>(std::find(sorted.begin(), sorted.end(), targets[k]) - sorted.begin());
    data.targets.resize(target_values.size());
    for (std::size_t i = 0; i < samples; ++i)
      for (std::size_t k = 0; k < targets.size(); ++k)
        data.targets[i * targets.size() + k] = target_values[i * targets.size() + order[k]];
    return data;
  }
  const auto sample_place = [&](std::size_t i) { return where(lines[i], targets.front()); };
  if (one_hot) {
    std::vector<std::size_t> sorted = targets;
    std::sort(sorted.begin(), sorted.end());
    if (sorted != targets)
      throw DataError(spec.path, "target: one-hot class columns must be named in the file's order");
    read_one_hot(target_values, targets.size(), *needs, [&](std::size_t i) { return fmt::format("line {}", lines[i]); },
                 spec.path, data);
    return data;
  }
  read_class_texts(class_texts, *needs, sample_place, spec.path, data);
  return data;
}

}  // namespace mlp
