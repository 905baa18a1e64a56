// mlp-export: a saved model in another framework's format, for deployment:
// ONNX (a file), Keras HDF5 (a file), TensorFlow.js layers (a folder).
#include <filesystem>
#include <string>
#include <system_error>

#include "app/cli_common.h"
#include "core/atomic_file.h"
#include "core/error.h"
#include "core/output_file.h"
#include "interop/keras_h5.h"
#include "interop/onnx_export.h"
#include "interop/tfjs_export.h"
#include "io/saved_model.h"

namespace {

// The TensorFlow.js files go into `folder`, made when it is not there (its
// parent must be); each file is checked as an output, then written atomically.
void write_folder(const std::string& folder, const std::vector<std::pair<std::string, std::string>>& files,
                  const std::string& model_path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::file_status status = fs::symlink_status(folder, ec);
  if (fs::exists(status) && !fs::is_directory(status))
    throw mlp::Error(mlp::ExitCode::usage, folder, "", "--output: exists and is not a folder (tfjs writes a folder)");
  std::vector<mlp::OutputFile> outputs;
  for (const auto& [name, bytes] : files) outputs.push_back({"--output", (fs::path(folder) / name).string()});
  if (!fs::exists(status)) {
    const fs::path parent = fs::path(folder).parent_path();
    if (!parent.empty() && !fs::is_directory(parent))
      throw mlp::Error(mlp::ExitCode::usage, folder, "", "--output: the folder it would go in does not exist");
    if (!fs::create_directory(folder, ec) && ec)
      throw mlp::Error(mlp::ExitCode::usage, folder, "", "--output: could not create the folder: " + ec.message());
  }
  mlp::check_outputs(outputs, {model_path});
  for (std::size_t i = 0; i < files.size(); ++i) mlp::write_file_atomically(outputs[i].path, files[i].second);
}

}  // namespace

int main(int argc, char** argv) {
  mlp::Flags flags("Export a saved model as ONNX, a Keras HDF5 file, or a TensorFlow.js layers model.");
  mlp::CommonOptions common;
  std::string model_path, format, output;
  mlp::add_common_options(flags, common);
  flags.text("--model", model_path, "The saved model (.mlp)").required();
  flags.choice("--format", format, {"onnx", "keras", "tfjs"}, "onnx and keras: a file; tfjs: a folder").required();
  flags.text("-o,--output", output, "The file (onnx, keras) or folder (tfjs) to write").required();

  return mlp::run_main("mlp-export", flags, argc, argv, [&] {
    mlp::apply_common_options(common, /*runs_math=*/false);
    if (mlp::idle_rank()) return 0;
    if (format != "tfjs") mlp::check_outputs({{"--output", output}}, {model_path});
    const mlp::LoadedModel loaded = mlp::load_saved_model(model_path);
    try {
      if (format == "onnx") mlp::write_file_atomically(output, mlp::export_onnx(loaded.compiled, model_path));
      else if (format == "keras") mlp::write_file_atomically(output, mlp::export_keras_h5(loaded.compiled));
      else write_folder(output, mlp::export_tfjs(loaded.compiled), model_path);
    } catch (mlp::Error& e) {
      if (e.file().empty()) e.set_file(model_path);
      throw;
    }
    return 0;
  });
}
