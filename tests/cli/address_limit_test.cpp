// Under an address-space limit (ulimit -v) OpenBLAS's 128 MiB work buffers may
// not fit, and OpenBLAS retries forever for one that does not: no program may
// hang on that. Each run is killed after 60 s, so a hang fails the test. Not
// built under the sanitizers, whose shadow memory needs terabytes of address
// space.
#include <catch2/catch.hpp>

#include <sched.h>

#include <filesystem>
#include <string>

#include <fmt/format.h>

#include "support/programs.h"
#include "support/tiny_idx.h"

namespace {

using mlp::test::Result;
using mlp::test::run;
using mlp::test::TempDir;
using mlp::test::write_tiny_config;
const std::string& train = mlp::test::train_exe;
const std::string& summary = mlp::test::summary_exe;
const std::string& eval = mlp::test::eval_exe;
const std::string& predict = mlp::test::predict_exe;

Result limited(std::size_t mib, const std::string& command, const TempDir& dir) {
  return run(fmt::format("ulimit -v {} && exec timeout -s KILL 60 {}", mib << 10, command), dir);
}

}  // namespace

TEST_CASE("a tight address-space limit is an error or fewer threads, never a hang") {
  TempDir dir;
  const std::string config = write_tiny_config(dir);
  REQUIRE(run(train + " --config " + config + " --epochs 1 -o " + dir.path("m.mlp"), dir).code == 0);
  const std::string model = dir.path("m.mlp");
  const std::string images = dir.path("train-images-idx3-ubyte");
  const std::string labels = dir.path("train-labels-idx1-ubyte");
  REQUIRE(std::filesystem::exists(images));

  SECTION("128 MiB: what needs no math works, what does is refused at once") {
    const Result version = limited(128, train + " --version", dir);
    CHECK(version.code == 0);
    CHECK(version.out.starts_with("mlp "));
    const Result table = limited(128, summary + " --config " + config, dir);
    CHECK(table.code == 0);
    CHECK_THAT(table.out, Catch::Contains("Total params:"));
    // A summary allocates no layer's per-value tables either: PReLU on 2^30
    // values per sample would need 8 GiB for its alpha index.
    mlp::test::write_bytes(dir.path("wide.json"), R"({"name": "wide",
      "model": {"input_shape": [32768, 32768], "layers": [{"type": "PReLU", "shared_axes": [1, 2]}]},
      "compile": {"loss": "mse", "optimizer": "adam"}})");
    const Result wide = limited(128, summary + " --config " + dir.path("wide.json"), dir);
    CHECK(wide.code == 0);
    CHECK_THAT(wide.out, Catch::Contains("Total params: 1\n"));
    // Nor does a run refused before its data (here: it names none).
    const Result refused = limited(300, train + " --config " + dir.path("wide.json"), dir);
    CHECK(refused.code == 2);
    CHECK_THAT(refused.err, Catch::Contains("data.train: missing"));
    const std::string no_room = "the address-space limit (ulimit -v) of 128 MiB leaves no room for the math library's "
                                "128 MiB work buffer; raise the limit\n";
    for (const auto& [program, command] :
         {std::pair{"mlp-train", train + " --config " + config + " -o " + dir.path("n.mlp")},
          std::pair{"mlp-eval", eval + " --model " + model + " --images " + images + " --labels " + labels},
          std::pair{"mlp-predict", predict + " --model " + model + " --images " + images}}) {
      INFO(command);
      const Result r = limited(128, command, dir);
      CHECK(r.code == 1);
      CHECK(r.err == std::string(program) + ": error: " + no_room);
      CHECK(r.out.empty());
    }
    CHECK_FALSE(std::filesystem::exists(dir.path("n.mlp")));
  }

  SECTION("300 MiB: room for one thread's buffer, so two threads become one, with a warning") {
    cpu_set_t cores;
    REQUIRE(sched_getaffinity(0, sizeof cores, &cores) == 0);
    REQUIRE(CPU_COUNT(&cores) >= 2);  // otherwise --threads 2 is capped to the cores first
    const Result r = limited(300, train + " --config " + config + " --threads 2 --verbose 0 -o " + dir.path("n.mlp"), dir);
    CHECK(r.code == 0);
    CHECK_THAT(r.err, Catch::Contains("mlp: warning: --threads 2: the address-space limit (ulimit -v) of 300 MiB leaves "
                                      "room for only 1 of the math library's 128 MiB work buffers (one per thread); "
                                      "using 1 thread"));
    CHECK(std::filesystem::exists(dir.path("n.mlp")));
  }

  SECTION("2 GiB: a model that fits this machine's memory but not the limit is refused, naming the layer") {
    // 200 million parameters: 800 MB of weights, several GB to train with adam.
    mlp::test::write_bytes(dir.path("big.json"), R"({"name": "big",
      "data": {"train": {"images": "train-images-idx3-ubyte", "labels": "train-labels-idx1-ubyte"}},
      "model": {"input_shape": [10000], "layers": [{"type": "Dense", "units": 20000, "activation": "softmax"}]},
      "compile": {"loss": "categorical_crossentropy", "optimizer": "adam"}})");
    const Result r = limited(2048, train + " --config " + dir.path("big.json"), dir);
    CHECK(r.code == 2);
    CHECK_THAT(r.err, Catch::StartsWith("mlp-train: error: " + dir.path("big.json") +
                                        ": model.layers[0]: kernel of shape (10000, 20000) would bring the model to "
                                        "200000000 parameters") &&
                          Catch::EndsWith(" (the address-space limit (ulimit -v))\n"));
    CHECK(r.out.empty());
  }

  SECTION("1 GiB: room for both threads' buffers, no warning") {
    const Result r = limited(1024, train + " --config " + config + " --threads 2 --verbose 0 -o " + dir.path("n.mlp"), dir);
    CHECK(r.code == 0);
    CHECK(r.err.empty());
    CHECK(std::filesystem::exists(dir.path("n.mlp")));
  }
}
