// One explicit name table per family (activations, losses, optimizers, ...). A row
// is a name, its aliases and the entry; lookup is case-insensitive and an unknown
// name is a ConfigError naming the key path and the nearest known name.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "config/suggest.h"
#include "core/strings.h"
#include "core/error.h"

namespace mlp {

template <class Entry>
struct NamedRow {
  std::string name;
  std::vector<std::string> aliases;
  Entry entry;
};

template <class Entry>
class NameTable {
 public:
  NameTable(std::string family, std::vector<NamedRow<Entry>> rows)
      : family_(std::move(family)), rows_(std::move(rows)) {}

  const NamedRow<Entry>* try_find(std::string_view name) const {
    const std::string wanted = to_lower(name);
    for (const auto& row : rows_) {
      if (to_lower(row.name) == wanted) return &row;
      for (const auto& alias : row.aliases)
        if (to_lower(alias) == wanted) return &row;
    }
    return nullptr;
  }

  // The row for `name`, or a ConfigError at `key_path`.
  const NamedRow<Entry>& find(std::string_view name, const std::string& key_path) const {
    if (const auto* row = try_find(name)) return *row;
    throw ConfigError(key_path, "unknown " + family_ + " '" + std::string(name) + "'" +
                                    did_you_mean(name, all_names()) + "; known: " + join(names(), ", "));
  }

  std::vector<std::string> names() const {
    std::vector<std::string> out;
    for (const auto& row : rows_) out.push_back(row.name);
    return out;
  }
  std::vector<std::string> all_names() const {
    std::vector<std::string> out = names();
    for (const auto& row : rows_) out.insert(out.end(), row.aliases.begin(), row.aliases.end());
    return out;
  }
  const std::vector<NamedRow<Entry>>& rows() const { return rows_; }

 private:
  std::string family_;
  std::vector<NamedRow<Entry>> rows_;
};

}  // namespace mlp
