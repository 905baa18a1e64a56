#include "train/compiled.h"

#include <algorithm>
#include <set>

#include <fmt/format.h>

#include "core/strings.h"
#include "nn/losses.h"
#include "train/callback_table.h"

namespace mlp {

std::vector<std::string> epoch_log_names(const Objective& objective, const FitConfig& fit) {
  std::vector<std::string> names = objective.names();
  if (fit.validates())
    for (const auto& name : objective.names()) names.push_back("val_" + name);
  return names;
}

std::string output_activation(const Model& model) {
  const auto& layers = model.layers();
  for (auto it = layers.rbegin(); it != layers.rend(); ++it) {
    const std::string type = (*it)->class_name();
    if (type == "Softmax") return "softmax";
    if (type == "LeakyReLU" || type == "PReLU" || type == "ELU" || type == "ThresholdedReLU") return to_lower(type);
    const Json config = (*it)->config();
    if (config.contains("activation") && config["activation"].is_string()) return config["activation"].get<std::string>();
  }
  return "linear";
}

Compiled compile(const Config& config, std::size_t max_params, Allocation allocation) {
  Compiled compiled;
  compiled.model = std::make_unique<Model>(config.model.input_shape, config.model.layers, max_params, allocation);
  compiled.optimizer = make_optimizer(config.compile.optimizer, "compile.optimizer");
  if (allocation == Allocation::weights) compiled.optimizer->prepare(compiled.model->trainable_count());
  const auto& loss_row = loss_table().find(config.compile.loss, "compile.loss");
  const std::string& loss_name = loss_row.name;  // canonical: aliases and case resolved
  const LossFns& loss = loss_row.entry;
  if (compiled.model->output_size() == 1 && loss.labels != LabelKind::binary && loss_name != "mean_squared_error" &&
      loss_name != "mean_absolute_error")
    throw ConfigError("compile.loss", loss_name +
                                          " needs one output per class, and the last layer has 1 unit; use "
                                          "binary_crossentropy for a single output");
  std::vector<Metric> metrics;
  std::set<std::string> taken{"loss"};
  for (std::size_t i = 0; i < config.compile.metrics.size(); ++i) {
    Metric metric = resolve_metric(config.compile.metrics[i], loss_name, compiled.model->output_size(),
                                   index_path("compile.metrics", i));
    // A name given twice logs as acc, acc_1, acc_2, as keras@2.2.4:keras/engine/training.py dedupes it.
    const std::string base = metric.log_name;
    for (int k = 1; taken.count(metric.log_name); ++k) metric.log_name = base + "_" + std::to_string(k);
    taken.insert(metric.log_name);
    metrics.push_back(std::move(metric));
  }
  compiled.objective = std::make_unique<Objective>(loss, std::move(metrics));
  for (const auto& [label, weight] : config.fit.class_weight)
    if (label >= static_cast<std::int64_t>(std::max<std::size_t>(compiled.model->output_size(), 2)))
      throw ConfigError("fit.class_weight." + std::to_string(label),
                        fmt::format("no such class: the model's {} outputs give classes 0 to {}",
                                    compiled.model->output_size(), std::max<std::size_t>(compiled.model->output_size(), 2) - 1));
  CallbackEnv env;
  env.log_names = epoch_log_names(*compiled.objective, config.fit);
  make_callbacks(config.fit.callbacks, env);  // their keys checked with the rest of the config
  const std::string activation = output_activation(*compiled.model);
  compiled.regression = (loss_name == "mean_squared_error" || loss_name == "mean_absolute_error") &&
                        activation != "softmax" && activation != "sigmoid";
  compiled.preprocessing.low = static_cast<float>(config.data.range_low);
  compiled.preprocessing.high = static_cast<float>(config.data.range_high);
  compiled.preprocessing.normalize = config.data.normalize;
  // A blank pixel (0) is the background of the input images, whatever runs the model.
  compiled.model->set_input_background(compiled.preprocessing.table()[0]);
  compiled.config = config;
  compiled.config.compile.loss = loss_name;
  compiled.config.model.layers = compiled.model->layers_config();
  compiled.config.compile.optimizer = compiled.optimizer->config();
  return compiled;
}

}  // namespace mlp
