// A config turned into things that run: the model, its optimizer, its loss and
// metrics, and the input preprocessing. Both fresh training and a loaded model
// file go through compile(), so they cannot disagree.
#pragma once

#include <memory>

#include "config/config.h"
#include "data/dataset.h"
#include "data/load_data.h"
#include "nn/model.h"
#include "nn/optimizers/optimizer.h"
#include "train/objective.h"

namespace mlp {

struct Compiled {
  Config config;  // with the layers' and the optimizer's defaults filled in
  std::unique_ptr<Model> model;
  std::unique_ptr<Optimizer> optimizer;
  std::unique_ptr<Objective> objective;
  Preprocessing preprocessing;
  // A regression model: its loss is mean_squared_error or mean_absolute_error and
  // its output is not a softmax or sigmoid, so its targets are values, not classes.
  bool regression = false;
  std::vector<std::string> class_names;  // the training data's text classes, by id (empty: ids are names)

  std::size_t classes() const { return model->output_size(); }
  // What the model asks of a data set's targets.
  TargetNeeds target_needs() const { return {classes(), regression, class_names}; }
};

// The activation the model's output comes out of ("softmax", "linear", ...): the
// last layer with one, past layers without (Dropout, Flatten, Reshape, ...).
std::string output_activation(const Model& model);

// The names every epoch's logs hold before fit.callbacks add theirs: loss and
// the metrics, then their val_ forms when the run validates.
std::vector<std::string> epoch_log_names(const Objective& objective, const FitConfig& fit);

// Throws ConfigError (with key paths) for anything the config gets wrong, and for
// a model of more than `max_params` parameters (before allocating them).
// With Allocation::shapes_only the model has no weights and the optimizer no
// slots: enough to print its summary.
Compiled compile(const Config& config, std::size_t max_params = Model::default_max_params,
                 Allocation allocation = Allocation::weights);

}  // namespace mlp
