// The programs as a user runs them: exit codes, the one-line error, stdout that
// carries only the Keras lines, saved models, determinism, resume.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <map>
#include <numeric>
#include <regex>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/strings.h"
#include "data/load_data.h"
#include "io/saved_model.h"
#include "nn/activations.h"
#include "support/sanitizers.h"
#include "support/programs.h"
#include "support/tiny_idx.h"

namespace {

using mlp::test::Result;
using mlp::test::run;
using mlp::test::write_tiny_config;

std::string strip_trailing_spaces(const std::string& text) {
  std::string result;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    while (!line.empty() && line.back() == ' ') line.pop_back();
    result += line + "\n";
  }
  return result;
}

const std::string& train = mlp::test::train_exe;
const std::string& summary = mlp::test::summary_exe;

// c.json in `dir`: a run over `samples` banded 20x20 images that would go on for
// 1000 epochs, for the tests that interrupt one.
void write_endless_config(const mlp::test::TempDir& dir, std::size_t samples, int units, int verbose) {
  mlp::test::write_banded_set(dir, "train", samples, 20, 20, 10, 5);
  mlp::test::write_bytes(dir.path("c.json"), R"({
    "seed": 3, "data": {"train": {"images": "train-images-idx3-ubyte", "labels": "train-labels-idx1-ubyte"}},
    "model": {"input_shape": [20, 20], "layers": [{"type": "Flatten"},
      {"type": "Dense", "units": )" + std::to_string(units) + R"(, "activation": "relu"},
      {"type": "Dense", "units": 10, "activation": "softmax"}]},
    "compile": {"loss": "categorical_crossentropy", "optimizer": "adam"},
    "fit": {"epochs": 1000, "batch_size": 16, "verbose": )" + std::to_string(verbose) + "}}");
}

