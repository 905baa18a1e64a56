// mlp-import: a Keras HDF5 model as an mlp model file, which mlp-eval,
// mlp-predict, mlp-summary read and mlp-train --resume trains further.
#include <string>
#include <vector>

#include "app/cli_common.h"
#include "core/output_file.h"
#include "interop/keras_h5_import.h"
#include "io/model_file.h"
#include "io/saved_model.h"

int main(int argc, char** argv) {
  mlp::Flags flags("Import a Keras HDF5 model (architecture, weights, training config) as an mlp model file.");
  mlp::CommonOptions common;
  std::string keras_path, output;
  std::vector<std::string> overrides;
  mlp::add_common_options(flags, common);
  flags.text("--keras", keras_path, "The Keras model file (.h5, as keras.models.save_model writes it)").required();
  flags.text("-o,--output", output, "The mlp model file to write (atomically)").required();
  flags.texts("--set", overrides, "PATH=JSON: set a key of the config made from the file (data, input_range, compile, fit)");

  return mlp::run_main("mlp-import", flags, argc, argv, [&] {
    mlp::apply_common_options(common, /*runs_math=*/false);
    if (mlp::idle_rank()) return 0;
    mlp::check_outputs({{"--output", output}}, {keras_path});
    const mlp::LoadedModel loaded = mlp::import_keras_h5(keras_path, overrides);
    mlp::save_model_file(output, mlp::to_model_file(loaded.compiled, loaded.state));
    return 0;
  });
}
