// What a hostile or careless user can type or feed the programs: outputs that
// would destroy something, checkpoints resumed with a run they cannot honour,
// diverged values, numbers that are not what they seem, failed writes to stdout,
// signals before training, inputs that ask for memory they do not justify. Each
// class with its example and at least one variant.
#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <filesystem>
#include <limits>
#include <regex>
#include <string>

#include <nlohmann/json.hpp>

#include "config/config.h"
#include "core/rng.h"
#include "io/model_file.h"
#include "io/saved_model.h"
#include "support/programs.h"
#include "support/tiny_idx.h"
#include "train/compiled.h"

namespace {

using mlp::test::count_lines;
using mlp::test::read_bytes;
using mlp::test::Result;
using mlp::test::run;
using mlp::test::TempDir;
using mlp::test::write_bytes;
using mlp::test::write_tiny_config;
const std::string& train = mlp::test::train_exe;
const std::string& summary = mlp::test::summary_exe;
const std::string& eval = mlp::test::eval_exe;
const std::string& predict = mlp::test::predict_exe;

// The refusal every program gives bad usage: exit 2, one line naming the program,
// nothing on stdout.
void check_refused(const Result& r, const std::string& program, const std::string& says) {
  INFO(r.err);
  CHECK(r.code == 2);
  CHECK(r.err.rfind(program + ": error: ", 0) == 0);
  CHECK(r.err.find(says) != std::string::npos);
  CHECK(count_lines(r.err) == 1);
  CHECK(r.out.empty());
}

// What `dir` holds, every entry's name and bytes (or kind), to show nothing changed.
std::string snapshot(const TempDir& dir) {
  std::string all;
  for (const auto& entry : std::filesystem::directory_iterator(dir.root())) {
    const std::string name = entry.path().filename().string();
    if (name == "stdout.txt" || name == "stderr.txt") continue;
    all += name + "\n";
    if (entry.is_symlink()) all += "-> " + std::filesystem::read_symlink(entry.path()).string() + "\n";
    else if (entry.is_regular_file()) all += read_bytes(entry.path().string()) + "\n";
    else all += "(special)\n";
  }
  return all;
}

}  // namespace

TEST_CASE("an output that names a device, FIFO, symlink, folder or nothing is refused before training") {
  TempDir dir;
  const std::string config = write_tiny_config(dir);
  write_bytes(dir.path("target.mlp"), "the file the link points to");
  std::filesystem::create_symlink(dir.path("target.mlp"), dir.path("link.mlp"));
  REQUIRE(::mkfifo(dir.path("fifo").c_str(), 0600) == 0);
  // A character device like /dev/null (1, 3), made here: a test never touches /dev.
  REQUIRE(::mknod(dir.path("null").c_str(), S_IFCHR | 0600, ::makedev(1, 3)) == 0);
  const std::string before = snapshot(dir);
  for (const auto& [flags, says] : std::vector<std::pair<std::string, std::string>>{
           {" -o " + dir.path("null"), "--output names a device, FIFO or socket"},
           {" -o " + dir.path("fifo"), "--output names a device, FIFO or socket"},
           {" -o " + dir.path("link.mlp"), "--output names a symbolic link"},
           {" --checkpoint " + dir.path("link.mlp"), "--checkpoint names a symbolic link"},
           {" --csv-log " + dir.path("null"), "--csv-log names a device"},
           {" --csv-log " + dir.root().string(), "--csv-log names a folder"},
           {" -o ''", "--output: an empty value"},
           {" --csv-log ''", "--csv-log"},
           {" --checkpoint ''", "--checkpoint"}}) {
    INFO(flags);
    check_refused(run(train + " --config " + config + flags, dir), "mlp-train", says);
  }
  CHECK(snapshot(dir) == before);

  const std::string model = dir.path("target.mlp");
  for (const auto& [flags, says] : std::vector<std::pair<std::string, std::string>>{
           {" -o " + dir.path("null"), "--output names a device"},
           {" -o " + dir.path("link.mlp"), "--output names a symbolic link"},
           {" -o ''", "--output"}}) {
    INFO(flags);
    check_refused(run(predict + " --model " + model + " --images " + dir.path("train-images-idx3-ubyte") + flags, dir),
                  "mlp-predict", says);
  }
  CHECK(snapshot(dir) == before);
}

