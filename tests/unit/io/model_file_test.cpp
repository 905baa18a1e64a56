// The .mlp model file: its layout, round trips (bytes and a whole trained model),
// refusal of every truncation and every flipped byte, versioning, tensors outside
// the payload; and the atomic writer.
#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <zlib.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <functional>
#include <limits>
#include <numeric>
#include <set>
#include <string>
#include <vector>

#include "config/config.h"
#include "core/error.h"
#include "core/rng.h"
#include "core/atomic_file.h"
#include "io/model_file.h"
#include "io/saved_model.h"
#include "support/tiny_idx.h"
#include "train/compiled.h"
#include "train/trainer.h"

using namespace mlp;
namespace fs = std::filesystem;

namespace {

std::uint64_t get_le(const std::string& bytes, std::size_t at, std::size_t width) {
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < width; ++i) v |= std::uint64_t{static_cast<unsigned char>(bytes[at + i])} << (8 * i);
  return v;
}

void put_le(std::string& bytes, std::size_t at, std::size_t width, std::uint64_t v) {
  for (std::size_t i = 0; i < width; ++i) bytes[at + i] = static_cast<char>((v >> (8 * i)) & 0xff);
}

std::uint32_t zlib_crc(const std::string& bytes, std::size_t size) {
  return static_cast<std::uint32_t>(
      crc32(crc32(0L, Z_NULL, 0), reinterpret_cast<const Bytef*>(bytes.data()), static_cast<uInt>(size)));
}

// Recomputes the trailing CRC-32 after a deliberate edit.
void fix_crc(std::string& bytes) { put_le(bytes, bytes.size() - 4, 4, zlib_crc(bytes, bytes.size() - 4)); }

std::vector<std::uint32_t> bits_of(const std::vector<float>& values) {
  std::vector<std::uint32_t> bits;
  for (float f : values) bits.push_back(std::bit_cast<std::uint32_t>(f));
  return bits;
}

// Runs `f`, which must throw DataError; returns describe().
std::string data_error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const DataError& e) {
    return e.describe();
  }
  FAIL("expected mlp::DataError, nothing was thrown");
  return "";
}

const char* const small_config = R"({
  "name": "small", "seed": 3,
  "data": {"input_range": [-1, 1]},
  "model": {"input_shape": [4], "layers": [{"type": "Dense", "units": 3, "activation": "softmax"}]},
  "compile": {"loss": "categorical_crossentropy", "optimizer": "adam", "metrics": ["acc"]},
  "fit": {"epochs": 3, "batch_size": 2, "verbose": 0}
})";

// A compiled small model with initialized weights and one optimizer step taken.
Compiled stepped_model() {
  Compiled compiled = compile(parse_config(Json::parse(small_config), ""));
  Rng rng(123);
  compiled.model->init_params(rng);
  std::vector<float> grads(compiled.model->param_count());
  for (std::size_t i = 0; i < grads.size(); ++i) grads[i] = 0.05f * static_cast<float>(i % 7) - 0.1f;
  compiled.optimizer->step(compiled.model->params(), grads);
  return compiled;
}

FitState some_state(const Compiled& compiled) {
  FitState state;
  state.seed = 0xFEDCBA9876543210ull;
  state.next_epoch = 1;
  state.next_batch = 2;
  state.epoch_sums.assign(compiled.objective->size(), 0.0);
  for (std::size_t k = 0; k < state.epoch_sums.size(); ++k) state.epoch_sums[k] = 1.0 / 3.0 + static_cast<double>(k);
  state.epoch_count = 4;
  state.dropout_rng = {1ull, 0xFFFFFFFFFFFFFFFFull, 0x123456789ABCDEFull, 42ull};
  state.history = {{{"loss", 1.0986122886681098}, {"acc", 0.3333333432674408}},
                   {{"loss", 0.123456789012345678}, {"acc", 1e-7}}};
  return state;
}

}  // namespace

