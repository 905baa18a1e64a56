#include "train/compiled.h"

#include "nn/losses.h"

namespace mlp {

Compiled compile(const Config& config, std::size_t max_params) {
  Compiled compiled;
  compiled.model = std::make_unique<Model>(config.model.input_shape, config.model.layers, max_params);
  compiled.optimizer = make_optimizer(config.compile.optimizer, "compile.optimizer");
  compiled.optimizer->prepare(compiled.model->trainable_count());
  const auto& loss_row = loss_table().find(config.compile.loss, "compile.loss");
  const std::string& loss_name = loss_row.name;  // canonical: aliases and case resolved
  const LossFns& loss = loss_row.entry;
  if (compiled.model->output_size() == 1 && loss.labels != LabelKind::binary && loss_name != "mean_squared_error" &&
      loss_name != "mean_absolute_error")
    throw ConfigError("compile.loss", loss_name +
                                          " needs one output per class, and the last layer has 1 unit; use "
                                          "binary_crossentropy for a single output");
  std::vector<Metric> metrics;
  for (std::size_t i = 0; i < config.compile.metrics.size(); ++i)
    metrics.push_back(resolve_metric(config.compile.metrics[i], loss_name, compiled.model->output_size(),
                                     index_path("compile.metrics", i)));
  compiled.objective = std::make_unique<Objective>(loss, std::move(metrics));
  compiled.preprocessing = {static_cast<float>(config.data.range_low), static_cast<float>(config.data.range_high)};
  // A blank pixel (0) is the background of the input images, whatever runs the model.
  compiled.model->set_input_background(compiled.preprocessing.table()[0]);
  compiled.config = config;
  compiled.config.compile.loss = loss_name;
  compiled.config.model.layers = compiled.model->layers_config();
  compiled.config.compile.optimizer = compiled.optimizer->config();
  return compiled;
}

}  // namespace mlp
