// Weight initializers (keras@2.2.4:keras/initializers.py), one table row each.
#pragma once

#include <cstddef>
#include <span>

#include <string>

#include "config/json_reader.h"
#include "core/rng.h"
#include "nn/registry.h"

namespace mlp {

// Fills `w` for a kernel of shape [fan_in x fan_out] (a bias has fan_in = its size).
using InitializerFn = void (*)(Rng& rng, std::span<float> w, std::size_t fan_in, std::size_t fan_out);

const NameTable<InitializerFn>& initializer_table();

// An initializer key of a layer (`kernel_initializer`...): its table name,
// aliases and case resolved, `fallback` when absent; ConfigError at its path.
inline std::string read_initializer(ObjectReader& reader, const std::string& key, const std::string& fallback) {
  return initializer_table().find(reader.string(key, fallback), reader.path(key)).name;
}

}  // namespace mlp
