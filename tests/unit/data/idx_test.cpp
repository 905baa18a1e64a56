// IDX reading (plain and gzip) and every kind of broken input; load_dataset's
// cross-checks; gather_batch's scaling and one-hot labels.
#include <catch2/catch.hpp>

#include <sys/resource.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <numeric>
#include <string>
#include <vector>

#include "core/error.h"
#include "data/dataset.h"
#include "data/idx.h"
#include "support/data_error.h"
#include "support/tiny_idx.h"

using namespace mlp;
namespace fs = std::filesystem;

namespace {

using test::data_error_of;

// read_idx must refuse `path` with a DataError that names the file.
void check_refused(const std::string& path, const std::string& substring = "") {
  INFO("file " << path);
  const std::string message = data_error_of([&] { read_idx(path); });
  INFO(message);
  CHECK_THAT(message, Catch::StartsWith(path + ": "));
  if (!substring.empty()) CHECK_THAT(message, Catch::Contains(substring, Catch::CaseSensitive::No));
}

std::string be32(std::uint32_t v) {
  return {static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8), static_cast<char>(v)};
}

// A raw header: magic bytes then dimensions, no checks.
std::string raw_header(std::uint8_t type, std::uint8_t rank, const std::vector<std::uint32_t>& dims) {
  std::string out{0, 0, static_cast<char>(type), static_cast<char>(rank)};
  for (auto d : dims) out += be32(d);
  return out;
}

std::vector<std::uint8_t> ramp(std::size_t n, std::uint32_t seed = 1) {
  std::vector<std::uint8_t> v(n);
  std::uint32_t x = seed;
  for (auto& b : v) {
    x = x * 1664525u + 1013904223u;  // LCG: incompressible enough for gzip tests
    b = static_cast<std::uint8_t>(x >> 24);
  }
  return v;
}

long peak_rss_kib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

// Refused, within a second, without the peak memory growing by more than 64 MiB.
void check_refused_cheaply(const std::string& path) {
  const long rss_before = peak_rss_kib();
  const auto start = std::chrono::steady_clock::now();
  check_refused(path);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  CHECK(seconds < 1.0);
  CHECK(peak_rss_kib() - rss_before < 64 * 1024);
}

}  // namespace

TEST_CASE("read_idx reads plain and gzip files exactly", "[idx]") {
  test::TempDir dir;
  const std::vector<std::uint8_t> data = ramp(3 * 4 * 5);
  const std::string bytes = test::idx_bytes({3, 4, 5}, data);
  // The header is what the format says: 00 00 08 03, then big-endian dims.
  REQUIRE(bytes.substr(0, 8) == std::string({0, 0, 8, 3, 0, 0, 0, 3}));

  const std::string plain = dir.path("plain-idx3-ubyte");
  const std::string gz = dir.path("gz-idx3-ubyte.gz");
  test::write_bytes(plain, bytes);
  test::write_gzip(gz, bytes);
  REQUIRE(test::read_bytes(gz).substr(0, 2) == "\x1f\x8b");

  for (const auto& path : {plain, gz}) {
    INFO(path);
    const IdxArray array = read_idx(path);
    CHECK(array.dims == std::vector<std::size_t>{3, 4, 5});
    CHECK(array.items() == 3);
    CHECK(array.item_size() == 20);
    CHECK(array.data == data);
  }

  SECTION("rank 1 (labels) and the largest rank") {
    const std::string labels = dir.path("labels");
    test::write_bytes(labels, test::idx_bytes({7}, {0, 1, 2, 3, 4, 5, 255}));
    const IdxArray array = read_idx(labels);
    CHECK(array.dims == std::vector<std::size_t>{7});
    CHECK(array.item_size() == 1);
    CHECK(array.data == std::vector<std::uint8_t>{0, 1, 2, 3, 4, 5, 255});

    const std::string rank8 = dir.path("rank8");
    test::write_bytes(rank8, test::idx_bytes({2, 1, 1, 1, 1, 1, 1, 3}, {9, 8, 7, 6, 5, 4}));
    CHECK(read_idx(rank8).dims == std::vector<std::size_t>{2, 1, 1, 1, 1, 1, 1, 3});
  }
  SECTION("a gzip file larger than the reader's chunks") {
    const std::vector<std::uint8_t> big = ramp(3u << 20, 7);  // 3 MiB: several 1 MiB reads
    const std::string big_gz = dir.path("big.gz");
    test::write_gzip(big_gz, test::idx_bytes({3, 1024, 1024}, big));
    const IdxArray array = read_idx(big_gz);
    CHECK(array.dims == std::vector<std::size_t>{3, 1024, 1024});
    CHECK(array.data == big);
  }
}

