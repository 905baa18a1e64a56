#include "train/callback_table.h"

#include <algorithm>

#include "train/terminate_on_nan.h"

namespace mlp {

// The makers, each defined in its callback's file. A new callback is that file,
// a line here, a row below, and its line in src/CMakeLists.txt.
std::unique_ptr<Callback> make_early_stopping(ObjectReader& reader, const CallbackEnv& env);
std::unique_ptr<Callback> make_reduce_lr_on_plateau(ObjectReader& reader, const CallbackEnv& env);
std::unique_ptr<Callback> make_learning_rate_scheduler(ObjectReader& reader, const CallbackEnv& env);
std::unique_ptr<Callback> make_model_checkpoint(ObjectReader& reader, const CallbackEnv& env);
std::unique_ptr<Callback> make_csv_logger(ObjectReader& reader, const CallbackEnv& env);

namespace {

// fit() always stops on a non-finite loss; listing it changes nothing.
std::unique_ptr<Callback> make_terminate_on_nan(ObjectReader&, const CallbackEnv&) {
  return std::make_unique<TerminateOnNaN>();
}

}  // namespace

const NameTable<CallbackMaker>& callback_table() {
  static const NameTable<CallbackMaker> table("callback", {
                                                              {"EarlyStopping", {}, make_early_stopping},
                                                              {"ReduceLROnPlateau", {}, make_reduce_lr_on_plateau},
                                                              {"LearningRateScheduler", {}, make_learning_rate_scheduler},
                                                              {"TerminateOnNaN", {}, make_terminate_on_nan},
                                                              {"ModelCheckpoint", {}, make_model_checkpoint},
                                                              {"CSVLogger", {}, make_csv_logger},
                                                          });
  return table;
}

std::vector<std::unique_ptr<Callback>> make_callbacks(const Json& list, CallbackEnv env) {
  std::vector<std::unique_ptr<Callback>> callbacks;
  for (std::size_t i = 0; i < list.size(); ++i) {
    ObjectReader reader(list[i], index_path("fit.callbacks", i));
    const auto& row = callback_table().find(reader.string("type"), reader.path("type"));
    callbacks.push_back(row.entry(reader, env));
    reader.finish();
    for (const auto& name : callbacks.back()->added_logs())
      if (std::find(env.log_names.begin(), env.log_names.end(), name) == env.log_names.end())
        env.log_names.push_back(name);
  }
  return callbacks;
}

}  // namespace mlp