TEST_CASE("an output that is one of the run's inputs, or another output, is refused; the input stays") {
  TempDir dir;
  const std::string config = write_tiny_config(dir);
  const std::string images = dir.path("train-images-idx3-ubyte"), labels = dir.path("train-labels-idx1-ubyte");
  std::filesystem::create_hard_link(labels, dir.path("labels-again"));
  const std::string before = snapshot(dir);
  for (const auto& [flags, says] : std::vector<std::pair<std::string, std::string>>{
           {" -o " + images, "--output is " + images + ", an input of this run"},
           {" -o " + config, "--output is " + config + ", an input of this run"},
           {" --checkpoint " + labels, "--checkpoint is " + labels},
           {" --csv-log " + dir.path("labels-again"), "an input of this run"},  // the same file by another name
           {" -o " + dir.path("m.mlp") + " --checkpoint " + dir.path("m.mlp"), "--checkpoint and --output name the same file"},
           {" -o " + dir.path("m.mlp") + " --csv-log " + dir.root().string() + "/./m.mlp", "name the same file"}}) {
    INFO(flags);
    check_refused(run(train + " --config " + config + flags, dir), "mlp-train", says);
  }
  CHECK(snapshot(dir) == before);

  // mlp-predict -o onto its model or its images.
  REQUIRE(run(train + " --config " + config + " -o " + dir.path("m.mlp"), dir).code == 0);
  const std::string model_bytes = read_bytes(dir.path("m.mlp")), image_bytes = read_bytes(images);
  check_refused(run(predict + " --model " + dir.path("m.mlp") + " --images " + images + " -o " + dir.path("m.mlp"), dir),
                "mlp-predict", "an input of this run");
  check_refused(run(predict + " --model " + dir.path("m.mlp") + " --images " + images + " -o " + images, dir),
                "mlp-predict", "an input of this run");
  CHECK(read_bytes(dir.path("m.mlp")) == model_bytes);
  CHECK(read_bytes(images) == image_bytes);

  // The checkpoint a run resumes from may be written again: it was read whole.
  REQUIRE(run(train + " --config " + config + " --epochs 1 --checkpoint " + dir.path("ck.mlp") + " -o " +
                  dir.path("one.mlp"),
              dir)
              .code == 0);
  const Result again = run(train + " --config " + config + " --epochs 2 --resume " + dir.path("ck.mlp") +
                               " --checkpoint " + dir.path("ck.mlp") + " -o " + dir.path("two.mlp"),
                           dir);
  CHECK(again.code == 0);
  CHECK(run(summary + " --model " + dir.path("ck.mlp") + " --history", dir).out.find("Epoch 2/2") != std::string::npos);
}

TEST_CASE("written files take the umask as a new file does, and keep the mode of the file they replace") {
  TempDir dir;
  const std::string config = write_tiny_config(dir);
  REQUIRE(run("umask 077; " + train + " --config " + config + " --epochs 1 -o " + dir.path("private.mlp") +
                  " --csv-log " + dir.path("log.csv"),
              dir)
              .code == 0);
  struct stat info {};
  REQUIRE(::stat(dir.path("private.mlp").c_str(), &info) == 0);
  CHECK((info.st_mode & 0777) == 0600);
  REQUIRE(::stat(dir.path("log.csv").c_str(), &info) == 0);
  CHECK((info.st_mode & 0777) == 0600);
  REQUIRE(::chmod(dir.path("private.mlp").c_str(), 0640) == 0);
  REQUIRE(run("umask 022; " + train + " --config " + config + " --epochs 1 -o " + dir.path("private.mlp"), dir).code == 0);
  REQUIRE(::stat(dir.path("private.mlp").c_str(), &info) == 0);
  CHECK((info.st_mode & 0777) == 0640);
}