TEST_CASE("read_idx refuses broken files with a DataError naming the file", "[idx]") {
  test::TempDir dir;
  auto file = [&](const std::string& name, const std::string& bytes) {
    const std::string path = dir.path(name);
    test::write_bytes(path, bytes);
    return path;
  };
  const std::string good = test::idx_bytes({2, 3}, {1, 2, 3, 4, 5, 6});

  check_refused(file("empty", ""), "empty");
  check_refused(file("two-bytes", std::string{0, 0}));
  check_refused(file("header-only", raw_header(8, 2, {2, 3})), "truncated");
  check_refused(file("half-dims", raw_header(8, 2, {2}) + std::string{0, 0}));
  check_refused(file("magic", "\x01" + good.substr(1)), "not an IDX file");
  check_refused(file("magic2", std::string{0, 1} + good.substr(2)), "not an IDX file");
  check_refused(file("text", "hello, this is not an IDX file at all"), "not an IDX file");
  check_refused(file("float-type", raw_header(0x0D, 2, {2, 3}) + std::string(24, '\0')), "0x0d");
  check_refused(file("signed-type", raw_header(0x09, 2, {2, 3}) + std::string(6, '\0')), "0x09");
  check_refused(file("rank0", raw_header(8, 0, {}) + std::string(6, '\0')), "rank 0");
  check_refused(file("rank9", raw_header(8, 9, {1, 1, 1, 1, 1, 1, 1, 1, 1}) + std::string(1, '\0')), "rank 9");
  check_refused(file("rank255", raw_header(8, 255, {})), "rank 255");
  check_refused(file("zero-dim", raw_header(8, 2, {0, 3})), "zero");
  check_refused(file("zero-inner-dim", raw_header(8, 3, {2, 3, 0})), "zero");
  check_refused(file("truncated", good.substr(0, good.size() - 1)), "truncated");
  check_refused(file("extra", good + "\x07"), "after the data");
  check_refused(file("extra-many", good + std::string(1000, 'x')), "after the data");

  SECTION("a missing file and a directory") {
    check_refused(dir.path("no-such-file"));
    fs::create_directory(dir.path("folder"));
    check_refused(dir.path("folder"), "directory");
  }
  SECTION("every truncation of a good file") {
    for (std::size_t n = 0; n < good.size(); ++n) check_refused(file("cut", good.substr(0, n)));
  }
}

TEST_CASE("hostile headers are refused before anything is allocated", "[idx]") {
  test::TempDir dir;
  auto both = [&](const std::string& name, const std::string& bytes) {
    test::write_bytes(dir.path(name), bytes);
    test::write_gzip(dir.path(name + ".gz"), bytes);
    return std::vector<std::string>{dir.path(name), dir.path(name + ".gz")};
  };
  // 4 dims of 0xFFFFFFFF: the product overflows 64 bits.
  for (const auto& path : both("overflow", raw_header(8, 4, {0xFFFFFFFFu, 0xFFFFFFFFu, 0xFFFFFFFFu, 0xFFFFFFFFu})))
    check_refused_cheaply(path);
  // 8 dims of 0x10000: the product is exactly 2^128, which wraps to 0 in 64 bits.
  for (const auto& path : both("wrap", raw_header(8, 8, std::vector<std::uint32_t>(8, 0x10000u)) + "abc"))
    check_refused_cheaply(path);
  // 2^31 items claimed, 16 bytes present.
  for (const auto& path : both("claims-2g", raw_header(8, 1, {0x80000000u}) + std::string(16, '\x01')))
    check_refused_cheaply(path);
  // MNIST-like header claiming 2^31 images of 28x28.
  for (const auto& path : both("claims-2g-images", raw_header(8, 3, {0x80000000u, 28, 28}) + std::string(784, '\x02')))
    check_refused_cheaply(path);
  // The largest single dimension with a small rest.
  for (const auto& path : both("claims-4g", raw_header(8, 2, {0xFFFFFFFFu, 1}) + std::string(100, '\x03')))
    check_refused_cheaply(path);
}