TEST_CASE("encode/decode round-trips header and payload bit for bit", "[model_file]") {
  ModelFile file;
  file.header = Json::parse(R"({"program": "test", "list": [1, 2.5, "x"], "nested": {"a": null}, "text": "\u00fc"})");
  file.payload = {0.0f,
                  -0.0f,
                  1.0f,
                  -3.25f,
                  std::numeric_limits<float>::max(),
                  std::numeric_limits<float>::denorm_min(),
                  std::numeric_limits<float>::infinity(),
                  -std::numeric_limits<float>::infinity(),
                  std::bit_cast<float>(0x7fc00001u),  // a NaN with a payload
                  0.1f};
  const std::string bytes = encode_model_file(file);

  SECTION("the layout is the documented one") {
    const std::string header = file.header.dump();
    REQUIRE(bytes.size() == 32 + header.size() + 4 * file.payload.size() + 4);
    CHECK(bytes.substr(0, 8) == "MLPMODEL");
    CHECK(get_le(bytes, 8, 4) == 1);
    CHECK(get_le(bytes, 12, 4) == 0);
    CHECK(get_le(bytes, 16, 8) == header.size());
    CHECK(get_le(bytes, 24, 8) == 4 * file.payload.size());
    CHECK(Json::parse(bytes.substr(32, header.size())) == file.header);
    for (std::size_t i = 0; i < file.payload.size(); ++i)
      CHECK(get_le(bytes, 32 + header.size() + 4 * i, 4) == std::bit_cast<std::uint32_t>(file.payload[i]));
    CHECK(get_le(bytes, bytes.size() - 4, 4) == zlib_crc(bytes, bytes.size() - 4));
  }
  SECTION("decode gives back the same") {
    const ModelFile back = decode_model_file(bytes, "mem.mlp");
    CHECK(back.header == file.header);
    CHECK(bits_of(back.payload) == bits_of(file.payload));
    CHECK(encode_model_file(back) == bytes);
  }
  SECTION("an empty payload") {
    ModelFile empty;
    empty.header = Json::object();
    const ModelFile back = decode_model_file(encode_model_file(empty), "mem.mlp");
    CHECK(back.header == Json::object());
    CHECK(back.payload.empty());
  }
}

TEST_CASE("a trained model round-trips through the file", "[model_file]") {
  const Compiled compiled = stepped_model();
  REQUIRE(compiled.optimizer->iterations() == 1);
  REQUIRE(compiled.optimizer->slots().size() == 2);  // adam: m, v
  for (const auto& slot : compiled.optimizer->slots()) {
    bool any_nonzero = false;
    for (float v : slot) any_nonzero = any_nonzero || v != 0.0f;
    REQUIRE(any_nonzero);
  }
  const FitState state = some_state(compiled);

  auto check_same = [&](const LoadedModel& loaded) {
    CHECK(bits_of(loaded.compiled.model->params()) == bits_of(compiled.model->params()));
    REQUIRE(loaded.compiled.optimizer->slots().size() == compiled.optimizer->slots().size());
    for (std::size_t s = 0; s < compiled.optimizer->slots().size(); ++s)
      CHECK(bits_of(loaded.compiled.optimizer->slots()[s]) == bits_of(compiled.optimizer->slots()[s]));
    CHECK(loaded.compiled.optimizer->iterations() == compiled.optimizer->iterations());
    CHECK(loaded.compiled.optimizer->config() == compiled.optimizer->config());
    CHECK(loaded.compiled.config.to_json() == compiled.config.to_json());
    CHECK(loaded.compiled.preprocessing.low == -1.0f);
    CHECK(loaded.compiled.preprocessing.high == 1.0f);
    CHECK(loaded.compiled.classes() == 3);

    CHECK(loaded.state.seed == state.seed);
    CHECK(loaded.state.next_epoch == state.next_epoch);
    CHECK(loaded.state.next_batch == state.next_batch);
    CHECK(loaded.state.epoch_sums == state.epoch_sums);
    CHECK(loaded.state.epoch_count == state.epoch_count);
    CHECK(loaded.state.dropout_rng == state.dropout_rng);
    CHECK(loaded.state.history == state.history);
  };

  SECTION("in memory") {
    const std::string bytes = encode_model_file(to_model_file(compiled, state));
    check_same(from_model_file(decode_model_file(bytes, "mem.mlp"), "mem.mlp"));
  }
  SECTION("through save_model_file / load_model_file") {
    test::TempDir dir;
    const std::string path = dir.path("small.mlp");
    save_model_file(path, to_model_file(compiled, state));
    check_same(from_model_file(load_model_file(path), path));
    check_same(load_saved_model(path));
    // Saving the loaded model again gives the same bytes.
    const LoadedModel loaded = load_saved_model(path);
    CHECK(encode_model_file(to_model_file(loaded.compiled, loaded.state)) == test::read_bytes(path));
  }
  SECTION("a fresh model with no history") {
    Compiled fresh = compile(parse_config(Json::parse(small_config), ""));
    FitState empty;
    const LoadedModel loaded =
        from_model_file(decode_model_file(encode_model_file(to_model_file(fresh, empty)), "m"), "m");
    CHECK(loaded.state.history.empty());
    CHECK(loaded.compiled.optimizer->iterations() == 0);
    CHECK(bits_of(loaded.compiled.model->params()) == bits_of(fresh.model->params()));
  }
}