TEST_CASE("an output name as long as the system allows is written (its temporary name is kept shorter)") {
  TempDir dir;
  const std::string config = write_tiny_config(dir);
  const std::string name = std::string(251, 'm') + ".mlp";  // 255 bytes, NAME_MAX
  const Result r = run(train + " --config " + config + " --epochs 1 -o " + dir.path(name), dir);
  CHECK(r.code == 0);
  CHECK(std::filesystem::exists(dir.path(name)));
  CHECK(run(summary + " --model " + dir.path(name), dir).code == 0);
}

namespace {

// A checkpoint of the tiny config taken inside epoch 2, after its third batch
// (forged from one taken at the end of epoch 1: every value a real one would hold,
// the partial sums included).
std::string mid_epoch_checkpoint(const TempDir& dir, const std::string& config) {
  const std::string at_end = dir.path("end.mlp");
  REQUIRE(run(train + " --threads 1 --config " + config + " --epochs 1 --checkpoint " + at_end + " -o " +
                  dir.path("first.mlp"),
              dir)
              .code == 0);
  mlp::ModelFile file = mlp::load_model_file(at_end);
  REQUIRE(file.header["fit_state"]["next_batch"] == 0);
  file.header["fit_state"]["next_batch"] = 3;
  file.header["fit_state"]["epoch_count"] = 48;
  file.header["fit_state"]["epoch_sums"] = {60.5, 30.25};  // loss, acc
  const std::string mid = dir.path("mid.mlp");
  mlp::save_model_file(mid, file);
  return mid;
}

}  // namespace

TEST_CASE("a mid-epoch checkpoint resumed with another loss, metrics, batch size, split or shuffle is refused") {
  TempDir dir;
  const std::string config = write_tiny_config(dir);
  const std::string mid = mid_epoch_checkpoint(dir, config);
  const std::string base = train + " --threads 1 --config " + config + " --resume " + mid + " -o " + dir.path("r.mlp");
  for (const auto& [flags, says] : std::vector<std::pair<std::string, std::string>>{
           {" --batch-size 32", "fit.batch_size 16; it cannot go on with 32"},
           {" --set fit.batch_size=8", "fit.batch_size 16"},
           {" --set 'compile.metrics=[]'", "loss and metrics categorical_crossentropy (loss, acc)"},
           {" --set 'compile.metrics=[\"acc\", \"mse\"]'", "loss and metrics"},
           {" --set compile.loss=\"mse\"", "loss and metrics"},
           {" --set fit.validation_split=0.5", "fit.validation_split 0.2"},
           {" --set fit.shuffle=false", "fit.shuffle true"}}) {
    INFO(flags);
    const Result r = run(base + flags, dir);
    check_refused(r, "mlp-train", mid + ": was taken inside epoch 2");
    CHECK(r.err.find(says) != std::string::npos);
  }
  CHECK_FALSE(std::filesystem::exists(dir.path("r.mlp")));

  // The same run goes on from it (so the refusals above are the differences'),
  // and so does a different batch size from a checkpoint taken at an epoch's end.
  const Result same = run(base, dir);
  CHECK(same.code == 0);
  CHECK(same.out.find("Epoch 2/3") != std::string::npos);
  CHECK(run(train + " --threads 1 --config " + config + " --resume " + dir.path("end.mlp") + " --batch-size 32 -o " +
                dir.path("r2.mlp"),
            dir)
            .code == 0);
}

TEST_CASE("a resume asking for another seed is refused, naming both seeds") {
  TempDir dir;
  const std::string config = write_tiny_config(dir);  // seed 7
  REQUIRE(run(train + " --config " + config + " --epochs 1 --checkpoint " + dir.path("ck.mlp") + " -o " +
                  dir.path("m.mlp"),
              dir)
              .code == 0);
  const std::string resume = " --resume " + dir.path("ck.mlp") + " -o " + dir.path("r.mlp");
  check_refused(run(train + resume + " --seed 8", dir), "mlp-train", "continues a run with seed 7; seed 8");
  check_refused(run(train + " --config " + config + resume + " --set seed=9", dir), "mlp-train", "seed 9");
  CHECK(run(train + resume + " --seed 7", dir).code == 0);
}

