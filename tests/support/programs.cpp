#include "support/programs.h"

#include <sys/wait.h>

#include <algorithm>
#include <cstdlib>

namespace mlp::test {

Result run(const std::string& command, const TempDir& dir) {
  const std::string out = dir.path("stdout.txt"), err = dir.path("stderr.txt");
  const int status = std::system((command + " >" + out + " 2>" + err).c_str());
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, read_bytes(out), read_bytes(err)};
}

std::string write_tiny_config(const TempDir& dir, const std::string& extra_fit) {
  write_banded_set(dir, "train", 200, 6, 6, 4, 3);
  const std::string config = R"({
    "name": "tiny", "seed": 7,
    "data": {"train": {"images": "train-images-idx3-ubyte", "labels": "train-labels-idx1-ubyte"}},
    "model": {"input_shape": [6, 6], "layers": [
      {"type": "Flatten"}, {"type": "Dense", "units": 16, "activation": "relu"},
      {"type": "Dense", "units": 4, "activation": "softmax"}]},
    "compile": {"loss": "categorical_crossentropy", "optimizer": "adam", "metrics": ["acc"]},
    "fit": {"epochs": 3, "batch_size": 16, "validation_split": 0.2, "verbose": 2)" +
                             extra_fit + R"(}
  })";
  write_bytes(dir.path("tiny.json"), config);
  return dir.path("tiny.json");
}

long count_lines(const std::string& text) { return std::count(text.begin(), text.end(), '\n'); }

}  // namespace mlp::test