TEST_CASE("a damaged model file is refused, never half-loaded", "[model_file]") {
  const Compiled compiled = stepped_model();
  const std::string bytes = encode_model_file(to_model_file(compiled, some_state(compiled)));
  const std::string path = "damaged.mlp";

  SECTION("truncated at every offset") {
    for (std::size_t n = 0; n < bytes.size(); ++n) {
      INFO("truncated to " << n << " of " << bytes.size() << " bytes");
      const std::string message = data_error_of([&] { decode_model_file(bytes.substr(0, n), path); });
      CHECK_THAT(message, Catch::StartsWith(path + ": "));
    }
  }
  SECTION("one extra byte") {
    CHECK_THAT(data_error_of([&] { decode_model_file(bytes + '\0', path); }), Catch::StartsWith(path + ": "));
  }
  SECTION("any single byte flipped") {
    for (std::size_t i = 0; i < bytes.size(); ++i) {
      INFO("byte " << i << " of " << bytes.size() << " flipped");
      std::string flipped = bytes;
      flipped[i] = static_cast<char>(flipped[i] ^ 0xFF);
      const std::string message = data_error_of([&] { decode_model_file(flipped, path); });
      CHECK_THAT(message, Catch::StartsWith(path + ": "));
    }
  }
  SECTION("a newer format version") {
    std::string future = bytes;
    put_le(future, 8, 4, 2);
    fix_crc(future);
    const std::string message = data_error_of([&] { decode_model_file(future, path); });
    CHECK_THAT(message, Catch::StartsWith(path + ": ") && Catch::Contains("newer"));
  }
  SECTION("format version 0") {
    std::string zero = bytes;
    put_le(zero, 8, 4, 0);
    fix_crc(zero);
    CHECK_THAT(data_error_of([&] { decode_model_file(zero, path); }), Catch::StartsWith(path + ": "));
  }
  SECTION("sizes that do not add up, with a valid checksum") {
    const std::uint64_t header_size = get_le(bytes, 16, 8), payload_size = get_le(bytes, 24, 8);
    const std::vector<std::pair<std::size_t, std::uint64_t>> edits = {
        {16, header_size + 4},          {16, header_size - 4},
        {16, ~std::uint64_t{0}},        {16, std::uint64_t{1} << 63},
        {24, payload_size + 4},         {24, payload_size - 4},
        {24, ~std::uint64_t{0} - 3},    {24, payload_size + 2},
    };
    for (const auto& [at, value] : edits) {
      INFO("u64 at " << at << " set to " << value);
      std::string edited = bytes;
      put_le(edited, at, 8, value);
      fix_crc(edited);
      CHECK_THAT(data_error_of([&] { decode_model_file(edited, path); }), Catch::StartsWith(path + ": "));
    }
    // Header 4 bytes shorter, payload 4 bytes longer: the total still matches, the JSON does not.
    std::string shifted = bytes;
    put_le(shifted, 16, 8, header_size - 4);
    put_le(shifted, 24, 8, payload_size + 4);
    fix_crc(shifted);
    CHECK_THAT(data_error_of([&] { decode_model_file(shifted, path); }), Catch::StartsWith(path + ": "));
  }
  SECTION("a header that is not a JSON object, or hostile JSON, with a valid checksum") {
    for (const std::string& header : {std::string("[1, 2]"), std::string("not json"), std::string(100000, '['),
                                      std::string("\"text\"")}) {
      std::string forged = "MLPMODEL";
      forged.append(24, '\0');
      put_le(forged, 8, 4, 1);
      put_le(forged, 16, 8, header.size());
      forged += header;
      forged.append(4, '\0');
      fix_crc(forged);
      CHECK_THAT(data_error_of([&] { decode_model_file(forged, path); }), Catch::StartsWith(path + ": "));
    }
  }
}