TEST_CASE("a diverged epoch is logged and saved as nan/inf, read back, and never replaces a good checkpoint") {
  TempDir dir;
  // Linear outputs, mse and a huge learning rate: the weights grow each epoch
  // until the validation loss overflows; the next epoch's loss then stops training.
  const std::string config = write_tiny_config(dir);
  const std::string diverging = train + " --threads 1 --config " + config +
                                " --set 'model.layers[2].activation=\"linear\"' --set compile.loss=\"mse\"" +
                                " --set 'compile.optimizer={\"type\": \"sgd\", \"learning_rate\": 30}'" +
                                " --batch-size 160 --checkpoint " + dir.path("ck.mlp");
  const Result whole = run(diverging + " --epochs 100 -o " + dir.path("never.mlp"), dir);
  REQUIRE(whole.code == 1);
  CHECK(whole.err.find("Invalid loss") != std::string::npos);
  std::smatch first;
  REQUIRE(std::regex_search(whole.out, first, std::regex(R"(Epoch (\d+)/100\n[^\n]*val_loss: (inf|nan))")));
  const int diverged = std::stoi(first[1]);
  CHECK(whole.err.find("epoch " + std::to_string(diverged) + ": val_loss is " + first[2].str() + "; " +
                       dir.path("ck.mlp") + " keeps the last checkpoint") != std::string::npos);
  // The checkpoint is that of the epoch before, readable, its values finite.
  const Result kept = run(summary + " --model " + dir.path("ck.mlp") + " --history", dir);
  REQUIRE(kept.code == 0);
  CHECK(kept.out.find("Epoch " + std::to_string(diverged - 1) + "/") != std::string::npos);
  CHECK(kept.out.find("Epoch " + std::to_string(diverged) + "/") == std::string::npos);
  CHECK(kept.out.find("nan") == std::string::npos);
  CHECK(kept.out.find(" inf") == std::string::npos);

  // Stopped at that epoch, the run saves its model (as Keras would), and every
  // program reads it back with the value as Keras prints it.
  const Result stopped = run(diverging + " --epochs " + std::to_string(diverged) + " -o " + dir.path("m.mlp"), dir);
  REQUIRE(stopped.code == 0);
  const Result history = run(summary + " --model " + dir.path("m.mlp") + " --history", dir);
  CHECK(history.code == 0);
  CHECK(history.out.find("val_loss: " + first[2].str()) != std::string::npos);
  CHECK(run(summary + " --model " + dir.path("ck.mlp"), dir).code == 0);
}

TEST_CASE("numbers on the command line: decimal, whole, finite, in range, or refused") {
  TempDir dir;
  const std::string config = write_tiny_config(dir);
  // A leading zero is not octal: 010 is ten epochs.
  const Result ten = run(train + " --config " + config + " --epochs 010 --batch-size 64 -o " + dir.path("m.mlp"), dir);
  REQUIRE(ten.code == 0);
  CHECK(ten.out.find("Epoch 10/10\n") != std::string::npos);
  for (const auto& [flags, says] : std::vector<std::pair<std::string, std::string>>{
           {" --epochs 99999999999999999999", "out of range"},
           {" --epochs 0x10", "not a whole number"},
           {" --epochs 1e3", "not a whole number"},
           {" --epochs ' 5'", "not a whole number"},
           {" --epochs ''", "--epochs"},
           {" --batch-size -1", "out of range"},
           {" --seed 18446744073709551616", "out of range"},
           {" --threads 3x", "not a whole number"}}) {
    INFO(flags);
    check_refused(run(train + " --config " + config + flags, dir), "mlp-train", says);
  }
  const std::string model = dir.path("m.mlp");
  write_bytes(dir.path("t10k-labels"), mlp::test::idx_bytes({1}, {0}));
  for (const std::string gate : {"nan", "NaN", "inf", "-inf", "1e999", "0.5.1", ""}) {
    INFO("--min-accuracy '" << gate << "'");
    check_refused(run(eval + " --model " + model + " --images x --labels y --min-accuracy '" + gate + "'", dir),
                  "mlp-eval", "--min-accuracy");
  }
  check_refused(run(eval + " --model " + model + " --images x --labels y --min-accuracy 1.5", dir), "mlp-eval",
                "out of range");
}

