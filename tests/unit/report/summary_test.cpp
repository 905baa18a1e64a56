// The summary table of the tutorial model against Keras 2.2.4's own text for it
// (tests/golden/mnist-summary.txt, byte for byte what model.summary() prints).
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

#include "config/config.h"
#include "report/summary.h"
#include "train/compiled.h"

namespace {

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

std::string rstrip(std::string s) {
  while (!s.empty() && s.back() == ' ') s.pop_back();
  return s;
}

std::string summary_of(const mlp::Config& config) {
  const mlp::Compiled compiled = mlp::compile(config);
  std::ostringstream out;
  mlp::print_summary(*compiled.model, out);
  return out.str();
}

}  // namespace

TEST_CASE("configs/mnist.json prints the contract's summary table") {
  const mlp::Config config = mlp::load_config(MLP_SOURCE_DIR "/configs/mnist.json", {});
  const auto got = lines_of(summary_of(config));
  std::ifstream expected_file(MLP_SOURCE_DIR "/tests/golden/mnist-summary.txt");
  std::stringstream expected_text;
  expected_text << expected_file.rdbuf();
  const auto expected = lines_of(expected_text.str());
  REQUIRE(got.size() == expected.size());
  for (std::size_t i = 0; i < got.size(); ++i) CHECK(rstrip(got[i]) == rstrip(expected[i]));

  // Keras pads every table row to exactly 65 characters (print_row); the three
  // "params" lines are not rows.
  for (const auto& line : got)
    if (line.find("params:") == std::string::npos) CHECK(line.size() == 65);
}

TEST_CASE("long names are cut at the column stop and numbers are not grouped") {
  mlp::Config config;
  config.model.input_shape = {3};
  config.model.layers = nlohmann::json::parse(
      R"([{"type": "Dense", "units": 2000, "name": "a_very_long_layer_name_that_overflows"}, {"type": "Dropout", "rate": 0.5}])");
  config.compile.loss = "mean_squared_error";
  config.compile.optimizer = "sgd";
  const auto lines = lines_of(summary_of(config));
  // 28 visible characters, then the forced space before column 2.
  CHECK(lines[3] == "a_very_long_layer_name_that_ (None, 2000)              8000      ");
  CHECK(lines[5] == "dropout_1 (Dropout)          (None, 2000)              0         ");
  CHECK(lines[7] == "Total params: 8,000");
}