TEST_CASE("a valid file whose header does not match its payload or architecture is refused", "[model_file]") {
  const Compiled compiled = stepped_model();
  const ModelFile good = to_model_file(compiled, some_state(compiled));
  const std::string path = "forged.mlp";
  REQUIRE(good.header["weights"].size() == 2);  // dense_1/kernel, dense_1/bias

  // Re-encoded, so the checksum is valid; only from_model_file can tell.
  auto refused = [&](const ModelFile& forged, const std::string& substring = "") {
    const ModelFile decoded = decode_model_file(encode_model_file(forged), path);
    const std::string message = data_error_of([&] { from_model_file(decoded, path); });
    CHECK_THAT(message, Catch::StartsWith(path + ": "));
    if (!substring.empty()) CHECK_THAT(message, Catch::Contains(substring));
  };

  const std::uint64_t payload_bytes = good.payload.size() * 4;
  for (const std::uint64_t offset :
       {payload_bytes, payload_bytes - 4, payload_bytes + 4000, std::uint64_t{1} << 62, ~std::uint64_t{0} - 3}) {
    INFO("weights[1].offset = " << offset);
    ModelFile forged = good;
    forged.header["weights"][1]["offset"] = offset;
    refused(forged, "outside");
  }
  {
    ModelFile forged = good;
    forged.header["optimizer"]["slots"][1]["offset"] = payload_bytes;
    refused(forged, "outside");
  }
  {
    ModelFile forged = good;  // the payload lost its last floats: v no longer fits
    forged.payload.resize(forged.payload.size() - 3);
    refused(forged, "outside");
  }
  {
    ModelFile forged = good;
    forged.header["weights"][0]["offset"] = 2;  // not a multiple of 4
    refused(forged);
  }
  {
    ModelFile forged = good;
    forged.header["weights"][0]["offset"] = -4;
    refused(forged);
  }
  {
    ModelFile forged = good;
    forged.header["weights"][0]["name"] = "dense_9/kernel";
    refused(forged);
  }
  {
    ModelFile forged = good;
    forged.header["weights"].erase(1);
    refused(forged);
  }
  {
    ModelFile forged = good;
    forged.header["optimizer"]["slots"].erase(1);
    refused(forged);
  }
  {
    ModelFile forged = good;
    forged.header.erase("config");
    refused(forged);
  }
  {
    ModelFile forged = good;
    forged.header["config"]["fit"]["epochs"] = "many";
    refused(forged, "fit.epochs");
  }
  {
    ModelFile forged = good;
    forged.header["config"]["model"]["layers"][0]["units"] = 4;  // the tensors are for 3 units
    refused(forged);
  }
  {
    // A config asking for 4e8 parameters (1.6 GB of weights) in a file of a few
    // hundred bytes is refused before anything of that size is allocated.
    ModelFile forged = good;
    forged.header["config"]["model"]["layers"][0]["units"] = 100000000;
    refused(forged, "parameters");
  }
  {
    // 2 units: every tensor the smaller architecture needs fits inside the payload,
    // but none of them has the shape the file says it stored.
    ModelFile forged = good;
    forged.header["config"]["model"]["layers"][0]["units"] = 2;
    refused(forged);
  }
  {
    ModelFile forged = good;
    forged.header.erase("fit_state");
    refused(forged);
  }
  {
    ModelFile forged = good;
    forged.header["optimizer"]["iterations"] = "one";
    refused(forged);
  }
  {
    ModelFile forged = good;
    forged.header["history"]["epochs"][0] = Json::array({1.0});  // two metric names, one value
    refused(forged);
  }
  {
    ModelFile forged = good;
    forged.header["fit_state"]["epoch_sums"] = Json::array({1.0});  // next_batch > 0 needs one sum per name
    refused(forged);
  }
}