TEST_CASE("--set reaches into a string optimizer, and a key path nested too deep is refused, not a crash") {
  TempDir dir;
  const std::string config = write_tiny_config(dir);  // "optimizer": "adam"
  const Result r = run(train + " --config " + config + " --epochs 1 --set compile.optimizer.learning_rate=0.1 -o " +
                           dir.path("m.mlp"),
                       dir);
  REQUIRE(r.code == 0);
  const auto saved = mlp::load_model_file(dir.path("m.mlp")).header["config"]["compile"]["optimizer"];
  CHECK(saved["type"] == "adam");
  CHECK(saved["learning_rate"] == 0.1);

  for (const std::size_t depth : {std::size_t{65}, std::size_t{30000}}) {
    std::string path = "a";
    for (std::size_t i = 1; i < depth; ++i) path += i % 2 ? ".a" : "[0]";
    INFO(depth << " components");
    check_refused(run(train + " --config " + config + " --set '" + path + "=1'", dir), "mlp-train",
                  "--set key path nested deeper than 64 levels");
  }
}

TEST_CASE("a failed write to stdout fails the program with exit 1") {
  TempDir dir;
  const std::string config = write_tiny_config(dir);
  REQUIRE(run(train + " --config " + config + " --epochs 1 -o " + dir.path("m.mlp"), dir).code == 0);
  const std::string model = dir.path("m.mlp");
  mlp::test::write_banded_set(dir, "t10k", 20, 6, 6, 4, 9);
  const std::string test_set =
      " --images " + dir.path("t10k-images-idx3-ubyte") + " --labels " + dir.path("t10k-labels-idx1-ubyte");
  for (const std::string& command :
       {summary + " --config " + config, summary + " --model " + model, eval + " --model " + model + test_set,
        eval + " --json --model " + model + test_set, predict + " --model " + model + " --images " +
        dir.path("t10k-images-idx3-ubyte"), train + " --config " + config + " --epochs 1 -o " + dir.path("n.mlp")}) {
    for (const std::string redirect : {" >/dev/full", " >&-"}) {
      INFO(command << redirect);
      const Result r = run("sh -c '" + command + redirect + " 2>" + dir.path("err") + "; echo $? >" +
                               dir.path("code") + "'",
                           dir);
      REQUIRE(r.code == 0);
      CHECK(read_bytes(dir.path("code")) == "1\n");
      CHECK(read_bytes(dir.path("err")).find("error: stdout: cannot write the results") != std::string::npos);
    }
  }
}

TEST_CASE("SIGINT or SIGTERM before training ends the program at once: a config that is a FIFO nobody writes") {
  TempDir dir;
  REQUIRE(::mkfifo(dir.path("config.json").c_str(), 0600) == 0);
  for (const auto& [signal, code] : {std::pair{"INT", "130"}, std::pair{"TERM", "143"}}) {
    INFO("SIG" << signal);
    // Killed outright after 20 s, should the signal not end it (status 137).
    const Result r = run("sh -c '" + train + " --config " + dir.path("config.json") + " & pid=$!; sleep 0.5; kill -" +
                             signal + " $pid; (sleep 20; kill -9 $pid 2>/dev/null) & wait $pid; echo $?'",
                         dir);
    CHECK(r.out == std::string(code) + "\n");
  }
}

