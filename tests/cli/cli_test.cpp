// The programs as a user runs them: exit codes, the one-line error, stdout that
// carries only the Keras lines, saved models, determinism, resume.
#include <catch2/catch.hpp>

#include <sys/wait.h>

#include <fstream>
#include <regex>
#include <sstream>

#include "support/tiny_idx.h"

namespace {

struct Result {
  int code = -1;
  std::string out, err;
};

Result run(const std::string& command, const mlp::test::TempDir& dir) {
  const std::string out = dir.path("stdout.txt"), err = dir.path("stderr.txt");
  const int status = std::system((command + " >" + out + " 2>" + err).c_str());
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, mlp::test::read_bytes(out), mlp::test::read_bytes(err)};
}

std::string strip_trailing_spaces(const std::string& text) {
  std::string result;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    while (!line.empty() && line.back() == ' ') line.pop_back();
    result += line + "\n";
  }
  return result;
}

const std::string train = MLP_TRAIN_EXE;
const std::string summary = MLP_SUMMARY_EXE;

// A config over a small banded IDX set in `dir`.
std::string write_tiny_config(const mlp::test::TempDir& dir, const std::string& extra_fit = "") {
  mlp::test::write_banded_set(dir, "train", 200, 6, 6, 4, 3);
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
  mlp::test::write_bytes(dir.path("tiny.json"), config);
  return dir.path("tiny.json");
}

std::string timings_masked(std::string text) { return std::regex_replace(text, std::regex(" - [0-9]+s"), " - Ts"); }

}  // namespace

TEST_CASE("mlp-summary --config prints the contract's table and nothing else") {
  mlp::test::TempDir dir;
  const Result r = run(summary + " --config " MLP_SOURCE_DIR "/configs/mnist.json", dir);
  CHECK(r.code == 0);
  CHECK(r.err.empty());
  CHECK(strip_trailing_spaces(r.out) == strip_trailing_spaces(mlp::test::read_bytes(MLP_SOURCE_DIR "/tests/golden/mnist-summary.txt")));
}

TEST_CASE("--help and --version succeed; bad usage exits 2 with one error line") {
  mlp::test::TempDir dir;
  for (const auto& program : {train, summary}) {
    CHECK(run(program + " --help", dir).code == 0);
    const Result version = run(program + " --version", dir);
    CHECK(version.code == 0);
    CHECK(version.out.find("mlp ") != std::string::npos);
    const Result bad = run(program + " --no-such-flag", dir);
    CHECK(bad.code == 2);
    CHECK(bad.err.find(": error: ") != std::string::npos);
    CHECK(bad.out.empty());
  }
  const Result none = run(train, dir);
  CHECK(none.code == 2);
  CHECK(none.err.rfind("mlp-train: error: ", 0) == 0);
}

TEST_CASE("a bad config exits 2 with FILE: KEY PATH: message on one line") {
  mlp::test::TempDir dir;
  const std::string config = write_tiny_config(dir);
  const Result r = run(train + " --config " + config + " --set 'model.layers[2].activation=\"rleu\"'", dir);
  CHECK(r.code == 2);
  CHECK(r.err == "mlp-train: error: " + config +
                     ": model.layers[2].activation: unknown activation 'rleu' (did you mean 'relu'?); known: linear, "
                     "relu, sigmoid, tanh, softmax, elu, selu, softplus, softsign, hard_sigmoid, swish, gelu, leaky_relu\n");
  CHECK(r.out.empty());

  const Result missing = run(train + " --config " + dir.path("nope.json"), dir);
  CHECK(missing.code == 2);
  CHECK(missing.err.find(dir.path("nope.json")) != std::string::npos);
  CHECK(std::count(missing.err.begin(), missing.err.end(), '\n') == 1);
}

TEST_CASE("missing or broken data exits 2 naming the file, before any training output") {
  mlp::test::TempDir dir;
  const std::string config = write_tiny_config(dir);
  mlp::test::write_bytes(dir.path("train-labels-idx1-ubyte"), mlp::test::idx_bytes({3}, {0, 1, 2}));
  const Result r = run(train + " --config " + config, dir);
  CHECK(r.code == 2);
  CHECK(r.err.find("train-labels-idx1-ubyte: 3 labels for 200 images") != std::string::npos);
  CHECK(r.out.find("Epoch") == std::string::npos);
}

TEST_CASE("mlp-train prints the summary and Keras's epoch lines, saves a model mlp-summary reads") {
  mlp::test::TempDir dir;
  const std::string config = write_tiny_config(dir);
  const std::string model = dir.path("tiny.mlp");
  const Result r = run(train + " --config " + config + " -o " + model + " --csv-log " + dir.path("log.csv"), dir);
  REQUIRE(r.code == 0);
  CHECK(r.err.empty());
  CHECK(r.out.find("Total params: 660\n") != std::string::npos);  // 36*16+16 + 16*4+4
  CHECK(r.out.find("Train on 160 samples, validate on 40 samples\nEpoch 1/3\n") != std::string::npos);
  const std::regex epoch_line(R"(Epoch 3/3\n - \d+s - loss: \d\.\d{4} - acc: \d\.\d{4} - val_loss: \d\.\d{4} - val_acc: \d\.\d{4}\n$)");
  CHECK(std::regex_search(r.out, epoch_line));

  const std::string csv = mlp::test::read_bytes(dir.path("log.csv"));
  CHECK(csv.rfind("epoch,acc,loss,val_acc,val_loss\r\n0,", 0) == 0);
  CHECK(std::count(csv.begin(), csv.end(), '\n') == 4);

  const Result s = run(summary + " --model " + model + " --history", dir);
  CHECK(s.code == 0);
  CHECK(s.out.rfind(r.out.substr(0, r.out.find("Train on")), 0) == 0);  // the same table
  CHECK(s.out.find("Epoch 3/3\n - loss: ") != std::string::npos);
}