// Starts `command` in the background, sends it SIG`signal` once its second epoch
// has begun (or after 8 s), and waits for it.
Result run_and_signal(const std::string& command, const std::string& signal, const mlp::test::TempDir& dir) {
  const std::string out = dir.path("bg.out"), err = dir.path("bg.err"), code = dir.path("bg.code");
  const std::string script = command + " >" + out + " 2>" + err +
                             " & pid=$!; for i in $(seq 400); do grep -q 'Epoch 2/' " + out +
                             " && break; sleep 0.02; done; kill -" + signal + " $pid; wait $pid; echo $? >" + code;
  REQUIRE(std::system(script.c_str()) == 0);
  return {std::stoi(mlp::test::read_bytes(code)), mlp::test::read_bytes(out), mlp::test::read_bytes(err)};
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

TEST_CASE("mlp-summary --config of the Keras CNN example prints Keras's table, truncated class names and all") {
  mlp::test::TempDir dir;
  const Result r = run(summary + " --config " MLP_SOURCE_DIR "/configs/mnist_cnn.json", dir);
  CHECK(r.code == 0);
  CHECK(strip_trailing_spaces(r.out) ==
        strip_trailing_spaces(mlp::test::read_bytes(MLP_SOURCE_DIR "/tests/golden/mnist-cnn-summary.txt")));
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
  // The known names come from the activation table, in its order (a new row changes the line).
  CHECK(r.err == "mlp-train: error: " + config +
                     ": model.layers[2].activation: unknown activation 'rleu' (did you mean 'relu'?); known: " +
                     mlp::join(mlp::activation_table().names(), ", ") + "\n");
  CHECK(r.err.find("known: linear, relu, sigmoid, ") != std::string::npos);
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

TEST_CASE("on two threads too, one seed gives identical logs and model files") {
  mlp::test::TempDir dir;
  // 256 units: enough work per step that the layers split it across the threads.
  const std::string command =
      train + " --threads 2 --set model.layers[1].units=256 --config " + write_tiny_config(dir) + " -o ";
  const Result a = run(command + dir.path("a.mlp"), dir);
  const Result b = run(command + dir.path("b.mlp"), dir);
  REQUIRE(a.code == 0);
  REQUIRE(b.code == 0);
  CHECK(timings_masked(a.out) == timings_masked(b.out));
  CHECK(mlp::test::read_bytes(dir.path("a.mlp")) == mlp::test::read_bytes(dir.path("b.mlp")));
}

TEST_CASE("--threads beyond the cores the process may use is capped, with a warning") {
  mlp::test::TempDir dir;
  const Result r = run(train + " --threads 1024 --config " + write_tiny_config(dir) + " -o " + dir.path("m.mlp"), dir);
  CHECK(r.code == 0);
  CHECK(r.err.find("mlp: warning: --threads 1024: this process may use ") != std::string::npos);
  CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
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
  // Under the sanitizers a quarter of the work: still several epochs, each long
  // enough that the signal lands inside the run.
  const std::size_t samples = mlp::test::sanitized ? 1500 : 6000;
  const int epochs = mlp::test::sanitized ? 4 : 8;
  mlp::test::write_banded_set(dir, "train", samples, 20, 20, 10, 5);
  mlp::test::write_bytes(dir.path("big.json"), R"({
    "name": "big", "seed": 3,
    "data": {"train": {"images": "train-images-idx3-ubyte", "labels": "train-labels-idx1-ubyte"}},
    "model": {"input_shape": [20, 20], "layers": [
      {"type": "Flatten"}, {"type": "Dense", "units": 256, "activation": "relu"}, {"type": "Dropout", "rate": 0.2},
      {"type": "Dense", "units": 10, "activation": "softmax"}]},
    "compile": {"loss": "categorical_crossentropy", "optimizer": "adam", "metrics": ["acc"]},
    "fit": {"epochs": )" + std::to_string(epochs) + R"(, "batch_size": 8, "validation_split": 0.1, "verbose": 2}})");
  const std::string base = train + " --threads 1 --config " + dir.path("big.json");
  REQUIRE(run(base + " -o " + dir.path("whole.mlp"), dir).code == 0);

  const Result stopped =
      run_and_signal(base + " --checkpoint " + dir.path("ckpt.mlp") + " -o " + dir.path("never.mlp"), "TERM", dir);
  CHECK(stopped.code == 143);
  CHECK(stopped.err.find(dir.path("ckpt.mlp")) != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(dir.path("never.mlp")));

  const Result resumed = run(base + " --resume " + dir.path("ckpt.mlp") + " -o " + dir.path("resumed.mlp"), dir);
  REQUIRE(resumed.code == 0);
  CHECK(mlp::test::read_bytes(dir.path("resumed.mlp")) == mlp::test::read_bytes(dir.path("whole.mlp")));
}

namespace {

const std::string& eval = mlp::test::eval_exe;
const std::string& predict = mlp::test::predict_exe;

// Trains the tiny config and writes a labelled test set beside it.
std::string trained_tiny_model(const mlp::test::TempDir& dir) {
  const std::string config = write_tiny_config(dir);
  mlp::test::write_banded_set(dir, "t10k", 50, 6, 6, 4, 99);
  const std::string model = dir.path("tiny.mlp");
  REQUIRE(run(train + " --config " + config + " -o " + model, dir).code == 0);
  return model;
}

}  // namespace

TEST_CASE("mlp-eval: Keras's line, --json, --report, and the --min-accuracy gate") {
  mlp::test::TempDir dir;
  const std::string model = trained_tiny_model(dir);
  const std::string files = " --images " + dir.path("t10k-images-idx3-ubyte") + " --labels " + dir.path("t10k-labels-idx1-ubyte");

  const Result line = run(eval + " --model " + model + files, dir);
  CHECK(line.code == 0);
  CHECK(std::regex_match(line.out, std::regex(R"(50/50 - \d+s - loss: \d\.\d{4} - acc: \d\.\d{4}\n)")));

  const Result json = run(eval + " --model " + model + files + " --json --report", dir);
  REQUIRE(json.code == 0);
  const auto parsed = nlohmann::json::parse(json.out);
  CHECK(parsed["samples"] == 50);
  CHECK(parsed.contains("loss"));
  CHECK(parsed.contains("acc"));
  std::uint64_t total = 0, diagonal = 0;
  for (std::size_t t = 0; t < 4; ++t)
    for (std::size_t p = 0; p < 4; ++p) {
      total += parsed["confusion_matrix"][t][p].get<std::uint64_t>();
      if (t == p) diagonal += parsed["confusion_matrix"][t][p].get<std::uint64_t>();
    }
  CHECK(total == 50);
  CHECK(parsed["acc"].get<double>() == Approx(static_cast<double>(diagonal) / 50));

  const Result report = run(eval + " --model " + model + files + " --report", dir);
  CHECK(report.out.find("Confusion matrix") != std::string::npos);
  CHECK(report.out.find("              precision    recall  f1-score   support\n") != std::string::npos);

  const double acc = parsed["acc"].get<double>();
  CHECK(run(eval + " --model " + model + files + " --min-accuracy " + std::to_string(acc - 0.01), dir).code == 0);

  // The same images with every label moved to the next class: the model, right
  // on most of them, is wrong on those; the gate must fail.
  std::string labels = mlp::test::read_bytes(dir.path("t10k-labels-idx1-ubyte"));
  for (std::size_t i = 8; i < labels.size(); ++i) labels[i] = static_cast<char>((labels[i] + 1) % 4);
  mlp::test::write_bytes(dir.path("wrong-labels"), labels);
  const std::string mislabelled = " --images " + dir.path("t10k-images-idx3-ubyte") + " --labels " + dir.path("wrong-labels");
  const Result wrong = run(eval + " --model " + model + mislabelled + " --json", dir);
  REQUIRE(wrong.code == 0);
  const double wrong_acc = nlohmann::json::parse(wrong.out)["acc"].get<double>();
  REQUIRE(acc > 0.6);                       // (the tiny model learns the bands: 1.0)
  REQUIRE(wrong_acc <= 1.0 - acc + 1e-9);  // right on a relabelled image only where wrong before: below 0.4
  const Result below = run(eval + " --model " + model + mislabelled + " --min-accuracy 0.5", dir);
  CHECK(below.code == 1);
  CHECK(below.err.find("below --min-accuracy 0.5") != std::string::npos);
  CHECK(std::count(below.err.begin(), below.err.end(), '\n') == 1);

  // The config names no test set: without --images that is a clear error.
  const Result no_test = run(eval + " --model " + model, dir);
  CHECK(no_test.code == 2);
  CHECK(no_test.err.find("--images") != std::string::npos);
}

TEST_CASE("mlp-predict: CSV per image whose accuracy equals mlp-eval's; --top-k; -o") {
  mlp::test::TempDir dir;
  const std::string model = trained_tiny_model(dir);
  const std::string images = dir.path("t10k-images-idx3-ubyte");
  const Result r = run(predict + " --model " + model + " --images " + images + " --top-k 2", dir);
  REQUIRE(r.code == 0);
  std::istringstream lines(r.out);
  std::string line;
  std::getline(lines, line);
  CHECK(line == "index,class,probability,class_2,probability_2");
  const std::string labels = mlp::test::read_bytes(dir.path("t10k-labels-idx1-ubyte")).substr(8);
  std::size_t count = 0, hits = 0;
  while (std::getline(lines, line)) {
    std::smatch m;
    REQUIRE(std::regex_match(line, m, std::regex(R"((\d+),(\d),(0\.\d{6}|1\.000000),(\d),(0\.\d{6}))")));
    CHECK(std::stoul(m[1]) == count);
    CHECK(std::stod(m[3]) >= std::stod(m[5]));
    CHECK(m[2] != m[4]);
    hits += static_cast<std::size_t>(std::stoi(m[2]) == labels[count]);
    ++count;
  }
  CHECK(count == 50);
  const Result json = run(eval + " --model " + model + " --json --images " + images + " --labels " +
                              dir.path("t10k-labels-idx1-ubyte"),
                          dir);
  CHECK(nlohmann::json::parse(json.out)["acc"].get<double>() == Approx(static_cast<double>(hits) / 50));

  const Result to_file = run(predict + " --model " + model + " --images " + images + " -o " + dir.path("p.csv"), dir);
  CHECK(to_file.code == 0);
  CHECK(to_file.out.empty());
  CHECK(mlp::test::read_bytes(dir.path("p.csv")).rfind("index,class,probability\n0,", 0) == 0);
}

TEST_CASE("damaged or missing model files are refused with exit 2 by every program") {
  mlp::test::TempDir dir;
  const std::string model = trained_tiny_model(dir);
  std::string bytes = mlp::test::read_bytes(model);
  bytes[bytes.size() / 2] ^= 0x40;
  mlp::test::write_bytes(dir.path("bad.mlp"), bytes);
  for (const auto& command : {summary + " --model " + dir.path("bad.mlp"),
                              eval + " --model " + dir.path("bad.mlp") + " --images x --labels y",
                              predict + " --model " + dir.path("bad.mlp") + " --images x",
                              train + " --resume " + dir.path("bad.mlp"),
                              summary + " --model " + dir.path("missing.mlp")}) {
    const Result r = run(command, dir);
    CHECK(r.code == 2);
    CHECK(r.err.find(".mlp: ") != std::string::npos);
    CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
    CHECK(r.out.empty());
  }
}

TEST_CASE("a full disk: a clear error, exit 1, the previous model intact, no temporary file left") {
  mlp::test::TempDir dir;
  const std::string config = write_tiny_config(dir);
  const std::string model = dir.path("m.mlp");
  mlp::test::write_bytes(model, "the previous model");
  // `ulimit -f 1`: no file may grow past 512 bytes, so the model write fails.
  const Result r = run("sh -c 'ulimit -f 1; exec " + train + " --config " + config + " -o " + model + "'", dir);
  CHECK(r.code == 1);
  CHECK(r.err.rfind("mlp-train: error: " + model + ": cannot write: ", 0) == 0);
  CHECK(mlp::test::read_bytes(model) == "the previous model");
  for (const auto& entry : std::filesystem::directory_iterator(dir.root()))
    CHECK(entry.path().filename().string().find(".tmp.") == std::string::npos);
}

TEST_CASE("kill -9 during training: the last checkpoint survives and resumes") {
  mlp::test::TempDir dir;
  write_endless_config(dir, 4000, 128, 0);
  const std::string ckpt = dir.path("ckpt.mlp");
  // Killed once the first checkpoint exists and the run has gone on writing more.
  REQUIRE(std::system((train + " --threads 1 --config " + dir.path("c.json") + " --checkpoint " + ckpt +
                       " >/dev/null 2>&1 & pid=$!; for i in $(seq 100); do [ -f " + ckpt +
                       " ] && break; sleep 0.1; done; sleep 0.5; kill -9 $pid; wait $pid; true")
                          .c_str()) == 0);
  const Result loaded = run(summary + " --model " + ckpt + " --history", dir);
  CHECK(loaded.code == 0);
  CHECK(loaded.out.find("Epoch 1/") != std::string::npos);
  // Resumed with a target it has already reached (a checkpoint exists only after
  // an epoch ended): it says so and keeps the weights.
  const Result resumed = run(train + " --threads 1 --resume " + ckpt + " --epochs 1 --verbose 2 -o " + dir.path("r.mlp"), dir);
  CHECK(resumed.code == 0);
  CHECK(resumed.err.find("nothing left to train") != std::string::npos);
  // The kill may have caught a checkpoint being written: its hidden temporary is
  // all it may leave, and the next checkpoint written removes it.
  for (const auto& entry : std::filesystem::directory_iterator(dir.root())) {
    const std::string name = entry.path().filename().string();
    if (name.find(".tmp.") != std::string::npos) CHECK(name.rfind(".ckpt.mlp.tmp.", 0) == 0);
  }
  std::smatch last;
  REQUIRE(std::regex_search(loaded.out, last, std::regex("Epoch ([0-9]+)/[0-9]+\n[^E]*$")));
  const int epochs_done = std::stoi(last[1]);
  const Result one_more = run(train + " --threads 1 --resume " + ckpt + " --checkpoint " + ckpt + " --epochs " +
                                  std::to_string(epochs_done + 1) + " -o " + dir.path("r.mlp"),
                              dir);
  CHECK(one_more.code == 0);
  for (const auto& entry : std::filesystem::directory_iterator(dir.root()))
    CHECK(entry.path().filename().string().find(".tmp.") == std::string::npos);
}

TEST_CASE("a loss that becomes NaN stops training: exit 1, a clear line, no model written") {
  mlp::test::TempDir dir;
  const std::string config = write_tiny_config(dir);
  const Result r = run(train + " --config " + config + " --set 'compile.optimizer={\"type\": \"sgd\", \"learning_rate\": 1e6}'" +
                           " --set compile.loss=\"mse\" --set 'model.layers[2].activation=\"linear\"' -o " + dir.path("m.mlp"),
                       dir);
  CHECK(r.code == 1);
  CHECK(r.err.rfind("mlp-train: error: " + config + ": Batch ", 0) == 0);
  CHECK(r.err.find("Invalid loss") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(dir.path("m.mlp")));
}

TEST_CASE("outputs that can never be written are refused before training, with exit 2") {
  mlp::test::TempDir dir;
  const std::string config = write_tiny_config(dir);
  for (const auto& flags : {std::string(" -o ") + dir.root().string(),
                            " --csv-log " + dir.path("no/such/folder/log.csv"),
                            " --checkpoint " + dir.path("missing/ckpt.mlp")}) {
    const Result r = run(train + " --config " + config + flags, dir);
    CHECK(r.code == 2);
    CHECK(r.err.rfind("mlp-train: error: ", 0) == 0);
    CHECK(r.out.empty());
  }
}

TEST_CASE("a categorical loss on a single output unit is a config error naming compile.loss") {
  mlp::test::TempDir dir;
  const std::string config = write_tiny_config(dir);
  const Result r = run(train + " --config " + config + " --set 'model.layers[2].units=1'", dir);
  CHECK(r.code == 2);
  CHECK(r.err.find(": compile.loss: categorical_crossentropy needs one output per class") != std::string::npos);
}

TEST_CASE("SIGINT (Ctrl-C) without --checkpoint: exit 130, says nothing was saved, writes no model") {
  mlp::test::TempDir dir;
  write_endless_config(dir, 3000, 64, 2);
  const Result stopped =
      run_and_signal(train + " --threads 1 --config " + dir.path("c.json") + " -o " + dir.path("m.mlp"), "INT", dir);
  CHECK(stopped.code == 130);
  CHECK(stopped.err.find("no checkpoint saved") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(dir.path("m.mlp")));
}

TEST_CASE("a validation_split that leaves no training samples is refused, naming the file and key") {
  mlp::test::TempDir dir;
  const std::string config = write_tiny_config(dir);
  const Result r = run(train + " --config " + config + " --set fit.validation_split=0.999", dir);
  CHECK(r.code == 2);
  CHECK(r.err == "mlp-train: error: " + config + ": fit.validation_split: leaves no training samples out of 200\n");
}

TEST_CASE("endless devices as inputs are refused, not read forever") {
  mlp::test::TempDir dir;
  const Result model = run(eval + " --model /dev/zero", dir);
  CHECK(model.code == 2);
  CHECK(model.err == "mlp-eval: error: /dev/zero: is not a regular file\n");
  const Result config = run(train + " --config /dev/zero", dir);
  CHECK(config.code == 2);
  CHECK(config.err == "mlp-train: error: /dev/zero: too large for a config file\n");
  const Result images = run(predict + " --model " + dir.path("none.mlp") + " --images /dev/zero", dir);
  CHECK(images.code == 2);
}

TEST_CASE("fit.callbacks: EarlyStopping ends the run with Keras's line, and its model is saved") {
  mlp::test::TempDir dir;
  // The training loss falls every epoch; monitored as a value to maximize, it
  // never improves after the first epoch, so patience 1 stops after the second.
  const std::string config = write_tiny_config(
      dir, R"(, "callbacks": [{"type": "EarlyStopping", "monitor": "loss", "mode": "max", "patience": 1, "verbose": 1}])");
  const Result r = run(train + " --config " + config + " --epochs 10 -o " + dir.path("m.mlp"), dir);
  REQUIRE(r.code == 0);
  CHECK_THAT(r.out, Catch::Contains("Epoch 2/10\n") && !Catch::Contains("Epoch 3/10") &&
                        Catch::EndsWith("\nEpoch 00002: early stopping\n"));
  const auto saved = mlp::load_saved_model(dir.path("m.mlp"));
  CHECK(saved.state.history.size() == 2);
  CHECK(saved.compiled.config.fit.callbacks[0]["type"] == "EarlyStopping");
  const Result typo = run(train + " --config " + config + " --set 'fit.callbacks[0].patiense=2'", dir);
  CHECK(typo.code == 2);
  CHECK_THAT(typo.err, Catch::Contains("fit.callbacks[0]") && Catch::Contains("patiense"));
}

TEST_CASE("EarlyStopping's state goes through a checkpoint: a resumed run restores the same best weights") {
  mlp::test::TempDir dir;
  // Best (as a maximum) at epoch 1, then never again: the best weights are epoch 1's.
  const std::string config = write_tiny_config(
      dir, R"(, "callbacks": [{"type": "EarlyStopping", "monitor": "loss", "mode": "max", "patience": 10,
                               "restore_best_weights": true}])");
  const Result whole = run(train + " --config " + config + " --epochs 4 -o " + dir.path("whole.mlp"), dir);
  REQUIRE(whole.code == 0);
  CHECK_THAT(whole.err, Catch::Contains("EarlyStopping: restored the weights of epoch 1, the best (loss "));
  REQUIRE(run(train + " --config " + config + " --epochs 2 --checkpoint " + dir.path("c.mlp") + " -o " +
                  dir.path("half.mlp"),
              dir)
              .code == 0);
  const Result resumed = run(train + " --config " + config + " --epochs 4 --resume " + dir.path("c.mlp") + " -o " +
                                 dir.path("resumed.mlp"),
                             dir);
  REQUIRE(resumed.code == 0);
  CHECK_THAT(resumed.err, Catch::Contains("EarlyStopping: restored the weights of epoch 1, the best (loss "));
  const auto a = mlp::load_saved_model(dir.path("whole.mlp"));
  const auto b = mlp::load_saved_model(dir.path("resumed.mlp"));
  CHECK(a.compiled.model->params() == b.compiled.model->params());
  const auto half = mlp::load_saved_model(dir.path("c.mlp"));
  REQUIRE(half.state.callbacks.size() == 1);
  CHECK(half.state.callbacks[0].weights.size() == half.compiled.model->params().size());
  // Another callback in the checkpoint's place is refused.
  const std::string other = write_tiny_config(dir, R"(, "callbacks": [{"type": "TerminateOnNaN"}])");
  const Result mismatched =
      run(train + " --config " + other + " --epochs 4 --resume " + dir.path("c.mlp") + " -o " + dir.path("x.mlp"), dir);
  CHECK(mismatched.code == 2);
  CHECK_THAT(mismatched.err, Catch::Contains("fit.callbacks[0] is EarlyStopping in the checkpoint and TerminateOnNaN"));
}

