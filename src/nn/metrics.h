// Metrics as Keras 2.2.4 computes and names them: per-sample values whose batch
// mean is the logged number. 'acc'/'accuracy' resolve by the loss and the output
// width (keras@2.2.4:keras/engine/training.py l.371-404), any loss is a metric.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "nn/registry.h"

namespace mlp {

using MetricFn = void (*)(const float* p, const float* y, float* value, std::size_t rows, std::size_t cols);

struct Metric {
  std::string log_name;  // as Keras logs it: "acc", "mean_squared_error"
  MetricFn per_sample;
};

const NameTable<MetricFn>& metric_table();

// Resolves a metric name from the config for a model trained with `loss_name`
// (canonical) whose output has `output_units` columns. Throws ConfigError at key_path.
Metric resolve_metric(const std::string& name, const std::string& loss_name, std::size_t output_units,
                      const std::string& key_path);

}  // namespace mlp