TEST_CASE("broken gzip files are refused", "[idx][gzip]") {
  test::TempDir dir;
  const std::vector<std::uint8_t> data = ramp(4 * 16 * 16, 3);
  const std::string bytes = test::idx_bytes({4, 16, 16}, data);
  const std::string gz_path = dir.path("good.gz");
  test::write_gzip(gz_path, bytes);
  const std::string gz = test::read_bytes(gz_path);
  REQUIRE(read_idx(gz_path).data == data);
  REQUIRE(gz.size() > 100);

  const std::string bad = dir.path("bad.gz");
  SECTION("truncated in the middle") {
    test::write_bytes(bad, gz.substr(0, gz.size() / 2));
    check_refused(bad);
  }
  SECTION("truncated at every offset") {
    for (std::size_t n = 0; n < gz.size(); ++n) {
      INFO("truncated to " << n << " of " << gz.size() << " bytes");
      test::write_bytes(bad, gz.substr(0, n));
      check_refused(bad);
    }
  }
  SECTION("corrupt in the middle") {
    std::string corrupt = gz;
    for (std::size_t i = gz.size() / 2; i < gz.size() / 2 + 8; ++i) corrupt[i] = static_cast<char>(corrupt[i] ^ 0xFF);
    test::write_bytes(bad, corrupt);
    check_refused(bad);
  }
  SECTION("any single byte of the compressed data or the trailer flipped") {
    // Bytes 4..9 of a gzip header (time, flags, OS) carry no data: start after them.
    for (std::size_t i = 10; i < gz.size(); ++i) {
      INFO("byte " << i << " of " << gz.size() << " flipped");
      std::string corrupt = gz;
      corrupt[i] = static_cast<char>(corrupt[i] ^ 0xFF);
      test::write_bytes(bad, corrupt);
      check_refused(bad);
    }
  }
  SECTION("a gzip file whose content is a broken IDX file") {
    test::write_gzip(bad, bytes.substr(0, bytes.size() - 10));
    check_refused(bad, "truncated");
    test::write_gzip(bad, bytes + "extra");
    check_refused(bad);
    test::write_gzip(bad, "");
    check_refused(bad, "empty");
    test::write_gzip(bad, raw_header(8, 2, {2, 0}));
    check_refused(bad, "zero");
  }
  SECTION("bytes after the end of the gzip stream, as after a plain file's data") {
    for (const std::string& tail : {std::string("garbage"), std::string(1, '\0'), std::string(4096, 'x')}) {
      INFO(tail.size() << " bytes after the stream");
      test::write_bytes(bad, gz + tail);
      check_refused(bad, "after the end of the gzip stream");
      test::write_bytes(dir.path("plain"), bytes + tail);
      check_refused(dir.path("plain"), "after the data the header describes");
    }
  }
}