TEST_CASE("fit.callbacks: ReduceLROnPlateau prints Keras's line and puts lr in the CSV log and the history") {
  mlp::test::TempDir dir;
  // The loss falls every epoch: as a value to maximize it stalls from epoch 2 on.
  const std::string config = write_tiny_config(
      dir, R"(, "callbacks": [{"type": "ReduceLROnPlateau", "monitor": "loss", "mode": "max", "patience": 1,
                               "factor": 0.5, "verbose": 1}])");
  const Result r = run(train + " --config " + config + " --epochs 3 --csv-log " + dir.path("log.csv") + " -o " +
                           dir.path("m.mlp"),
                       dir);
  REQUIRE(r.code == 0);
  // adam's 0.001 as float32, halved; then that as float32, halved
  CHECK_THAT(r.out, Catch::Contains("\nEpoch 00002: ReduceLROnPlateau reducing learning rate to 0.0005000000237487257.\n") &&
                        Catch::Contains("\nEpoch 00003: ReduceLROnPlateau reducing learning rate to 0.0002500000118743628.\n"));
  const std::string csv = mlp::test::read_bytes(dir.path("log.csv"));
  CHECK(csv.starts_with("epoch,acc,loss,lr,val_acc,val_loss\r\n"));
  const auto saved = mlp::load_saved_model(dir.path("m.mlp"));
  REQUIRE(saved.state.history.size() == 3);
  CHECK(saved.state.history[2].back().first == "lr");
  CHECK(saved.state.history[2].back().second == Approx(0.0005000000237487257));
}

TEST_CASE("fit.callbacks: LearningRateScheduler's rate is the one the steps take") {
  mlp::test::TempDir dir;
  // The rate is 0 after the first epoch: three epochs end where one does.
  const std::string config = write_tiny_config(
      dir, R"(, "callbacks": [{"type": "LearningRateScheduler", "verbose": 1,
                               "schedule": {"type": "piecewise", "boundaries": [0], "values": [0.001, 0.0]}}])");
  const Result three = run(train + " --config " + config + " --epochs 3 -o " + dir.path("three.mlp"), dir);
  REQUIRE(three.code == 0);
  CHECK_THAT(three.out, Catch::Contains("\nEpoch 00001: LearningRateScheduler setting learning rate to 0.001.\n") &&
                            Catch::Contains("\nEpoch 00003: LearningRateScheduler setting learning rate to 0.0.\n"));
  REQUIRE(run(train + " --config " + config + " --epochs 1 -o " + dir.path("one.mlp"), dir).code == 0);
  CHECK(mlp::load_saved_model(dir.path("three.mlp")).compiled.model->params() ==
        mlp::load_saved_model(dir.path("one.mlp")).compiled.model->params());
  const std::string plain = write_tiny_config(dir);
  REQUIRE(run(train + " --config " + plain + " --epochs 3 -o " + dir.path("plain.mlp"), dir).code == 0);
  CHECK(mlp::load_saved_model(dir.path("plain.mlp")).compiled.model->params() !=
        mlp::load_saved_model(dir.path("one.mlp")).compiled.model->params());
}

namespace {

// tiny.json with a test set of its own (t10k-*), for fit.validation_data.
std::string write_tiny_config_with_test(const mlp::test::TempDir& dir, const std::string& extra_fit) {
  const std::string config = write_tiny_config(dir, extra_fit);
  mlp::test::write_banded_set(dir, "t10k", 60, 6, 6, 4, 9);
  auto json = nlohmann::json::parse(mlp::test::read_bytes(config));
  json["data"]["test"] = {{"images", "t10k-images-idx3-ubyte"}, {"labels", "t10k-labels-idx1-ubyte"}};
  mlp::test::write_bytes(config, json.dump());
  return config;
}

}  // namespace

