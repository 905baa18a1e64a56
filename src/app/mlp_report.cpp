// mlp-report: a saved model as one self-contained HTML page: summary, config,
// history charts, and on labelled data the confusion matrix, per-class scores
// and the most confident mistakes; weight histograms.
#include <filesystem>

#include <spdlog/spdlog.h>

#include "app/cli_common.h"
#include "app/report_page.h"
#include "core/atomic_file.h"
#include "core/error.h"
#include "core/output_file.h"
#include "io/saved_model.h"

int main(int argc, char** argv) {
  mlp::Flags flags("Write an HTML report of a saved model: its history, and its evaluation on labelled data.");
  mlp::CommonOptions common;
  std::string model_path, images, labels, input, output;
  mlp::add_common_options(flags, common);
  flags.text("--model", model_path, "The saved model (.mlp)").required();
  auto images_flag = flags.text("--images", images, "IDX images (default: the config's test set)");
  auto labels_flag = flags.text("--labels", labels, "IDX labels for --images");
  auto input_flag = flags.text("--input", input, "IDX images without labels: the report shows the predicted classes");
  images_flag.needs(labels_flag);
  labels_flag.needs(images_flag);
  input_flag.excludes(images_flag);
  input_flag.excludes(labels_flag);
  flags.text("-o,--output", output, "The HTML file to write (atomically)").required();
  flags.footer("Exit codes: 0 written, 1 a failure while writing, 2 bad usage or input.");

  return mlp::run_main("mlp-report", flags, argc, argv, [&] {
    mlp::apply_common_options(common);
    std::vector<std::string> inputs{model_path};
    for (const auto* path : {&images, &labels, &input})
      if (!path->empty()) inputs.push_back(*path);
    mlp::check_outputs({{"--output", output}}, inputs);
    mlp::LoadedModel loaded = mlp::load_saved_model(model_path);
    mlp::Compiled& compiled = loaded.compiled;
    const mlp::Shape& shape = compiled.config.model.input_shape;

    std::optional<mlp::Dataset> data;
    mlp::ReportData source;
    if (!input.empty()) {
      data = mlp::load_images(input, shape);
      source.name = input;
    } else if (!images.empty()) {
      data = mlp::load_dataset(images, labels, shape, compiled.classes());
      source.name = images;
    } else if (const auto& test = compiled.config.data.test) {
      // The config's test set may not be on this machine: the report is still worth having.
      std::error_code error;
      if (std::filesystem::exists(test->images, error) && std::filesystem::exists(test->labels, error)) {
        data = mlp::load_dataset(test->images, test->labels, shape, compiled.classes());
        source.name = test->images;
      } else {
        spdlog::warn("{}: the config's test set ({}) is not there; the report has no evaluation (give --images and "
                     "--labels)",
                     model_path, test->images);
      }
    }
    if (data) source.data = &*data;
    mlp::write_file_atomically(output, mlp::report_page(compiled, loaded.state, model_path, source));
    return 0;
  });
}