TEST_CASE("mlp-predict --top-k above the class count lists every class, with a warning") {
  TempDir dir;
  const std::string config = write_tiny_config(dir);  // 4 classes
  REQUIRE(run(train + " --config " + config + " --epochs 1 -o " + dir.path("m.mlp"), dir).code == 0);
  const Result r =
      run(predict + " --model " + dir.path("m.mlp") + " --images " + dir.path("train-images-idx3-ubyte") + " --top-k 9", dir);
  REQUIRE(r.code == 0);
  CHECK(r.out.rfind("index,class,probability,class_2,probability_2,class_3,probability_3,class_4,probability_4\n", 0) ==
        0);
  const std::regex row(R"(\d+(,\d,[01]\.\d{6}){4})");
  std::istringstream lines(r.out.substr(r.out.find('\n') + 1));
  std::size_t rows = 0;
  for (std::string line; std::getline(lines, line); ++rows) CHECK(std::regex_match(line, row));
  CHECK(rows == 200);
  CHECK(r.err.find("--top-k 9: the model has 4 classes; listing 4") != std::string::npos);
}

TEST_CASE("a metric named twice logs as acc and acc_1, as Keras names them") {
  TempDir dir;
  const std::string config = write_tiny_config(dir);
  const Result r = run(train + " --config " + config + " --epochs 1 --set 'compile.metrics=[\"acc\", \"accuracy\", \"acc\"]'" +
                           " -o " + dir.path("m.mlp") + " --csv-log " + dir.path("log.csv"),
                       dir);
  REQUIRE(r.code == 0);
  CHECK(std::regex_search(r.out, std::regex(R"( - loss: \S+ - acc: \S+ - acc_1: \S+ - acc_2: \S+ - val_loss: \S+ - val_acc: \S+ - val_acc_1: \S+ - val_acc_2: \S+\n)")));
  CHECK(read_bytes(dir.path("log.csv")).rfind("epoch,acc,acc_1,acc_2,loss,val_acc,val_acc_1,val_acc_2,val_loss\r\n", 0) == 0);
}

TEST_CASE("images of another shape with the same pixel count are refused by training, eval and predict") {
  TempDir dir;
  const std::string config = write_tiny_config(dir);  // 6x6 images
  REQUIRE(run(train + " --config " + config + " --epochs 1 -o " + dir.path("m.mlp"), dir).code == 0);
  check_refused(run(train + " --config " + config + " --set 'model.input_shape=[4, 9]'", dir), "mlp-train", "6x6");
  mlp::test::write_banded_set(dir, "wide", 10, 4, 9, 4, 1);
  check_refused(run(predict + " --model " + dir.path("m.mlp") + " --images " + dir.path("wide-images-idx3-ubyte"), dir),
                "mlp-predict", "4x9");
  check_refused(run(eval + " --model " + dir.path("m.mlp") + " --images " + dir.path("wide-images-idx3-ubyte") +
                        " --labels " + dir.path("wide-labels-idx1-ubyte"),
                    dir),
                "mlp-eval", "4x9");
}

TEST_CASE("a config with a NUL byte, or text after its JSON, is refused") {
  TempDir dir;
  const std::string good = read_bytes(write_tiny_config(dir));
  write_bytes(dir.path("nul.json"), good + std::string(1, '\0') + "garbage");
  check_refused(run(train + " --config " + dir.path("nul.json"), dir), "mlp-train", "a NUL byte at offset");
  write_bytes(dir.path("nul-inside.json"), good.substr(0, 10) + std::string(1, '\0') + good.substr(10));
  check_refused(run(train + " --config " + dir.path("nul-inside.json"), dir), "mlp-train", "NUL byte");
  write_bytes(dir.path("after.json"), good + "\n{}");
  check_refused(run(train + " --config " + dir.path("after.json"), dir), "mlp-train", dir.path("after.json"));
  check_refused(run(summary + " --config " + dir.path("nul.json"), dir), "mlp-summary", "NUL byte");
}