TEST_CASE("fit.validation_data replaces the split: \"test\" or a data spec, Keras's line; initial_epoch numbers the epochs") {
  mlp::test::TempDir dir;
  const std::string config = write_tiny_config_with_test(dir, R"(, "validation_data": "test", "initial_epoch": 1)");
  const Result r = run(train + " --config " + config + " --csv-log " + dir.path("log.csv") + " -o " + dir.path("m.mlp"), dir);
  REQUIRE(r.code == 0);
  CHECK_THAT(r.out, Catch::Contains("Train on 200 samples, validate on 60 samples\nEpoch 2/3\n") &&
                        !Catch::Contains("Epoch 1/3"));
  CHECK_THAT(r.err, Catch::Contains("fit.validation_split 0.2 is not used: fit.validation_data replaces it"));
  const std::string csv = mlp::test::read_bytes(dir.path("log.csv"));
  CHECK(csv.find("\r\n1,") != std::string::npos);
  CHECK(csv.find("\r\n2,") != std::string::npos);
  CHECK(csv.find("\r\n0,") == std::string::npos);
  // Its val_loss is mlp-eval's on the test set (same files, same batches' weighting).
  const auto saved = mlp::load_saved_model(dir.path("m.mlp"));
  const Result eval_json = run(mlp::test::eval_exe + " --model " + dir.path("m.mlp") + " --images " +
                                   dir.path("t10k-images-idx3-ubyte") + " --labels " + dir.path("t10k-labels-idx1-ubyte") +
                                   " --json",
                               dir);
  REQUIRE(eval_json.code == 0);
  const double val_loss = saved.state.history.back()[2].second;
  REQUIRE(saved.state.history.back()[2].first == "val_loss");
  CHECK(nlohmann::json::parse(eval_json.out)["loss"].get<double>() == Approx(val_loss).epsilon(1e-5));
  // A data spec of its own, and "test" without data.test.
  const Result spec = run(train + " --config " + config +
                              R"( --set 'fit.validation_data={"images": "t10k-images-idx3-ubyte", "labels": "t10k-labels-idx1-ubyte"}' -o )" +
                              dir.path("n.mlp"),
                          dir);
  CHECK(spec.code == 0);
  CHECK_THAT(spec.out, Catch::Contains("Train on 200 samples, validate on 60 samples\n"));
  mlp::test::TempDir bare;
  const std::string without_test = write_tiny_config(bare, R"(, "validation_data": "test")");
  const Result no_test = run(train + " --config " + without_test + " -o " + bare.path("x.mlp"), dir);
  CHECK(no_test.code == 2);
  CHECK(no_test.err ==
        "mlp-train: error: " + without_test + ": fit.validation_data: \"test\" needs data.test (or --data-dir)\n");
  const Result past = run(train + " --config " + config + " --set fit.initial_epoch=3 -o " + dir.path("x.mlp"), dir);
  CHECK(past.code == 2);
  CHECK_THAT(past.err, Catch::Contains("fit.initial_epoch: 3 leaves nothing to train"));
}

TEST_CASE("fit.class_weight: a dict or \"balanced\" changes the training; a class without a weight is refused") {
  mlp::test::TempDir dir;
  const std::string config = write_tiny_config(dir);
  REQUIRE(run(train + " --config " + config + " -o " + dir.path("plain.mlp"), dir).code == 0);
  const Result ones = run(train + " --config " + config +
                              R"( --set 'fit.class_weight={"0": 1, "1": 1, "2": 1, "3": 1}' -o )" + dir.path("ones.mlp"),
                          dir);
  REQUIRE(ones.code == 0);
  const Result skewed = run(train + " --config " + config +
                                R"( --set 'fit.class_weight={"0": 1, "1": 1, "2": 1, "3": 5}' -o )" + dir.path("skewed.mlp"),
                            dir);
  REQUIRE(skewed.code == 0);
  const Result balanced = run(train + " --config " + config + R"( --set 'fit.class_weight="balanced"' -o )" +
                                  dir.path("balanced.mlp"),
                              dir);
  REQUIRE(balanced.code == 0);
  const auto params = [&](const char* name) { return mlp::load_saved_model(dir.path(name)).compiled.model->params(); };
  CHECK(params("ones.mlp") == params("plain.mlp"));  // weight 1 everywhere is Keras's unweighted loss
  CHECK(params("skewed.mlp") != params("plain.mlp"));
  const Result missing =
      run(train + " --config " + config + R"( --set 'fit.class_weight={"0": 1, "2": 1}' -o )" + dir.path("x.mlp"), dir);
  CHECK(missing.code == 2);
  CHECK_THAT(missing.err, Catch::Contains(": fit.class_weight: must contain all classes in the data: classes 1, 3 are in"));
  const Result beyond =
      run(train + " --config " + config + R"( --set 'fit.class_weight={"4": 1}' -o )" + dir.path("x.mlp"), dir);
  CHECK(beyond.code == 2);
  CHECK_THAT(beyond.err, Catch::Contains("fit.class_weight.4: no such class"));
  const Result negative =
      run(train + " --config " + config + R"( --set 'fit.class_weight={"0": -1}' -o )" + dir.path("x.mlp"), dir);
  CHECK(negative.code == 2);
  CHECK_THAT(negative.err, Catch::Contains("fit.class_weight.0"));
}

TEST_CASE("ModelCheckpoint writes Keras-named files that mlp-eval reads; CSVLogger equals --csv-log; --json-log") {
  mlp::test::TempDir dir;
  const std::string config = write_tiny_config(
      dir, R"(, "callbacks": [{"type": "ModelCheckpoint", "filepath": "ckpt-{epoch:02d}-{val_loss:.4f}.mlp",
                               "save_best_only": true, "verbose": 1},
                              {"type": "CSVLogger", "filename": "callback.csv"}])");
  const Result r = run(train + " --config " + config + " --csv-log " + dir.path("flag.csv") + " --json-log " +
                           dir.path("log.jsonl") + " -o " + dir.path("m.mlp"),
                       dir);
  REQUIRE(r.code == 0);
  const auto history = mlp::load_saved_model(dir.path("m.mlp")).state.history;
  REQUIRE(history.size() == 3);
  // Each improvement names its file, filled with the epoch and val_loss.
  std::smatch match;
  const std::string out = r.out;
  const std::regex improved("\nEpoch 0000([0-9]): val_loss improved from ([0-9.inf]+) to ([0-9.]+), saving model to (\\S+)\n");
  int saves = 0;
  for (auto it = std::sregex_iterator(out.begin(), out.end(), improved); it != std::sregex_iterator(); ++it, ++saves) {
    const auto epoch = std::stoul((*it)[1]);
    const std::string path = (*it)[4];
    CHECK(path == dir.path(fmt::format("ckpt-{:02d}-{:.4f}.mlp", epoch, history[epoch - 1][2].second)));
    const Result eval_one = run(mlp::test::eval_exe + " --model " + path + " --images " +
                                    dir.path("train-images-idx3-ubyte") + " --labels " + dir.path("train-labels-idx1-ubyte"),
                                dir);
    CHECK(eval_one.code == 0);
    CHECK(mlp::load_saved_model(path).state.history.size() == epoch);
  }
  CHECK(saves >= 1);
  CHECK(mlp::test::read_bytes(dir.path("callback.csv")) == mlp::test::read_bytes(dir.path("flag.csv")));
  const std::string jsonl = mlp::test::read_bytes(dir.path("log.jsonl"));
  CHECK(mlp::test::count_lines(jsonl) == 3);
  const auto first = nlohmann::json::parse(jsonl.substr(0, jsonl.find('\n')));
  CHECK(first["epoch"] == 0);
  CHECK(first["loss"].get<double>() == Approx(history[0][0].second).epsilon(1e-6));
  CHECK(first["lr"].get<double>() == Approx(0.001));
  CHECK(first["seconds"].get<double>() >= 0.0);
  // A filepath without fields is written over at each save.
  const Result fixed = run(train + " --config " + config + R"( --set 'fit.callbacks[0].filepath="best.mlp"' -o )" +
                               dir.path("m2.mlp"),
                           dir);
  REQUIRE(fixed.code == 0);
  CHECK_THAT(fixed.err, !Catch::Contains("not saved"));
  CHECK(mlp::load_saved_model(dir.path("best.mlp")).state.history.size() >= 1);
  // The CSVLogger's file is an output like the others, braces in its name or not.
  const Result clash = run(train + " --config " + config + " -o " + dir.path("callback.csv"), dir);
  CHECK(clash.code == 2);
  CHECK_THAT(clash.err, Catch::Contains("fit.callbacks[1].filename"));
  std::filesystem::create_directory(dir.path("{folder}"));
  const Result braces = run(train + " --config " + config + R"( --set 'fit.callbacks[1].filename="{folder}"' -o )" +
                                dir.path("m3.mlp"),
                            dir);
  CHECK(braces.code == 2);
  CHECK_THAT(braces.err, Catch::Contains("fit.callbacks[1].filename names a folder"));
}

TEST_CASE("--dry-run: summary, size, memory and time estimate, exit 0, no file written") {
  mlp::test::TempDir dir;
  const std::string config = write_tiny_config(dir);
  const Result r = run(train + " --config " + config + " --dry-run --json-log " + dir.path("l.jsonl") + " -o " +
                           dir.path("m.mlp"),
                       dir);
  REQUIRE(r.code == 0);
  CHECK_THAT(r.out, Catch::Contains("Total params: 660\n") &&
                        Catch::Contains("Dry run: the config and the data are valid; nothing is trained or written.\n"
                                        "Train on 160 samples, validate on 40 samples\n"
                                        "Parameters: 660 (660 trainable)\n"
                                        "Memory: about ") &&
                        Catch::Contains("Time: about ") && !Catch::Contains("Epoch 1/"));
  CHECK_FALSE(std::filesystem::exists(dir.path("m.mlp")));
  CHECK_FALSE(std::filesystem::exists(dir.path("l.jsonl")));
  std::filesystem::remove(dir.path("train-labels-idx1-ubyte"));
  const Result no_data = run(train + " --config " + config + " --dry-run -o " + dir.path("m.mlp"), dir);
  CHECK(no_data.code == 2);
}