TEST_CASE("each weight tensor keeps its trainable flag; a flag that contradicts the architecture is refused",
          "[model_file]") {
  const Compiled compiled = stepped_model();
  const ModelFile good = to_model_file(compiled, some_state(compiled));
  for (const auto& entry : good.header["weights"]) CHECK(entry.at("trainable") == true);
  const std::string path = "flags.mlp";

  ModelFile frozen = good;
  frozen.header["weights"][0]["trainable"] = false;
  const ModelFile decoded = decode_model_file(encode_model_file(frozen), path);
  CHECK(data_error_of([&] { from_model_file(decoded, path); }) ==
        "flags.mlp: tensor 'dense_1/kernel' is stored as non-trainable where the architecture has it trainable");

  // A file written before the flag existed holds trainable weights only: it loads.
  ModelFile older = good;
  for (auto& entry : older.header["weights"]) entry.erase("trainable");
  CHECK_NOTHROW(from_model_file(decode_model_file(encode_model_file(older), path), path));
}

TEST_CASE("load_model_file refuses what is not a model file", "[model_file]") {
  test::TempDir dir;
  const std::string missing = dir.path("missing.mlp");
  CHECK_THAT(data_error_of([&] { load_model_file(missing); }), Catch::StartsWith(missing + ": "));
  const std::string folder = dir.path("folder.mlp");
  fs::create_directory(folder);
  CHECK_THAT(data_error_of([&] { load_model_file(folder); }), Catch::StartsWith(folder + ": "));
  const std::string empty = dir.path("empty.mlp");
  test::write_bytes(empty, "");
  CHECK_THAT(data_error_of([&] { load_model_file(empty); }), Catch::StartsWith(empty + ": "));
  const std::string text = dir.path("text.mlp");
  test::write_bytes(text, R"({"config": {}})");
  CHECK_THAT(data_error_of([&] { load_model_file(text); }), Catch::StartsWith(text + ": "));
  CHECK_THAT(data_error_of([&] { load_saved_model(text); }), Catch::StartsWith(text + ": "));
}