TEST_CASE("names and paths that are not UTF-8 are refused before training, naming the key") {
  TempDir dir;
  const std::string config = write_tiny_config(dir);
  const std::string latin1 = dir.path("caf\xe9");
  std::filesystem::create_directory(latin1);
  const Result data_dir = run(train + " --config " + config + " --data-dir '" + latin1 + "'", dir);
  check_refused(data_dir, "mlp-train", latin1 + ": --data-dir: data.test.images: is not UTF-8 text");
  // A config in such a folder: its data paths are resolved against it.
  std::filesystem::copy_file(config, latin1 + "/tiny.json");
  check_refused(run(train + " --config '" + latin1 + "/tiny.json'", dir), "mlp-train",
                "data.train.images: is not UTF-8 text");
  // A --set value that is not JSON is taken as a string; a config's stem is its default name.
  check_refused(run(train + " --config " + config + " --set 'name=caf\xe9'", dir), "mlp-train",
                config + ": name: is not UTF-8 text");
  check_refused(run(train + " --config " + config + " --set 'model.layers[1].name=\xff'", dir), "mlp-train",
                "model.layers[1].name: is not UTF-8 text");
  std::string unnamed = read_bytes(config);
  unnamed.replace(unnamed.find("\"name\": \"tiny\", "), 16, "");
  write_bytes(dir.path("\xff.json"), unnamed);
  check_refused(run(summary + " --config '" + dir.path("\xff.json") + "'", dir), "mlp-summary", ": name: is not UTF-8 text");
}

TEST_CASE("memory the input does not justify: a summary allocates no weights, training is refused up front") {
  TempDir dir;
  // Two thousand million parameters: 8 GB of weights, 40 GB to train with adam.
  write_bytes(dir.path("huge.json"), R"({"name": "huge",
    "data": {"train": {"images": "i", "labels": "l"}},
    "model": {"input_shape": [50000], "layers": [{"type": "Dense", "units": 40000, "activation": "softmax"}]},
    "compile": {"loss": "categorical_crossentropy", "optimizer": "adam"}})");
  const Result table = run(summary + " --config " + dir.path("huge.json"), dir);
  CHECK(table.code == 0);
  CHECK(table.out.find("Total params: 2,000,040,000\n") != std::string::npos);
  check_refused(run(train + " --config " + dir.path("huge.json"), dir), "mlp-train",
                "model.layers[0]: kernel of shape (50000, 40000) would bring the model to 2000000000 parameters");
  CHECK(run(train + " --config " + dir.path("huge.json"), dir).err.find("this machine's memory") != std::string::npos);
}

TEST_CASE("mlp-eval of a model with 65536 outputs needs no classes x classes matrix unless --report asks") {
  TempDir dir;
  // The matrix would be 65536^2 counts, 32 GiB; the model file is half a megabyte.
  mlp::Config config = mlp::parse_config(nlohmann::json::parse(R"({"name": "wide",
    "model": {"input_shape": [1, 1], "layers": [{"type": "Flatten"}, {"type": "Dense", "units": 65536, "activation": "softmax"}]},
    "compile": {"loss": "categorical_crossentropy", "optimizer": "sgd", "metrics": ["acc"]}})"),
                                         "");
  mlp::Compiled compiled = mlp::compile(config);
  mlp::Rng rng(1);
  compiled.model->init_params(rng);
  mlp::save_model_file(dir.path("wide.mlp"), mlp::to_model_file(compiled, mlp::FitState{}));
  write_bytes(dir.path("images"), mlp::test::idx_bytes({3, 1, 1}, {0, 128, 255}));
  write_bytes(dir.path("labels"), mlp::test::idx_bytes({3}, {0, 7, 255}));
  const std::string files = " --images " + dir.path("images") + " --labels " + dir.path("labels");
  const Result json = run(eval + " --model " + dir.path("wide.mlp") + files + " --json", dir);
  REQUIRE(json.code == 0);
  const auto result = nlohmann::json::parse(json.out);
  CHECK(result["samples"] == 3);
  CHECK_FALSE(result.contains("confusion_matrix"));
  check_refused(run(eval + " --model " + dir.path("wide.mlp") + files + " --report", dir), "mlp-eval",
                "--report: 65536 classes are more than a report can show (at most 4096)");
}