TEST_CASE("every callback active: a resumed run writes the same model, CSV and checkpoint files as an uninterrupted one") {
  mlp::test::TempDir dir;
  const std::string callbacks = R"(, "callbacks": [
      {"type": "LearningRateScheduler", "schedule": {"type": "cosine", "decay_steps": 4, "warmup": 1}},
      {"type": "ReduceLROnPlateau", "monitor": "loss", "mode": "max", "patience": 1, "factor": 0.5},
      {"type": "EarlyStopping", "monitor": "val_loss", "patience": 10, "restore_best_weights": true},
      {"type": "ModelCheckpoint", "filepath": "best-{epoch}.mlp", "save_best_only": true, "monitor": "val_acc"},
      {"type": "CSVLogger", "filename": "log.csv"}, {"type": "TerminateOnNaN"}])";
  // One folder (the files name their paths): the whole run's outputs are moved aside.
  const std::string config = write_tiny_config(dir, callbacks);
  REQUIRE(run(train + " --config " + config + " --epochs 4 -o " + dir.path("whole.mlp"), dir).code == 0);
  const auto read_and_remove = [&](const std::string& name) {
    const std::string bytes = mlp::test::read_bytes(dir.path(name));
    std::filesystem::remove(dir.path(name));
    return bytes;
  };
  std::vector<std::string> whole_best(5);
  for (std::size_t epoch = 1; epoch <= 4; ++epoch) {
    const std::string name = "best-" + std::to_string(epoch) + ".mlp";
    if (std::filesystem::exists(dir.path(name))) whole_best[epoch] = read_and_remove(name);
  }
  const std::string whole_csv = read_and_remove("log.csv");
  REQUIRE(run(train + " --config " + config + " --epochs 2 --checkpoint " + dir.path("c.mlp") + " -o " +
                  dir.path("half.mlp"),
              dir)
              .code == 0);
  const Result resumed =
      run(train + " --config " + config + " --epochs 4 --resume " + dir.path("c.mlp") + " -o " + dir.path("parts.mlp"), dir);
  REQUIRE(resumed.code == 0);
  CHECK(mlp::test::read_bytes(dir.path("whole.mlp")) == mlp::test::read_bytes(dir.path("parts.mlp")));
  CHECK(mlp::test::read_bytes(dir.path("log.csv")) == whole_csv);
  // The same epochs saved by ModelCheckpoint, with the same weights (the files
  // of the first part say fit.epochs 2).
  int saved = 0;
  for (std::size_t epoch = 1; epoch <= 4; ++epoch) {
    const std::string path = dir.path("best-" + std::to_string(epoch) + ".mlp");
    REQUIRE(std::filesystem::exists(path) == !whole_best[epoch].empty());
    if (whole_best[epoch].empty()) continue;
    ++saved;
    mlp::test::write_bytes(dir.path("w.mlp"), whole_best[epoch]);
    CHECK(mlp::load_saved_model(path).compiled.model->params() ==
          mlp::load_saved_model(dir.path("w.mlp")).compiled.model->params());
  }
  CHECK(saved >= 1);
}

TEST_CASE("SIGINT with EarlyStopping(restore_best_weights): the model file gets the best epoch's weights") {
  mlp::test::TempDir dir;
  write_endless_config(dir, 3000, 64, 2);
  auto json = nlohmann::json::parse(mlp::test::read_bytes(dir.path("c.json")));
  // The training loss falls: as a value to maximize, epoch 1 stays the best.
  json["fit"]["callbacks"] = nlohmann::json::parse(
      R"([{"type": "EarlyStopping", "monitor": "loss", "mode": "max", "patience": 100, "restore_best_weights": true}])");
  mlp::test::write_bytes(dir.path("c.json"), json.dump());
  const Result stopped =
      run_and_signal(train + " --threads 1 --config " + dir.path("c.json") + " -o " + dir.path("m.mlp"), "INT", dir);
  CHECK(stopped.code == 130);
  CHECK_THAT(stopped.err, Catch::Contains("EarlyStopping: restored the weights of epoch 1") &&
                              Catch::Contains("model with the weights of the best epoch saved to " + dir.path("m.mlp")));
  REQUIRE(run(train + " --threads 1 --config " + dir.path("c.json") + " --epochs 1 -o " + dir.path("one.mlp"), dir).code == 0);
  CHECK(mlp::load_saved_model(dir.path("m.mlp")).compiled.model->params() ==
        mlp::load_saved_model(dir.path("one.mlp")).compiled.model->params());
}

TEST_CASE("a CNN with BatchNormalization: trains, resumes byte for byte, and mlp-eval, mlp-predict, mlp-summary read it") {
  mlp::test::TempDir dir;
  const std::string config = write_tiny_config(dir);
  auto json = nlohmann::json::parse(mlp::test::read_bytes(config));
  json["model"] = nlohmann::json::parse(R"({"input_shape": [6, 6, 1], "layers": [
      {"type": "Conv2D", "filters": 4, "kernel_size": 3, "padding": "same"},
      {"type": "BatchNormalization"}, {"type": "Activation", "activation": "relu"},
      {"type": "MaxPooling2D"}, {"type": "Conv2D", "filters": 3, "kernel_size": 2, "activation": "relu"},
      {"type": "GlobalAveragePooling2D"}, {"type": "Dropout", "rate": 0.2},
      {"type": "Dense", "units": 4, "activation": "softmax"}]})");
  mlp::test::write_bytes(config, json.dump());
  REQUIRE(run(train + " --config " + config + " --epochs 4 -o " + dir.path("whole.mlp"), dir).code == 0);
  REQUIRE(run(train + " --config " + config + " --epochs 2 --checkpoint " + dir.path("c.mlp") + " -o " +
                  dir.path("half.mlp"),
              dir)
              .code == 0);
  REQUIRE(run(train + " --config " + config + " --epochs 4 --resume " + dir.path("c.mlp") + " -o " +
                  dir.path("resumed.mlp"),
              dir)
              .code == 0);
  CHECK(mlp::test::read_bytes(dir.path("whole.mlp")) == mlp::test::read_bytes(dir.path("resumed.mlp")));
  // The moving statistics moved and were saved (non-trainable, counted as Keras counts them).
  const auto saved = mlp::load_saved_model(dir.path("whole.mlp"));
  const auto& slices = saved.compiled.model->param_slices();
  const auto moving = std::find_if(slices.begin(), slices.end(), [](const auto& s) { return s.name == "moving_variance"; });
  REQUIRE(moving != slices.end());
  CHECK_FALSE(moving->trainable);
  CHECK(saved.compiled.model->params()[moving->offset] != 1.0f);
  const Result shown = run(summary + " --model " + dir.path("whole.mlp"), dir);
  CHECK(shown.code == 0);
  CHECK_THAT(shown.out, Catch::Contains("conv2d_1 (Conv2D)            (None, 6, 6, 4)           40") &&
                            Catch::Contains("batch_normalization_1 (Batch (None, 6, 6, 4)           16") &&
                            Catch::Contains("Non-trainable params: 8\n"));
  const std::string images = dir.path("train-images-idx3-ubyte"), labels = dir.path("train-labels-idx1-ubyte");
  const Result evaluated =
      run(mlp::test::eval_exe + " --model " + dir.path("whole.mlp") + " --images " + images + " --labels " + labels + " --json",
          dir);
  REQUIRE(evaluated.code == 0);
  const double accuracy = nlohmann::json::parse(evaluated.out)["accuracy"].get<double>();
  const Result predicted = run(mlp::test::predict_exe + " --model " + dir.path("whole.mlp") + " --images " + images, dir);
  REQUIRE(predicted.code == 0);
  CHECK(mlp::test::count_lines(predicted.out) == 201);
  // mlp-predict's classes give mlp-eval's accuracy.
  const std::string label_bytes = mlp::test::read_bytes(labels).substr(8);
  std::istringstream rows(predicted.out);
  std::string line;
  std::getline(rows, line);
  int hits = 0, n = 0;
  while (std::getline(rows, line)) {
    const auto first = line.find(','), second = line.find(',', first + 1);
    hits += std::stoi(line.substr(first + 1, second - first - 1)) == label_bytes[static_cast<std::size_t>(n)];
    ++n;
  }
  CHECK(static_cast<double>(hits) / n == Approx(accuracy).margin(1e-9));
}

