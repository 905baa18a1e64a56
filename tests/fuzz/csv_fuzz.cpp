// libFuzzer target: CSV tables (the RFC 4180 reader and the table's checks) on
// arbitrary bytes. The first byte picks the delimiter, header and task; the
// model's input takes every column of the first record but the last. Any
// outcome but a DataError or a data set of the promised size is a bug.
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <string>

#include "core/error.h"
#include "data/csv_reader.h"
#include "data/load_data.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  static const std::string path = "/tmp/mlp-csv-fuzz-" + std::to_string(::getpid()) + ".csv";
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) return 0;
  std::fwrite(data + 1, 1, size - 1, f);
  std::fclose(f);
  const std::uint8_t options = data[0];
  mlp::DataSpec spec;
  spec.format = mlp::DataFormat::csv;
  spec.path = path;
  spec.delimiter = (options & 1) ? ';' : ',';
  spec.header = (options & 2) != 0;
  spec.target = (options & 4) ? mlp::Json(-1) : mlp::Json("y");
  if (!spec.header && !spec.target.is_number()) spec.target = 0;
  const bool regression = (options & 8) != 0;
  try {
    std::size_t columns = 0;
    {
      mlp::CsvReader reader(path, spec.delimiter);
      std::vector<std::string_view> fields;
      if (!reader.next(fields)) return 0;
      columns = fields.size();
    }
    if (columns < 2 || columns > 4096) return 0;
    const mlp::Dataset set = mlp::load_data(spec, {columns - 1}, {regression ? 1u : 3u, regression, {}});
    if (set.values.size() != set.size() * (columns - 1)) __builtin_trap();
    if (regression ? set.targets.size() != set.size() : set.labels.size() != set.size()) __builtin_trap();
    for (const auto label : set.labels)
      if (label >= 3) __builtin_trap();
  } catch (const mlp::DataError&) {
  }
  return 0;
}
