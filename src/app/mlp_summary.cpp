// mlp-summary: Keras's model.summary() table for a config or a saved model.
#include <iostream>

#include "app/cli_common.h"
#include "config/config.h"
#include "core/error.h"
#include "io/saved_model.h"
#include "report/keras_format.h"
#include "report/summary.h"
#include "train/compiled.h"

int main(int argc, char** argv) {
  mlp::Flags flags("Print the Keras summary table of a model config or a saved model.");
  mlp::CommonOptions common;
  std::string config_path, model_path;
  bool history = false;
  mlp::add_common_options(flags, common);
  auto config = flags.text("--config", config_path, "A model config (JSON)");
  auto model = flags.text("--model", model_path, "A saved model (.mlp)");
  flags.flag("--history", history, "With --model: also print the per-epoch history");
  config.excludes(model);

  return mlp::run_main("mlp-summary", flags, argc, argv, [&] {
    if (!config.given() && !model.given()) throw mlp::Error(mlp::ExitCode::usage, "", "", "give --config FILE or --model FILE");
    if (history && !model.given()) throw mlp::Error(mlp::ExitCode::usage, "", "", "--history needs --model");
    mlp::apply_common_options(common, /*runs_math=*/false);
    if (mlp::idle_rank()) return 0;
    if (config.given()) {
      const mlp::Config cfg = mlp::load_config(config_path, {});
      try {
        // The table needs the layers' shapes, not their weights.
        const mlp::Compiled compiled = mlp::compile(cfg, mlp::Model::default_max_params, mlp::Allocation::shapes_only);
        mlp::print_summary(*compiled.model, std::cout);
      } catch (mlp::Error& e) {
        if (e.file().empty()) e.set_file(config_path);
        throw;
      }
      return 0;
    }
    const mlp::LoadedModel loaded = mlp::load_saved_model(model_path);
    mlp::print_summary(*loaded.compiled.model, std::cout);
    if (history) {
      for (std::size_t e = 0; e < loaded.state.history.size(); ++e) {
        std::cout << "Epoch " << e + 1 << '/' << loaded.state.history.size() << '\n';
        for (const auto& [name, value] : loaded.state.history[e])
          std::cout << " - " << name << ": " << mlp::keras_metric_value(value, false);
        std::cout << '\n';
      }
    }
    return 0;
  });
}