TEST_CASE("mlp-export: the three formats' files, and every refusal exit 2 with the file named, nothing overwritten") {
  mlp::test::TempDir dir;
  const std::string config = write_tiny_config(dir);
  REQUIRE(run(train + " --config " + config + " --epochs 1 -o " + dir.path("m.mlp"), dir).code == 0);
  const std::string exporter = mlp::test::export_exe + " --model " + dir.path("m.mlp");

  REQUIRE(run(exporter + " --format onnx -o " + dir.path("m.onnx"), dir).code == 0);
  const std::string onnx = mlp::test::read_bytes(dir.path("m.onnx"));
  CHECK(onnx.substr(0, 2) == std::string("\x08\x07", 2));  // ModelProto field 1 (ir_version) = 7
  CHECK_THAT(onnx, Catch::Contains("input_scaled") && Catch::Contains("Gemm") && Catch::Contains("Softmax"));
  REQUIRE(run(exporter + " --format keras -o " + dir.path("m.h5"), dir).code == 0);
  CHECK(mlp::test::read_bytes(dir.path("m.h5")).substr(0, 8) == "\x89HDF\r\n\x1a\n");  // the HDF5 signature
  REQUIRE(run(exporter + " --format tfjs -o " + dir.path("web"), dir).code == 0);
  const auto model_json = nlohmann::json::parse(mlp::test::read_bytes(dir.path("web/model.json")));
  CHECK(model_json["format"] == "layers-model");
  CHECK(model_json["weightsManifest"][0]["paths"] == nlohmann::json{"group1-shard1of1.bin"});
  std::size_t floats = 0;
  for (const auto& w : model_json["weightsManifest"][0]["weights"]) {
    std::size_t n = 1;
    for (const auto& d : w["shape"]) n *= d.get<std::size_t>();
    floats += n;
  }
  CHECK(mlp::test::read_bytes(dir.path("web/group1-shard1of1.bin")).size() == 4 * floats);
  // Again into the same folder: its files replaced, nothing else touched.
  mlp::test::write_bytes(dir.path("web/notes.txt"), "mine");
  REQUIRE(run(exporter + " --format tfjs -o " + dir.path("web"), dir).code == 0);
  CHECK(mlp::test::read_bytes(dir.path("web/notes.txt")) == "mine");

  // Refusals: exit 2, the file named, nothing written or destroyed.
  const auto refused = [&](const std::string& args, const std::string& says) {
    const Result r = run(mlp::test::export_exe + " " + args, dir);
    INFO(args << "\n" << r.err);
    CHECK(r.code == 2);
    CHECK_THAT(r.err, Catch::Contains(says));
  };
  refused("--model " + dir.path("m.mlp") + " --format caffe -o " + dir.path("x"), "--format");
  refused("--model " + dir.path("missing.mlp") + " --format onnx -o " + dir.path("x.onnx"), dir.path("missing.mlp"));
  refused("--model " + dir.path("m.mlp") + " --format onnx -o " + dir.path("m.mlp"), "m.mlp");
  refused("--model " + dir.path("m.mlp") + " --format keras -o " + dir.path("web"), dir.path("web"));
  refused("--model " + dir.path("m.mlp") + " --format tfjs -o " + dir.path("m.onnx"), "is not a folder");
  refused("--model " + dir.path("m.mlp") + " --format tfjs -o " + dir.path("no/such/folder"), "does not exist");
  refused("--model " + config + " --format onnx -o " + dir.path("y.onnx"), config);  // not a model file
  CHECK(mlp::test::read_bytes(dir.path("m.onnx")) == onnx);
  CHECK_FALSE(std::filesystem::exists(dir.path("x.onnx")));
  CHECK_FALSE(std::filesystem::exists(dir.path("y.onnx")));
}

TEST_CASE("mlp-import: an exported Keras file comes back with the same predictions; damaged files exit 2, nothing written") {
  mlp::test::TempDir dir;
  const std::string config = write_tiny_config(dir);
  REQUIRE(run(train + " --config " + config + " --epochs 1 -o " + dir.path("m.mlp"), dir).code == 0);
  REQUIRE(run(mlp::test::export_exe + " --model " + dir.path("m.mlp") + " --format keras -o " + dir.path("m.h5"), dir).code == 0);
  REQUIRE(run(mlp::test::import_exe + " --keras " + dir.path("m.h5") + " -o " + dir.path("back.mlp"), dir).code == 0);
  const std::string images = dir.path("train-images-idx3-ubyte");
  const Result before = run(mlp::test::predict_exe + " --model " + dir.path("m.mlp") + " --images " + images + " --top-k 4", dir);
  const Result after = run(mlp::test::predict_exe + " --model " + dir.path("back.mlp") + " --images " + images + " --top-k 4", dir);
  REQUIRE(before.code == 0);
  CHECK(after.out == before.out);

  const std::string h5 = mlp::test::read_bytes(dir.path("m.h5"));
  mlp::test::write_bytes(dir.path("truncated.h5"), h5.substr(0, h5.size() / 2));
  mlp::test::write_bytes(dir.path("header_only.h5"), h5.substr(0, 512));
  std::string flipped = h5;
  for (std::size_t i = 1024; i < flipped.size(); i += 4096) flipped[i] = static_cast<char>(~flipped[i]);
  mlp::test::write_bytes(dir.path("flipped.h5"), flipped);
  mlp::test::write_bytes(dir.path("text.h5"), "{\"class_name\": \"Sequential\"}");
  for (const char* name : {"truncated.h5", "header_only.h5", "flipped.h5", "text.h5", "missing.h5"}) {
    const Result r = run(mlp::test::import_exe + " --keras " + dir.path(name) + " -o " + dir.path("out.mlp"), dir);
    INFO(name << ": " << r.err);
    // A damaged file is refused (exit 2, naming it); one whose damage misses
    // everything mlp reads may load, but never crashes.
    CHECK((r.code == 2 || r.code == 0));
    if (r.code == 2) CHECK_THAT(r.err, Catch::Contains(dir.path(name)));
    if (std::string(name) != "flipped.h5") CHECK(r.code == 2);
    std::filesystem::remove(dir.path("out.mlp"));
  }
  // The output is checked before the input is read: the model itself as -o is refused.
  const Result same = run(mlp::test::import_exe + " --keras " + dir.path("m.h5") + " -o " + dir.path("m.h5"), dir);
  CHECK(same.code == 2);
  CHECK(mlp::test::read_bytes(dir.path("m.h5")) == h5);
}

TEST_CASE("mlp-eval gates: --baseline/--max-drop, --min-class-recall, --junit and the JSON list, pass and fail") {
  mlp::test::TempDir dir;
  const std::string good = trained_tiny_model(dir);
  // A model that learned nothing (learning rate 0): near chance on the 4 bands.
  const std::string config = write_tiny_config(dir);
  REQUIRE(run(train + " --config " + config + " --set compile.optimizer.learning_rate=0 --epochs 1 -o " +
                  dir.path("untrained.mlp"),
              dir)
              .code == 0);
  const std::string untrained = dir.path("untrained.mlp");
  const std::string files = " --images " + dir.path("t10k-images-idx3-ubyte") + " --labels " + dir.path("t10k-labels-idx1-ubyte");
  const auto accuracy_of = [&](const std::string& model) {
    const Result r = run(eval + " --model " + model + files + " --json", dir);
    REQUIRE(r.code == 0);
    return nlohmann::json::parse(r.out)["accuracy"].get<double>();
  };
  const double good_acc = accuracy_of(good), untrained_acc = accuracy_of(untrained);
  REQUIRE(good_acc - untrained_acc > 0.3);

  // The better model against the worse as baseline passes; the worse against the better fails, giving both numbers.
  CHECK(run(eval + " --model " + good + files + " --baseline " + untrained, dir).code == 0);
  const Result dropped = run(eval + " --model " + untrained + files + " --baseline " + good + " --max-drop 0.1 --json", dir);
  CHECK(dropped.code == 1);
  CHECK_THAT(dropped.err, Catch::Contains("mlp-eval: gate max-drop failed: accuracy " + fmt::format("{:.4f}", untrained_acc)) &&
                              Catch::Contains(fmt::format("{:.4f}", good_acc)) && Catch::Contains("more than --max-drop 0.1"));
  const auto listed = nlohmann::json::parse(dropped.out);
  REQUIRE(listed["gates"].size() == 1);
  CHECK(listed["gates"][0]["name"] == "max-drop");
  CHECK(listed["gates"][0]["passed"] == false);
  CHECK(listed["baseline_accuracy"].get<double>() == Approx(good_acc));
  // Within the allowed drop: passes.
  CHECK(run(eval + " --model " + untrained + files + " --baseline " + good + " --max-drop " +
                std::to_string(good_acc - untrained_acc + 0.01),
            dir)
            .code == 0);

  // Per-class recall: every class of the good model clears 0.5; the untrained one fails some, each named.
  CHECK(run(eval + " --model " + good + files + " --min-class-recall 0.5", dir).code == 0);
  const Result recall = run(eval + " --model " + untrained + files + " --min-class-recall 0.9 --min-class-recall 2=0 --json "
                                   "--junit " + dir.path("gates.xml") + " --min-accuracy 0.99",
                            dir);
  CHECK(recall.code == 1);
  const auto gates = nlohmann::json::parse(recall.out)["gates"];
  REQUIRE(gates.size() == 5);  // min-accuracy, then classes 0-3 (class 2's floor is its own 0)
  CHECK(gates[0]["name"] == "min-accuracy");
  CHECK(gates[3]["name"] == "min-class-recall 2");
  CHECK(gates[3]["passed"] == true);
  int failed = 0;
  for (const auto& g : gates) failed += g["passed"] == false;
  CHECK(failed >= 2);
  CHECK(std::count(recall.err.begin(), recall.err.end(), '\n') == failed);  // each failing gate named, one line each
  CHECK_THAT(recall.err, Catch::Contains("mlp-eval: gate min-class-recall "));

  // JUnit XML: well-formed (xmllint), one test case per gate, a failure element per failed gate.
  const std::string xml = mlp::test::read_bytes(dir.path("gates.xml"));
  CHECK(run("xmllint --noout " + dir.path("gates.xml"), dir).code == 0);
  CHECK_THAT(xml, Catch::Contains("<testsuite name=\"mlp-eval " + untrained + "\" tests=\"5\" failures=\"" +
                                  std::to_string(failed) + "\""));
  std::size_t cases = 0, failures = 0;
  for (std::size_t at = xml.find("<testcase "); at != std::string::npos; at = xml.find("<testcase ", at + 1)) ++cases;
  for (std::size_t at = xml.find("<failure "); at != std::string::npos; at = xml.find("<failure ", at + 1)) ++failures;
  CHECK(cases == 5);
  CHECK(failures == static_cast<std::size_t>(failed));

  // Refusals: exit 2 naming the flag.
  for (const char* bad : {"--min-class-recall 4=0.5", "--min-class-recall x", "--min-class-recall 1=", "--min-class-recall 1.5",
                          "--max-drop 0.1", "--baseline " /* a file that is not there */ "nope.mlp"}) {
    const Result r = run(eval + " --model " + good + files + " " + bad, dir);
    INFO(bad << ": " << r.err);
    CHECK(r.code == 2);
  }
  CHECK(run(eval + " --model " + good + files + " --junit " + good, dir).code == 2);  // the model as output
}