TEST_CASE("write_file_atomically", "[atomic]") {
  test::TempDir dir;
  auto listing = [&] {
    std::set<std::string> names;
    for (const auto& entry : fs::directory_iterator(dir.root())) names.insert(entry.path().filename().string());
    return names;
  };
  const std::string path = dir.path("out.bin");

  SECTION("writes the bytes and leaves no temporary file") {
    const std::string bytes("a\0b\xff\n", 5);
    write_file_atomically(path, bytes);
    CHECK(test::read_bytes(path) == bytes);
    CHECK(listing() == std::set<std::string>{"out.bin"});
  }
  SECTION("replaces an existing file") {
    test::write_bytes(path, std::string(1000, 'o'));
    write_file_atomically(path, "new");
    CHECK(test::read_bytes(path) == "new");
    CHECK(listing() == std::set<std::string>{"out.bin"});
    write_file_atomically(path, "");
    CHECK(test::read_bytes(path).empty());
    CHECK(fs::file_size(path) == 0);
    CHECK(listing() == std::set<std::string>{"out.bin"});
  }
  SECTION("a temporary left by a killed writer of the same target goes with the next write") {
    // A process id that no longer runs: a child that has exited and been reaped.
    const pid_t child = ::fork();
    REQUIRE(child >= 0);
    if (child == 0) ::_exit(0);
    REQUIRE(::waitpid(child, nullptr, 0) == child);
    const std::string dead = std::to_string(child), alive = std::to_string(::getppid());
    const std::set<std::string> kept{".out.bin.tmp." + alive + ".a1b2c3",   // its writer still runs
                                      ".other.bin.tmp." + dead + ".a1b2c3",  // another target
                                      ".out.bin.tmp.x1.a1b2c3", "out.bin.tmp." + dead + ".a1b2c3"};
    for (const auto& name : kept) test::write_bytes(dir.path(name), "partial");
    test::write_bytes(dir.path(".out.bin.tmp." + dead + ".a1b2c3"), "partial");
    write_file_atomically(path, "new");
    std::set<std::string> expected = kept;
    expected.insert("out.bin");
    CHECK(listing() == expected);
  }
  SECTION("a folder that does not exist is a RuntimeError naming the path") {
    const std::string nowhere = dir.path("no-such-folder/out.bin");
    try {
      write_file_atomically(nowhere, "x");
      FAIL("writing into a missing folder succeeded");
    } catch (const RuntimeError& e) {
      CHECK(e.code() == ExitCode::failure);
      CHECK_THAT(e.describe(), Catch::StartsWith(nowhere + ": "));
    }
    CHECK(listing().empty());
  }
  SECTION("a target that is a directory is refused and cleaned up after") {
    fs::create_directory(path);
    CHECK_THROWS_AS(write_file_atomically(path, "x"), RuntimeError);
    CHECK(listing() == std::set<std::string>{"out.bin"});
    CHECK(fs::is_directory(path));
  }
  SECTION("save_model_file is atomic too and replaces the old model") {
    ModelFile a, b;
    a.header = {{"which", "a"}};
    a.payload = {1.0f};
    b.header = {{"which", "b"}};
    b.payload = {2.0f, 3.0f};
    const std::string model = dir.path("m.mlp");
    save_model_file(model, a);
    save_model_file(model, b);
    const ModelFile back = load_model_file(model);
    CHECK(back.header["which"] == "b");
    CHECK(back.payload == std::vector<float>{2.0f, 3.0f});
    CHECK(listing() == std::set<std::string>{"m.mlp"});
  }
}

TEST_CASE("a model trained, saved and loaded predicts bit-identically to the one in memory", "[model_file]") {
  test::TempDir dir;
  Config config;
  config.model.input_shape = {5, 5};
  config.model.layers = Json::parse(R"([{"type": "Flatten"}, {"type": "Dense", "units": 12, "activation": "gelu"},
      {"type": "Dropout", "rate": 0.3}, {"type": "Dense", "units": 4, "activation": "softmax"}])");
  config.compile.loss = "categorical_crossentropy";
  config.compile.optimizer = "rmsprop";
  config.fit.epochs = 2;
  config.fit.batch_size = 7;
  config.fit.verbose = 0;
  Compiled compiled = compile(config);
  const auto [images, labels] = test::write_banded_set(dir, "set", 60, 5, 5, 4, 8);
  const Dataset data = load_dataset(images, labels, config.model.input_shape, 4);
  FitData fit_data;
  fit_data.source = {&data, compiled.preprocessing.scaling(), 4, {}};
  fit_data.validation = fit_data.source;
  fit_data.train_samples = data.size();
  FitState state;
  state.seed = 4;
  Rng init = Rng::stream(state.seed, 1);
  compiled.model->init_params(init);
  fit(*compiled.model, *compiled.optimizer, *compiled.objective, compiled.config.fit, fit_data, state, {});

  save_model_file(dir.path("m.mlp"), to_model_file(compiled, state));
  LoadedModel loaded = load_saved_model(dir.path("m.mlp"));

  Matrix x, y;
  std::vector<std::uint32_t> all(data.size());
  std::iota(all.begin(), all.end(), 0u);
  gather_batch(data, all, compiled.preprocessing.scaling(), 4, x, y);
  const Matrix& before = compiled.model->forward(x, {});
  const Matrix& after = loaded.compiled.model->forward(x, {});
  REQUIRE(before.size() == after.size());
  for (std::size_t i = 0; i < before.size(); ++i)
    CHECK(std::bit_cast<std::uint32_t>(before.data()[i]) == std::bit_cast<std::uint32_t>(after.data()[i]));
  // A trained model, not a trivial one: its outputs are not uniform.
  CHECK(std::fabs(before(0, 0) - 0.25f) > 1e-3f);
}

