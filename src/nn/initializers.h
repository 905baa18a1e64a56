// Weight initializers (keras@2.2.4:keras/initializers.py), one table row each.
#pragma once

#include <cstddef>
#include <span>

#include "core/rng.h"
#include "nn/registry.h"

namespace mlp {

// Fills `w` for a kernel of shape [fan_in x fan_out] (a bias has fan_in = its size).
using InitializerFn = void (*)(Rng& rng, std::span<float> w, std::size_t fan_in, std::size_t fan_out);

const NameTable<InitializerFn>& initializer_table();

}  // namespace mlp