TEST_CASE("load_dataset cross-checks images, labels and the model", "[dataset]") {
  test::TempDir dir;
  // Named copies, not a structured binding: the lambdas below capture them
  // (clang 14 cannot capture a binding).
  const auto files = test::write_banded_set(dir, "set", 6, 4, 5, 3, 5);
  const std::string images = files.first, labels = files.second;

  SECTION("a good set") {
    const Dataset data = load_dataset(images, labels, {4, 5}, 3);
    CHECK(data.size() == 6);
    CHECK(data.feature_count() == 20);
    CHECK(data.labels.size() == 6);
    CHECK(data.bytes == read_idx(images).data);
    const auto label_bytes = read_idx(labels).data;
    CHECK(data.labels == std::vector<std::uint32_t>(label_bytes.begin(), label_bytes.end()));
    CHECK(data.features_path == images);
    CHECK(data.targets_path == labels);
    // The flat shape of the same size fits too (Flatten's input and output agree).
    CHECK(load_dataset(images, labels, {20}, 3).size() == 6);
  }
  SECTION("image and label counts disagree") {
    const std::string short_labels = dir.path("short-labels");
    test::write_bytes(short_labels, test::idx_bytes({5}, {0, 1, 2, 0, 1}));
    const std::string message = data_error_of([&] { load_dataset(images, short_labels, {4, 5}, 3); });
    CHECK_THAT(message, Catch::Contains(short_labels) && Catch::Contains("5") && Catch::Contains("6"));
  }
  SECTION("a label beyond the class count") {
    const std::string big_label = dir.path("big-label");
    test::write_bytes(big_label, test::idx_bytes({6}, {0, 1, 2, 3, 1, 0}));
    const std::string message = data_error_of([&] { load_dataset(images, big_label, {4, 5}, 3); });
    CHECK_THAT(message, Catch::StartsWith(big_label + ": ") && Catch::Contains("label 3"));
    // With 4 classes the same file is fine.
    CHECK(load_dataset(images, big_label, {4, 5}, 4).labels[3] == 3);
    // One output unit takes 0/1 labels only.
    const std::string three_classes = dir.path("three-classes");
    test::write_bytes(three_classes, test::idx_bytes({6}, {0, 1, 2, 0, 1, 0}));
    CHECK(load_dataset(images, three_classes, {4, 5}, 3).size() == 6);
    CHECK_THAT(data_error_of([&] { load_dataset(images, three_classes, {4, 5}, 1); }),
               Catch::StartsWith(three_classes + ": ") && Catch::Contains("label 2"));
  }
  SECTION("a labels file given as images, and an images file given as labels") {
    CHECK_THAT(data_error_of([&] { load_dataset(labels, labels, {4, 5}, 3); }), Catch::StartsWith(labels + ": "));
    CHECK_THAT(data_error_of([&] { load_dataset(images, images, {4, 5}, 3); }), Catch::StartsWith(images + ": "));
    CHECK_THAT(data_error_of([&] { load_images(labels, {4, 5}); }), Catch::StartsWith(labels + ": "));
  }
  SECTION("an image shape that does not fit input_shape") {
    for (const Shape& shape : {Shape{4, 4}, Shape{21}, Shape{5, 4, 2}, Shape{28, 28}}) {
      const std::string message = data_error_of([&] { load_dataset(images, labels, shape, 3); });
      CHECK_THAT(message, Catch::StartsWith(images + ": ") && Catch::Contains("input_shape"));
    }
  }
  SECTION("images of another shape with the same number of pixels") {
    // 4x5 images are not 5x4 or 2x10 ones, though each holds 20 values (a flat
    // input_shape [20] takes any of them, as above).
    for (const Shape& shape : {Shape{5, 4}, Shape{2, 10}}) {
      const std::string message = data_error_of([&] { load_dataset(images, labels, shape, 3); });
      CHECK_THAT(message, Catch::StartsWith(images + ": ") && Catch::Contains("4x5") && Catch::Contains("input_shape"));
    }
  }
  SECTION("the counts are compared before a byte of data is read") {
    // A gzip label file that claims one label more than there are images and
    // goes on far past its 7 labels: refused on its header alone (reading the
    // data first would report the extra bytes, not the counts).
    const std::string many = dir.path("many-labels.gz");
    test::write_gzip(many, test::idx_bytes({7}, std::vector<std::uint8_t>(7, 0)) + std::string(1 << 20, '\0'));
    CHECK_THAT(data_error_of([&] { load_dataset(images, many, {4, 5}, 3); }),
               Catch::StartsWith(many + ": ") && Catch::Contains("7 labels for 6 images"));
  }
  SECTION("a broken file is reported as itself") {
    const std::string missing = dir.path("missing-labels");
    CHECK_THAT(data_error_of([&] { load_dataset(images, missing, {4, 5}, 3); }), Catch::StartsWith(missing + ": "));
  }
}