namespace {

const std::string& report = mlp::test::report_exe;

// The numbers a page's line charts carry, by series name.
std::map<std::string, std::vector<double>> plotted_values(const std::string& page) {
  std::map<std::string, std::vector<double>> out;
  const std::regex line(R"re(<polyline class="series" data-name="([^"]*)" data-values="([^"]*)")re");
  for (auto it = std::sregex_iterator(page.begin(), page.end(), line); it != std::sregex_iterator(); ++it) {
    std::istringstream values((*it)[2]);
    std::string v;
    while (values >> v) out[(*it)[1]].push_back(std::stod(v));
  }
  return out;
}

}  // namespace

TEST_CASE("mlp-train --report and mlp-report: the page's charts are the history, its matrix mlp-eval's, refusals exit 2") {
  mlp::test::TempDir dir;
  const std::string config = write_tiny_config_with_test(
      dir, R"(, "callbacks": [{"type": "ReduceLROnPlateau", "monitor": "loss", "patience": 0, "min_delta": 10}])");
  const std::string model = dir.path("m.mlp"), page = dir.path("r.html");
  REQUIRE(run(train + " --config " + config + " --report " + page + " -o " + model, dir).code == 0);
  const std::string trained_page = mlp::test::read_bytes(page);
  CHECK(run("xmllint --noout " + page, dir).code == 0);

  // Every chart's values are the model's history, exactly; lr is plotted since it fell.
  const auto history = mlp::load_saved_model(model).state.history;
  REQUIRE(history.size() == 3);
  const auto plotted = plotted_values(trained_page);
  CHECK(plotted.size() == 5);  // loss, val_loss, acc, val_acc, lr
  for (const auto& [name, values] : plotted) {
    std::vector<double> expected;
    for (const auto& logs : history) expected.push_back(*mlp::find_log(logs, name));
    CHECK(values == expected);
  }
  CHECK(plotted.at("lr").back() < plotted.at("lr").front());

  // mlp-report on the saved model, on the config's test set by default: the same page.
  const std::string again = dir.path("again.html");
  const Result r = run(report + " --model " + model + " -o " + again, dir);
  CHECK(r.code == 0);
  CHECK(r.out.empty());
  CHECK(mlp::test::read_bytes(again) == trained_page);

  // The heatmap counts every test sample, its diagonal mlp-eval's accuracy.
  const std::string files = " --images " + dir.path("t10k-images-idx3-ubyte") + " --labels " + dir.path("t10k-labels-idx1-ubyte");
  const auto evaluated = nlohmann::json::parse(run(eval + " --model " + model + files + " --json --report", dir).out);
  const std::regex cell(R"re(data-true="(\d+)" data-predicted="(\d+)" data-count="(\d+)")re");
  std::size_t cells = 0;
  for (auto it = std::sregex_iterator(trained_page.begin(), trained_page.end(), cell); it != std::sregex_iterator(); ++it, ++cells)
    CHECK(std::stoull((*it)[3]) ==
          evaluated["confusion_matrix"][std::stoul((*it)[1])][std::stoul((*it)[2])].get<std::uint64_t>());
  CHECK(cells == 16);
  CHECK_THAT(trained_page, Catch::Contains(fmt::format("<td>{:.4f}</td><td>60</td>", evaluated["accuracy"].get<double>())));
  CHECK_THAT(trained_page, Catch::Contains(fmt::format("data-name=\"loss\" data-value=\"{}\"", evaluated["loss"].get<double>())));

  // Unlabelled images: the predicted classes, no matrix.
  const Result unlabelled =
      run(report + " --model " + model + " --input " + dir.path("t10k-images-idx3-ubyte") + " -o " + dir.path("u.html"), dir);
  CHECK(unlabelled.code == 0);
  const std::string u = mlp::test::read_bytes(dir.path("u.html"));
  CHECK_THAT(u, Catch::Contains("Predicted classes") && !Catch::Contains("class=\"confusion\""));

  // Refusals, each exit 2 with nothing written or overwritten.
  const std::string model_bytes = mlp::test::read_bytes(model);
  mlp::test::write_bytes(dir.path("bad.mlp"), model_bytes.substr(0, model_bytes.size() / 2));
  for (const std::string& bad :
       {" --model " + model + " --images " + dir.path("t10k-images-idx3-ubyte") + " -o " + dir.path("x.html"),
        " --model " + model + files + " --input " + dir.path("t10k-images-idx3-ubyte") + " -o " + dir.path("x.html"),
        " --model " + model + " -o " + model, " --model " + dir.path("bad.mlp") + " -o " + dir.path("x.html"),
        " --model " + model + " -o " + dir.path("no/such/folder/x.html"),
        " --model " + model + " --images " + dir.path("t10k-images-idx3-ubyte") + " --labels " +
            dir.path("train-labels-idx1-ubyte") + " -o " + dir.path("x.html"),
        " --model " + model}) {
    const Result refused = run(report + bad, dir);
    INFO(bad << ": " << refused.err);
    CHECK(refused.code == 2);
    CHECK(mlp::test::count_lines(refused.err) >= 1);
  }
  CHECK_FALSE(std::filesystem::exists(dir.path("x.html")));
  CHECK(mlp::test::read_bytes(model) == model_bytes);
  // mlp-train's --report may be neither its model file nor one of its inputs.
  const std::string config_bytes = mlp::test::read_bytes(config);
  CHECK(run(train + " --config " + config + " --report " + model + " -o " + model, dir).code == 2);
  CHECK(run(train + " --config " + config + " --report " + config + " -o " + dir.path("m2.mlp"), dir).code == 2);
  CHECK(mlp::test::read_bytes(model) == model_bytes);
  CHECK(mlp::test::read_bytes(config) == config_bytes);
}

TEST_CASE("mlp-train --report: the page is there, whole, after the first epoch, and written again when stopped") {
  mlp::test::TempDir dir;
  write_endless_config(dir, 3000, 64, 2);
  const std::string page = dir.path("r.html"), seen = dir.path("seen.html");
  // Copies the page as soon as it holds a chart, then stops the run.
  const std::string script = train + " --threads 1 --config " + dir.path("c.json") + " --report " + page + " --checkpoint " +
                             dir.path("ckpt.mlp") + " >/dev/null 2>&1 & pid=$!; for i in $(seq 1000); do grep -q polyline " +
                             page + " 2>/dev/null && cp " + page + " " + seen + " && break; sleep 0.01; done; kill -INT $pid; wait $pid; echo $? >" +
                             dir.path("code");
  REQUIRE(std::system(script.c_str()) == 0);
  CHECK(mlp::test::read_bytes(dir.path("code")) == "130\n");
  REQUIRE(std::filesystem::exists(seen));
  CHECK(run("xmllint --noout " + seen, dir).code == 0);
  CHECK(run("xmllint --noout " + page, dir).code == 0);
  // The last page holds every epoch the checkpoint's history does.
  const auto history = mlp::load_saved_model(dir.path("ckpt.mlp")).state.history;
  CHECK(plotted_values(mlp::test::read_bytes(page)).at("loss").size() == history.size());
}

namespace {

// Deterministic numbers in [0, 1) for the synthetic tables.
struct Lcg {
  std::uint64_t state = 12345;
  double next() {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<double>(state >> 11) / 9007199254740992.0;
  }
};

// A .npy file of float32 values with this shape.
void write_npy(const std::string& path, const std::vector<std::size_t>& shape, const std::vector<float>& values) {
  std::string dims;
  for (const auto d : shape) dims += std::to_string(d) + ", ";
  std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + dims + "), }";
  while ((10 + header.size() + 1) % 64 != 0) header += ' ';
  header += '\n';
  std::string bytes = std::string("\x93NUMPY\x01\x00", 8);
  bytes += static_cast<char>(header.size() & 0xff);
  bytes += static_cast<char>(header.size() >> 8);
  bytes += header;
  bytes.append(reinterpret_cast<const char*>(values.data()), values.size() * sizeof(float));
  mlp::test::write_bytes(path, bytes);
}

// The model's outputs for the samples of `data`, computed here from the saved
// file: its own normalization statistics and weights.
mlp::Matrix outputs_of(const std::string& model_path, const mlp::Dataset& data) {
  mlp::LoadedModel loaded = mlp::load_saved_model(model_path);
  std::vector<std::uint32_t> all(data.size());
  std::iota(all.begin(), all.end(), 0u);
  mlp::Matrix x;
  mlp::gather_inputs(data, all, loaded.compiled.preprocessing.scaling(), x);
  return loaded.compiled.model->forward(x, {});
}

}  // namespace

