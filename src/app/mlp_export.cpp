// mlp-export: a saved model in another framework's format, for deployment.
#include <string>

#include "app/cli_common.h"
#include "core/atomic_file.h"
#include "core/error.h"
#include "core/output_file.h"
#include "export/onnx_export.h"
#include "io/saved_model.h"

int main(int argc, char** argv) {
  mlp::Flags flags("Export a saved model as ONNX (for ONNX Runtime and other consumers).");
  mlp::CommonOptions common;
  std::string model_path, format, output;
  mlp::add_common_options(flags, common);
  flags.text("--model", model_path, "The saved model (.mlp)").required();
  flags.choice("--format", format, {"onnx"}, "The format to write").required();
  flags.text("-o,--output", output, "The file to write (atomically)").required();

  return mlp::run_main("mlp-export", flags, argc, argv, [&] {
    mlp::apply_common_options(common, /*runs_math=*/false);
    mlp::check_outputs({{"--output", output}}, {model_path});
    const mlp::LoadedModel loaded = mlp::load_saved_model(model_path);
    mlp::write_file_atomically(output, mlp::export_onnx(loaded.compiled, model_path));
    return 0;
  });
}