TEST_CASE("Preprocessing maps 0..255 onto the input range", "[dataset]") {
  const auto minus_one_one = Preprocessing{-1.0f, 1.0f, {}, {}, {}}.table();
  const auto zero_one = Preprocessing{0.0f, 1.0f, {}, {}, {}}.table();
  for (int x = 0; x < 256; ++x) {
    INFO("pixel " << x);
    CHECK(minus_one_one[static_cast<std::size_t>(x)] == static_cast<float>(x) / 127.5f - 1.0f);
    CHECK(zero_one[static_cast<std::size_t>(x)] == static_cast<float>(x) / 255.0f);
  }
  CHECK(minus_one_one[0] == -1.0f);
  CHECK(minus_one_one[255] == 1.0f);
  CHECK(zero_one[0] == 0.0f);
  CHECK(zero_one[255] == 1.0f);
  // Any range: the ends are exact and the map is increasing.
  const auto other = Preprocessing{-0.5f, 2.0f, {}, {}, {}}.table();
  CHECK(other[0] == -0.5f);
  CHECK(other[255] == Approx(2.0f).epsilon(1e-6));
  for (std::size_t x = 1; x < 256; ++x) CHECK(other[x] > other[x - 1]);
}

TEST_CASE("gather_batch scales pixels and one-hot encodes labels", "[dataset]") {
  test::TempDir dir;
  // 4 images of 2x2 whose pixels are known, labels 2 0 1 2.
  const std::vector<std::uint8_t> pixels = {0, 255, 127, 128, 1, 2, 3, 4, 10, 20, 30, 40, 254, 253, 252, 251};
  const std::string images = dir.path("images"), labels = dir.path("labels");
  test::write_bytes(images, test::idx_bytes({4, 2, 2}, pixels));
  test::write_bytes(labels, test::idx_bytes({4}, {2, 0, 1, 2}));
  const Dataset data = load_dataset(images, labels, {2, 2}, 3);

  const std::vector<std::uint32_t> indices = {3, 0, 2};
  for (const Preprocessing& pre : {Preprocessing{-1.0f, 1.0f, {}, {}, {}}, Preprocessing{0.0f, 1.0f, {}, {}, {}}}) {
    const auto table = pre.table();
    Matrix x, y;
    gather_batch(data, indices, table, 3, x, y);
    REQUIRE(x.rows() == 3);
    REQUIRE(x.cols() == 4);
    REQUIRE(y.rows() == 3);
    REQUIRE(y.cols() == 3);
    for (std::size_t r = 0; r < indices.size(); ++r) {
      for (std::size_t c = 0; c < 4; ++c) {
        const std::uint8_t p = pixels[indices[r] * 4 + c];
        const float expected = pre.low == -1.0f ? static_cast<float>(p) / 127.5f - 1.0f : static_cast<float>(p) / 255.0f;
        CHECK(x(r, c) == expected);
      }
      const std::uint32_t label = data.labels[indices[r]];
      for (std::size_t k = 0; k < 3; ++k) CHECK(y(r, k) == (k == label ? 1.0f : 0.0f));
    }
  }
  SECTION("a reused matrix is cleared: no stale ones") {
    Matrix x, y;
    const auto table = Preprocessing{}.table();
    gather_batch(data, std::vector<std::uint32_t>{0, 1, 2, 3}, table, 3, x, y);
    gather_batch(data, std::vector<std::uint32_t>{1, 2}, table, 3, x, y);
    CHECK(y(0, 0) == 1.0f);
    CHECK(y(0, 1) == 0.0f);
    CHECK(y(0, 2) == 0.0f);
    CHECK(y(1, 1) == 1.0f);
    CHECK(y(1, 0) == 0.0f);
    CHECK(y(1, 2) == 0.0f);
  }
  SECTION("one output unit gets the label itself") {
    const std::string binary = dir.path("binary");
    test::write_bytes(binary, test::idx_bytes({4}, {1, 0, 0, 1}));
    const Dataset bin = load_dataset(images, binary, {4}, 1);
    Matrix x, y;
    gather_batch(bin, std::vector<std::uint32_t>{0, 1, 3}, Preprocessing{}.table(), 1, x, y);
    REQUIRE(y.cols() == 1);
    CHECK(y(0, 0) == 1.0f);
    CHECK(y(1, 0) == 0.0f);
    CHECK(y(2, 0) == 1.0f);
  }
}