TEST_CASE("a CSV table: binary text classes, data.normalize stored and re-applied, predictions by class name") {
  mlp::test::TempDir dir;
  // Two features on very different scales; the class is "yes" above a line.
  Lcg rng;
  std::string train_csv = "income,balance,approved\n", test_csv = train_csv;
  double income_sum = 0;
  for (int i = 0; i < 500; ++i) {
    const double income = 1000 * rng.next(), balance = 2 * rng.next() - 1;
    const std::string label = income / 1000 + balance > 0.5 ? "yes" : "no";
    const std::string row = fmt::format("{},{},{}\n", income, balance, label);
    if (i < 400) {
      train_csv += row;
      income_sum += static_cast<float>(income);
    } else {
      test_csv += row;
    }
  }
  mlp::test::write_bytes(dir.path("train.csv"), train_csv);
  mlp::test::write_bytes(dir.path("test.csv"), test_csv);
  mlp::test::write_bytes(dir.path("c.json"), R"({
    "name": "credit", "seed": 3,
    "data": {"train": {"format": "csv", "path": "train.csv", "target": "approved"},
             "test": {"format": "csv", "path": "test.csv", "target": "approved"}, "normalize": "standard"},
    "model": {"input_shape": [2], "layers": [{"type": "Dense", "units": 8, "activation": "relu"},
                                            {"type": "Dense", "units": 1, "activation": "sigmoid"}]},
    "compile": {"loss": "binary_crossentropy", "optimizer": {"type": "adam", "learning_rate": 0.05}, "metrics": ["acc"]},
    "fit": {"epochs": 40, "batch_size": 16, "validation_split": 0.0, "verbose": 0}})");
  const std::string model = dir.path("m.mlp");
  const Result trained = run(train + " --config " + dir.path("c.json") + " -o " + model, dir);
  REQUIRE(trained.code == 0);

  // The statistics are the training rows' (the first is "income"'s mean), the names as the rows met them.
  const mlp::LoadedModel loaded = mlp::load_saved_model(model);
  REQUIRE(loaded.compiled.preprocessing.shift.size() == 2);
  CHECK(loaded.compiled.preprocessing.shift[0] == Approx(income_sum / 400).epsilon(1e-5));
  const std::string first = train_csv.substr(train_csv.find('\n', 24) - 3, 3) == ",no" ? "no" : "yes";
  REQUIRE(loaded.compiled.class_names.size() == 2);
  CHECK(loaded.compiled.class_names[0] == first);

  const auto evaluated = nlohmann::json::parse(run(eval + " --model " + model + " --json", dir).out);
  CHECK(evaluated["accuracy"].get<double>() > 0.9);

  // mlp-predict on the test table (its target column left out): names, and the
  // probabilities this test computes from the saved file's statistics and weights.
  const Result predicted = run(predict + " --model " + model + " --input " + dir.path("test.csv"), dir);
  REQUIRE(predicted.code == 0);
  mlp::DataSpec spec = loaded.compiled.config.data.test.value();
  const mlp::Dataset features = mlp::load_features(dir.path("test.csv"), mlp::DataFormat::csv, {2}, &spec);
  const mlp::Matrix outputs = outputs_of(model, features);
  std::istringstream lines(predicted.out);
  std::string line;
  std::getline(lines, line);
  CHECK(line == "index,class,probability");
  for (std::size_t r = 0; r < 100; ++r) {
    REQUIRE(std::getline(lines, line));
    const float p = outputs(r, 0);
    const std::string name = loaded.compiled.class_names[p > 0.5f ? 1 : 0];
    CHECK(line == fmt::format("{},{},{:.6f}", r, name, p > 0.5f ? p : 1 - p));
  }

  // mlp-report on the test table: it holds the targets, so it is evaluated, classes by name.
  REQUIRE(run(report + " --model " + model + " --input " + dir.path("test.csv") + " -o " + dir.path("r.html"), dir).code == 0);
  const std::string page = mlp::test::read_bytes(dir.path("r.html"));
  CHECK_THAT(page, Catch::Contains("<td>0 (" + first + ")</td>") && Catch::Contains("class=\"confusion\"") &&
                       Catch::Contains(fmt::format("data-name=\"acc\" data-value=\"{}\"", evaluated["acc"].get<double>())));
  CHECK_THAT(page, !Catch::Contains("id=\"misclassified\""));  // not images

  // A German locale (decimal comma) changes nothing: the same model, byte for byte.
  REQUIRE(run("localedef -i de_DE -f UTF-8 " + dir.path("de_DE.UTF-8"), dir).code <= 1);
  const Result german = run("LOCPATH=" + dir.root().string() + " LC_ALL=de_DE.UTF-8 " + train + " --config " +
                                dir.path("c.json") + " -o " + dir.path("de.mlp"),
                            dir);
  REQUIRE(german.code == 0);
  CHECK(mlp::test::read_bytes(dir.path("de.mlp")) == mlp::test::read_bytes(model));

  // A cell that is not a number: exit 2 naming file, line and column, before training.
  mlp::test::write_bytes(dir.path("bad.csv"), "income,balance,approved\n1,2,yes\n3,x,no\n");
  const Result bad = run(train + " --config " + dir.path("c.json") + " --set 'data.train.path=\"bad.csv\"' -o " +
                             dir.path("bad.mlp"),
                         dir);
  CHECK(bad.code == 2);
  CHECK_THAT(bad.err, Catch::Contains(dir.path("bad.csv") + ": line 3, column 2 (\"balance\"): \"x\" is not a number"));
  CHECK_FALSE(std::filesystem::exists(dir.path("bad.mlp")));
}

TEST_CASE("regression from .npy arrays: a linear target reaches R² > 0.99; values predicted; gates on the loss") {
  mlp::test::TempDir dir;
  Lcg rng;
  std::vector<float> x, y;
  for (int i = 0; i < 400; ++i) {
    const float a = static_cast<float>(10 * rng.next()), b = static_cast<float>(rng.next()),
                c = static_cast<float>(100 * rng.next() - 50);
    x.insert(x.end(), {a, b, c});
    y.push_back(2 * a - 30 * b + 0.5f * c + 7);
  }
  write_npy(dir.path("x.npy"), {400, 3}, x);
  write_npy(dir.path("y.npy"), {400}, y);
  mlp::test::write_bytes(dir.path("r.json"), R"({
    "name": "linear", "seed": 5,
    "data": {"train": {"format": "npy", "x": "x.npy", "y": "y.npy"},
             "test": {"format": "npy", "x": "x.npy", "y": "y.npy"}, "normalize": "standard"},
    "model": {"input_shape": [3], "layers": [{"type": "Dense", "units": 1}]},
    "compile": {"loss": "mse", "optimizer": {"type": "adam", "learning_rate": 0.1}, "metrics": ["mae"]},
    "fit": {"epochs": 60, "batch_size": 16, "validation_split": 0.2, "verbose": 2}})");
  const std::string model = dir.path("r.mlp");
  const Result trained = run(train + " --config " + dir.path("r.json") + " -o " + model, dir);
  REQUIRE(trained.code == 0);
  CHECK_THAT(trained.out, Catch::Contains(" - loss: ") && Catch::Contains(" - mean_absolute_error: ") &&
                              Catch::Contains(" - val_mean_absolute_error: "));
  const Result json = run(eval + " --model " + model + " --json", dir);
  REQUIRE(json.code == 0);
  const auto evaluated = nlohmann::json::parse(json.out);
  CHECK(evaluated["r2"].get<double>() > 0.99);
  CHECK_FALSE(evaluated.contains("accuracy"));

  // Values, as the saved model computes them.
  const Result predicted = run(predict + " --model " + model + " --input " + dir.path("x.npy"), dir);
  REQUIRE(predicted.code == 0);
  const mlp::Matrix outputs = outputs_of(model, mlp::load_features(dir.path("x.npy"), mlp::DataFormat::npy, {3}, nullptr));
  std::istringstream lines(predicted.out);
  std::string line;
  std::getline(lines, line);
  CHECK(line == "index,value");
  for (std::size_t r = 0; r < 400; ++r) {
    REQUIRE(std::getline(lines, line));
    CHECK(line == fmt::format("{},{}", r, outputs(r, 0)));
  }

  // Gates: accuracy and class recall mean nothing here; --max-drop bounds the loss's rise.
  CHECK(run(eval + " --model " + model + " --min-accuracy 0.5", dir).code == 2);
  CHECK(run(eval + " --model " + model + " --min-class-recall 0.5", dir).code == 2);
  CHECK(run(eval + " --model " + model + " --baseline " + model, dir).code == 0);
  REQUIRE(run(train + " --config " + dir.path("r.json") + " --epochs 1 -o " + dir.path("early.mlp"), dir).code == 0);
  const Result worse = run(eval + " --model " + dir.path("early.mlp") + " --baseline " + model + " --max-drop 0.01", dir);
  CHECK(worse.code == 1);
  CHECK_THAT(worse.err, Catch::Contains("mlp-eval: gate max-drop failed: loss ") && Catch::Contains("a rise of"));

  // The report: R² among the values, no confusion matrix or mistakes.
  REQUIRE(run(report + " --model " + model + " -o " + dir.path("r.html"), dir).code == 0);
  const std::string page = mlp::test::read_bytes(dir.path("r.html"));
  CHECK_THAT(page, Catch::Contains("data-name=\"r2\" data-value=\"" + fmt::format("{}", evaluated["r2"].get<double>()) + "\""));
  CHECK_THAT(page, !Catch::Contains("class=\"confusion\"") && !Catch::Contains("id=\"misclassified\""));

  // Targets that do not fit the outputs: exit 2 naming the file.
  write_npy(dir.path("y2.npy"), {400, 2}, std::vector<float>(800, 1.0f));
  const Result wide = run(train + " --config " + dir.path("r.json") + " --set 'data.train.y=\"y2.npy\"' -o " +
                              dir.path("w.mlp"),
                          dir);
  CHECK(wide.code == 2);
  CHECK_THAT(wide.err, Catch::Contains(dir.path("y2.npy") + ": 2 targets per sample for a regression model with 1 outputs"));
}
