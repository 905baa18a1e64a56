// Builds layers from their config objects: the one place where a layer type name
// meets its class (see layer_table.cpp).
#pragma once

#include <map>
#include <memory>
#include <string>

#include "config/json_reader.h"
#include "nn/layer.h"
#include "nn/registry.h"

namespace mlp {

struct LayerContext {
  Shape input_shape;
  std::map<std::string, int>* name_counters;  // Keras: per-class uid from 1 (dense_1, dense_2)

  // "dense_3" for "Dense": an explicit "name" key wins.
  std::string auto_name(ObjectReader& reader, const std::string& snake_class);
};

// Reads a layer's keys (its reader's getters mark them known) and builds it for
// context.input_shape. Each layer's file defines one; layer_table.cpp lists them.
using LayerMaker = std::unique_ptr<Layer> (*)(ObjectReader& reader, LayerContext& context);

const NameTable<LayerMaker>& layer_table();

}  // namespace mlp