TEST_CASE("non-finite logged values are written as Python prints them and read back", "[model_file]") {
  // A diverged epoch logs NaN or an infinity; JSON has neither, and writing them
  // as null made the file unreadable.
  const Compiled compiled = stepped_model();
  FitState state = some_state(compiled);
  const double inf = std::numeric_limits<double>::infinity();
  state.history = {{{"loss", 0.5}, {"acc", std::numeric_limits<double>::quiet_NaN()}}, {{"loss", inf}, {"acc", -inf}}};
  state.epoch_sums = {std::numeric_limits<double>::quiet_NaN(), inf};
  const ModelFile file = to_model_file(compiled, state);
  CHECK(file.header["history"]["epochs"] == Json::parse(R"([[0.5, "nan"], ["inf", "-inf"]])"));
  CHECK(file.header["fit_state"]["epoch_sums"] == Json::parse(R"(["nan", "inf"])"));

  const LoadedModel loaded = from_model_file(decode_model_file(encode_model_file(file), "nan.mlp"), "nan.mlp");
  REQUIRE(loaded.state.history.size() == 2);
  CHECK(loaded.state.history[0][0].second == 0.5);
  CHECK(std::isnan(loaded.state.history[0][1].second));
  CHECK(loaded.state.history[1][0].second == inf);
  CHECK(loaded.state.history[1][1].second == -inf);
  CHECK(std::isnan(loaded.state.epoch_sums[0]));
  CHECK(loaded.state.epoch_sums[1] == inf);

  // Files written before: null stood for NaN, and reads as it. Other text is damage.
  ModelFile older = file;
  older.header["history"]["epochs"][0][1] = nullptr;
  const LoadedModel old_loaded = from_model_file(decode_model_file(encode_model_file(older), "old.mlp"), "old.mlp");
  CHECK(std::isnan(old_loaded.state.history[0][1].second));
  ModelFile damaged = file;
  damaged.header["history"]["epochs"][0][1] = "NaN!";
  CHECK_THROWS_AS(from_model_file(decode_model_file(encode_model_file(damaged), "d.mlp"), "d.mlp"), DataError);
}

TEST_CASE("a history whose later epochs log one more value (lr) is written whole and read back", "[model_file]") {
  // A run resumed with ReduceLROnPlateau added logs lr from then on; a file that
  // took its names from the first epoch alone could not be read back.
  const Compiled compiled = stepped_model();
  FitState state = some_state(compiled);
  state.history = {{{"loss", 0.5}, {"acc", 0.25}}, {{"loss", 0.4}, {"acc", 0.5}, {"lr", 0.001}}};
  const ModelFile file = to_model_file(compiled, state);
  CHECK(file.header["history"]["metrics"] == Json::parse(R"(["loss", "acc", "lr"])"));
  CHECK(file.header["history"]["epochs"] == Json::parse(R"([[0.5, 0.25, "NA"], [0.4, 0.5, 0.001]])"));
  const LoadedModel loaded = from_model_file(decode_model_file(encode_model_file(file), "lr.mlp"), "lr.mlp");
  CHECK(loaded.state.history == state.history);
}