TEST_CASE("one seed and thread count give identical logs and model files") {
  mlp::test::TempDir dir;
  const std::string config = write_tiny_config(dir);
  const Result a = run(train + " --threads 1 --config " + config + " -o " + dir.path("a.mlp"), dir);
  const Result b = run(train + " --threads 1 --config " + config + " -o " + dir.path("b.mlp"), dir);
  const Result c = run(train + " --threads 1 --seed 8 --config " + config + " -o " + dir.path("c.mlp"), dir);
  REQUIRE(a.code == 0);
  REQUIRE(b.code == 0);
  CHECK(timings_masked(a.out) == timings_masked(b.out));
  CHECK(mlp::test::read_bytes(dir.path("a.mlp")) == mlp::test::read_bytes(dir.path("b.mlp")));
  CHECK(mlp::test::read_bytes(dir.path("a.mlp")) != mlp::test::read_bytes(dir.path("c.mlp")));
}

TEST_CASE("a checkpoint resumed for the remaining epochs matches an uninterrupted run byte for byte") {
  mlp::test::TempDir dir;
  const std::string config = write_tiny_config(dir);
  REQUIRE(run(train + " --threads 1 --config " + config + " -o " + dir.path("whole.mlp"), dir).code == 0);
  REQUIRE(run(train + " --threads 1 --config " + config + " --epochs 2 --checkpoint " + dir.path("ckpt.mlp") + " -o " +
                  dir.path("first.mlp"),
              dir)
              .code == 0);
  const Result resumed = run(train + " --threads 1 --config " + config + " --resume " + dir.path("ckpt.mlp") +
                                 " -o " + dir.path("resumed.mlp"),
                             dir);
  REQUIRE(resumed.code == 0);
  CHECK(resumed.out.find("Epoch 3/3\n") != std::string::npos);
  CHECK(resumed.out.find("Epoch 1/3\n") == std::string::npos);
  CHECK(mlp::test::read_bytes(dir.path("resumed.mlp")) == mlp::test::read_bytes(dir.path("whole.mlp")));
}

TEST_CASE("--set and the flags override the config") {
  mlp::test::TempDir dir;
  const std::string config = write_tiny_config(dir);
  const Result r = run(train + " --config " + config + " --set fit.epochs=2 --batch-size 50 --verbose 2 -o " +
                           dir.path("m.mlp"),
                       dir);
  REQUIRE(r.code == 0);
  CHECK(r.out.find("Epoch 2/2\n") != std::string::npos);
  CHECK(r.out.find("Epoch 3/") == std::string::npos);
}

TEST_CASE("SIGTERM mid-run: checkpoint written, exit 143, and resuming matches an uninterrupted run") {
  mlp::test::TempDir dir;
  mlp::test::write_banded_set(dir, "train", 6000, 20, 20, 10, 5);
  mlp::test::write_bytes(dir.path("big.json"), R"({
    "name": "big", "seed": 3,
    "data": {"train": {"images": "train-images-idx3-ubyte", "labels": "train-labels-idx1-ubyte"}},
    "model": {"input_shape": [20, 20], "layers": [
      {"type": "Flatten"}, {"type": "Dense", "units": 256, "activation": "relu"}, {"type": "Dropout", "rate": 0.2},
      {"type": "Dense", "units": 10, "activation": "softmax"}]},
    "compile": {"loss": "categorical_crossentropy", "optimizer": "adam", "metrics": ["acc"]},
    "fit": {"epochs": 4, "batch_size": 8, "validation_split": 0.1, "verbose": 2}})");
  const std::string base = train + " --threads 1 --config " + dir.path("big.json");
  REQUIRE(run(base + " -o " + dir.path("whole.mlp"), dir).code == 0);

  // Started in the background and stopped a moment later, inside some epoch.
  const std::string pid_file = dir.path("pid");
  REQUIRE(std::system((base + " --checkpoint " + dir.path("ckpt.mlp") + " -o " + dir.path("never.mlp") +
                       " >" + dir.path("bg.out") + " 2>" + dir.path("bg.err") + " & echo $! >" + pid_file +
                       "; sleep 0.7; kill -TERM $(cat " + pid_file + "); wait $(cat " + pid_file + "); echo $? >" +
                       dir.path("bg.code"))
                          .c_str()) == 0);
  CHECK(std::stoi(mlp::test::read_bytes(dir.path("bg.code"))) == 143);
  CHECK(mlp::test::read_bytes(dir.path("bg.err")).find(dir.path("ckpt.mlp")) != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(dir.path("never.mlp")));

  const Result resumed = run(base + " --resume " + dir.path("ckpt.mlp") + " -o " + dir.path("resumed.mlp"), dir);
  REQUIRE(resumed.code == 0);
  CHECK(mlp::test::read_bytes(dir.path("resumed.mlp")) == mlp::test::read_bytes(dir.path("whole.mlp")));
}
