// mlp-report: a saved model as one self-contained HTML page: summary, config,
// history charts, and on labelled data the confusion matrix, per-class scores
// and the most confident mistakes (R² for regression); weight histograms.
#include <filesystem>

#include <spdlog/spdlog.h>

#include "app/cli_common.h"
#include "app/data_flags.h"
#include "app/report_page.h"
#include "core/atomic_file.h"
#include "core/error.h"
#include "core/output_file.h"
#include "data/load_data.h"
#include "io/saved_model.h"

int main(int argc, char** argv) {
  mlp::Flags flags("Write an HTML report of a saved model: its history, and its evaluation on labelled data.");
  mlp::CommonOptions common;
  std::string model_path, output;
  mlp::DataFlags data_flags;
  mlp::add_common_options(flags, common);
  flags.text("--model", model_path, "The saved model (.mlp)").required();
  mlp::add_data_flags(flags, data_flags,
                      "Samples: evaluated when they hold the targets as the training data did (a CSV's target columns, "
                      "an .npz's y), else their predicted classes are counted",
                      true);
  flags.text("-o,--output", output, "The HTML file to write (atomically)").required();
  flags.footer("Exit codes: 0 written, 1 a failure while writing, 2 bad usage or input.");

  return mlp::run_main("mlp-report", flags, argc, argv, [&] {
    mlp::apply_common_options(common);
    if (mlp::idle_rank()) return 0;
    std::vector<std::string> inputs = data_flags.files();
    inputs.push_back(model_path);
    mlp::check_outputs({{"--output", output}}, inputs);
    mlp::LoadedModel loaded = mlp::load_saved_model(model_path);
    mlp::Compiled& compiled = loaded.compiled;
    const mlp::Config& config = compiled.config;

    std::optional<mlp::Dataset> data;
    mlp::ReportData source;
    if (!data_flags.input.empty()) {
      const mlp::DataFormat format = mlp::input_format(data_flags);
      const mlp::DataSpec* training = config.data.train ? &*config.data.train : nullptr;
      if (training && mlp::holds_targets(data_flags.input, format, *training))
        data = mlp::labelled_data(data_flags, compiled, model_path, source.name);
      else
        data = mlp::feature_data(data_flags, compiled);
      source.name = data_flags.input;
    } else if (!data_flags.images.empty()) {
      data = mlp::labelled_data(data_flags, compiled, model_path, source.name);
    } else if (const auto& test = config.data.test) {
      // The config's test set may not be on this machine: the report is still worth having.
      std::error_code error;
      bool there = true;
      for (const auto& file : test->files()) there = there && std::filesystem::exists(file, error);
      if (there) {
        data = mlp::labelled_data(data_flags, compiled, model_path, source.name);
      } else {
        spdlog::warn("{}: the config's test set ({}) is not there; the report has no evaluation (give --images and "
                     "--labels, or --input)",
                     model_path, test->features_file());
      }
    }
    if (data) source.data = &*data;
    mlp::write_file_atomically(output, mlp::report_page(compiled, loaded.state, model_path, source));
    return 0;
  });
}
