// CSV and NumPy data: the CSV reader against RFC 4180 (quotes, doubled quotes,
// line breaks in fields, CRLF, a byte-order mark, gzip) and every way to break
// it, each error naming file, line and column; numbers read the same under a
// German locale; CSV tables as data sets (targets by name, index, list; text
// classes; one-hot; regression); .npy in every version and element type, and
// .npz archives as NumPy writes them (numpy itself, stored and deflated, ZIP64);
// headers that promise more than the file holds refused before allocating;
// data.normalize's statistics by hand and applied by gather_inputs.
#include <catch2/catch.hpp>

#include <clocale>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <locale>
#include <string>
#include <vector>

#include "config/data_spec.h"
#include "core/error.h"
#include "data/byte_source.h"
#include "data/csv_reader.h"
#include "data/load_data.h"
#include "data/npy.h"
#include "data/targets.h"
#include "support/data_error.h"
#include "support/tiny_idx.h"

using namespace mlp;

namespace {

using test::data_error_of;

std::vector<std::vector<std::string>> records(const std::string& path, char delimiter = ',') {
  CsvReader reader(path, delimiter);
  std::vector<std::string_view> fields;
  std::vector<std::vector<std::string>> out;
  while (reader.next(fields)) out.emplace_back(fields.begin(), fields.end());
  return out;
}

DataSpec csv_spec(const std::string& path, Json target, bool header = true) {
  DataSpec spec;
  spec.format = DataFormat::csv;
  spec.path = path;
  spec.target = std::move(target);
  spec.header = header;
  return spec;
}

// A .npy file's bytes: version `major`, the given descr and shape, then `data`.
std::string npy_bytes(int major, const std::string& descr, const std::string& shape, const std::string& data,
                      const std::string& order = "False") {
  std::string header = "{'descr': '" + descr + "', 'fortran_order': " + order + ", 'shape': " + shape + ", }";
  const std::size_t prefix = major == 1 ? 10 : 12;
  while ((prefix + header.size() + 1) % 64 != 0) header += ' ';
  header += '\n';
  std::string out = "\x93NUMPY";
  out += static_cast<char>(major);
  out += '\0';
  for (std::size_t k = 0; k < prefix - 8; ++k) out += static_cast<char>((header.size() >> (8 * k)) & 0xff);
  return out + header + data;
}

template <class T>
std::string raw(const std::vector<T>& values, bool big_endian = false) {
  std::string out;
  for (const T& v : values) {
    char b[sizeof(T)];
    std::memcpy(b, &v, sizeof(T));
    if (big_endian) std::reverse(b, b + sizeof(T));
    out.append(b, sizeof(T));
  }
  return out;
}

NpyArray read_npy_file(const std::string& path, bool keep_bytes = false) {
  ByteSource source(path, std::filesystem::file_size(path));
  return read_npy(source, path, "the array", std::filesystem::file_size(path), keep_bytes);
}

}  // namespace

TEST_CASE("CSV records as RFC 4180 has them", "[csv]") {
  test::TempDir dir;
  const std::string path = dir.path("t.csv");
  // A byte-order mark, CRLF, a quoted delimiter, a doubled quote, a line break
  // inside quotes, an empty field, an empty line, no final line break.
  test::write_bytes(path, "\xEF\xBB\xBF" "a,b,c\r\n1,\"x,y\",\"say \"\"hi\"\"\"\r\n\r\n2,,\"two\nlines\"\n3,4,5");
  const auto r = records(path);
  REQUIRE(r.size() == 4);
  CHECK(r[0] == std::vector<std::string>{"a", "b", "c"});
  CHECK(r[1] == std::vector<std::string>{"1", "x,y", "say \"hi\""});
  CHECK(r[2] == std::vector<std::string>{"2", "", "two\nlines"});
  CHECK(r[3] == std::vector<std::string>{"3", "4", "5"});
  // Another delimiter, and gzip.
  test::write_gzip(dir.path("t.tsv.gz"), "a\tb\n1.5\t\"q\tq\"\n");
  CHECK(records(dir.path("t.tsv.gz"), '\t') == std::vector<std::vector<std::string>>{{"a", "b"}, {"1.5", "q\tq"}});
  // Records longer than the reader's buffer (64 KiB) come whole.
  std::string wide = std::string(100000, 'z') + ",\"" + std::string(70000, 'q') + "\"\n";
  test::write_bytes(dir.path("wide.csv"), wide + wide);
  const auto w = records(dir.path("wide.csv"));
  REQUIRE(w.size() == 2);
  CHECK(w[1][0].size() == 100000);
  CHECK(w[1][1] == std::string(70000, 'q'));
}

TEST_CASE("broken CSV: each refusal names the file, the line and the column", "[csv]") {
  test::TempDir dir;
  const std::string path = dir.path("bad.csv");
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"a,b\n1,2\"3\n", "line 2, column 2: a quote inside an unquoted field"},
      {"a,b\n1,\"2\"x\n", "line 2, column 2: 'x' after a closing quote"},
      {"a,b\n1,2\n3,\"4\n5\n", "line 3, column 2: the quote opened here is never closed"},
  };
  for (const auto& [text, expected] : cases) {
    test::write_bytes(path, text);
    INFO(text);
    CHECK_THAT(data_error_of([&] { records(path); }), Catch::StartsWith(path + ": " + expected));
  }
  CHECK_THAT(data_error_of([&] { records(dir.path("missing.csv")); }), Catch::StartsWith(dir.path("missing.csv") + ": "));
  test::write_bytes(path, "a,b\n" + std::string(CsvReader::max_record_bytes + 10, 'x') + "\n");
  CHECK_THAT(data_error_of([&] { records(path); }), Catch::Contains("a record longer than"));
}

TEST_CASE("numbers are read the same whatever the locale", "[csv]") {
  float v = 0;
  CHECK(parse_number("1.5", v));
  CHECK(v == 1.5f);
  CHECK(parse_number(" -2.5e-3 ", v));
  CHECK(v == -2.5e-3f);
  CHECK(parse_number("+7", v));
  CHECK(v == 7.0f);
  for (const char* bad : {"", " ", "1,5", "abc", "1.5x", "nan", "inf", "-inf", "1e39", "+-1", "--1", "0x10"}) {
    INFO(bad);
    CHECK_FALSE(parse_number(bad, v));
  }
  // A German locale (decimal comma), compiled here by localedef: C's and C++'s
  // number reading would take "1,5"; the CSV reader must not.
  test::TempDir dir;
  REQUIRE(std::system(("localedef -i de_DE -f UTF-8 " + dir.path("de_DE.UTF-8") + " 2>/dev/null").c_str()) >= 0);
  ::setenv("LOCPATH", dir.root().c_str(), 1);
  const char* set = std::setlocale(LC_ALL, "de_DE.UTF-8");
  REQUIRE(set != nullptr);
  REQUIRE(std::string(std::localeconv()->decimal_point) == ",");
  std::locale::global(std::locale("de_DE.UTF-8"));
  test::write_bytes(dir.path("n.csv"), "x,y\n1.25,0\n\"1,5\",1\n");
  const std::string message = data_error_of([&] {
    load_data(csv_spec(dir.path("n.csv"), "y"), {1}, {2, false, {}});
  });
  CHECK_THAT(message, Catch::Contains("line 3, column 1 (\"x\"): \"1,5\" is not a number"));
  test::write_bytes(dir.path("n.csv"), "x,y\n1.25,0\n-3.5e1,1\n");
  const Dataset data = load_data(csv_spec(dir.path("n.csv"), "y"), {1}, {2, false, {}});
  CHECK(data.values == std::vector<float>{1.25f, -35.0f});
  std::locale::global(std::locale::classic());
  std::setlocale(LC_ALL, "C");
  ::unsetenv("LOCPATH");
}

TEST_CASE("CSV tables: targets by name, index or list; text classes; one-hot; regression", "[csv]") {
  test::TempDir dir;
  const std::string path = dir.path("t.csv");
  test::write_bytes(path, "f1,kind,f2,score\n1,cat,2,0.5\n3,dog,4,1.5\n5,cat,6,2.5\n");
  SECTION("a text class column: classes numbered as they first appear, then by the training names") {
    // "score" is a feature here: three features, the class column left out.
    const Dataset data = load_data(csv_spec(path, "kind"), {3}, {2, false, {}});
    CHECK(data.size() == 3);
    CHECK(data.values == std::vector<float>{1, 2, 0.5f, 3, 4, 1.5f, 5, 6, 2.5f});
    CHECK(data.labels == std::vector<std::uint32_t>{0, 1, 0});
    CHECK(data.class_names == std::vector<std::string>{"cat", "dog"});
    // Test data maps by the training names, whatever order it meets them in.
    test::write_bytes(dir.path("test.csv"), "f1,kind,f2,score\n1,dog,2,0.5\n");
    CHECK(load_data(csv_spec(dir.path("test.csv"), "kind"), {3}, {2, false, {"cat", "dog"}}).labels ==
          std::vector<std::uint32_t>{1});
    test::write_bytes(dir.path("test.csv"), "f1,kind,f2,score\n1,cow,2,0.5\n");
    CHECK_THAT(data_error_of([&] { load_data(csv_spec(dir.path("test.csv"), "kind"), {3}, {2, false, {"cat", "dog"}}); }),
               Catch::Contains("line 2, column 2 (\"kind\"): class \"cow\" is not one the model was trained on (cat, dog)"));
    // More text classes than outputs: a single unit takes two.
    test::write_bytes(dir.path("three.csv"), "f1,kind,f2,score\n1,cat,2,0.5\n3,dog,4,1.5\n5,cow,6,2.5\n");
    CHECK_THAT(data_error_of([&] { load_data(csv_spec(dir.path("three.csv"), "kind"), {3}, {1, false, {}}); }),
               Catch::Contains("line 4, column 2 (\"kind\"): class \"cow\" is one more than the model's 2 classes"));
  }
  SECTION("regression: several target columns by name and index, in the spec's order") {
    test::write_bytes(path, "f1,kind,f2,score\n1,7,2,0.5\n3,8,4,1.5\n5,9,6,2.5\n");
    const Dataset data = load_data(csv_spec(path, Json::array({"score", 0})), {2}, {2, true, {}});
    CHECK(data.targets == std::vector<float>{0.5f, 1, 1.5f, 3, 2.5f, 5});
    CHECK(data.values == std::vector<float>{7, 2, 8, 4, 9, 6});
    CHECK(data.labels.empty());
  }
  SECTION("a negative index counts from the end; whole-number classes are ids") {
    test::write_bytes(path, "a,b,y\n1,2,1\n3,4,0\n5,6,2\n");
    const Dataset data = load_data(csv_spec(path, -1), {2}, {3, false, {}});
    CHECK(data.labels == std::vector<std::uint32_t>{1, 0, 2});
    CHECK(data.class_names.empty());
    CHECK_THAT(data_error_of([&] { load_data(csv_spec(path, -1), {2}, {2, false, {}}); }),
               Catch::Contains("line 4, column 3 (\"y\"): class 2 is beyond the model's 2 classes"));
  }
  SECTION("one-hot class columns") {
    test::write_bytes(path, "x,c0,c1,c2\n1,0,1,0\n2,1,0,0\n");
    CHECK(load_data(csv_spec(path, Json::array({"c0", "c1", "c2"})), {1}, {3, false, {}}).labels ==
          std::vector<std::uint32_t>{1, 0});
    test::write_bytes(path, "x,c0,c1,c2\n1,0,1,0\n2,1,1,0\n");
    CHECK_THAT(data_error_of([&] { load_data(csv_spec(path, Json::array({"c0", "c1", "c2"})), {1}, {3, false, {}}); }),
               Catch::Contains("line 3: the targets are not one-hot"));
  }
  SECTION("no header: columns by index") {
    test::write_bytes(path, "1,2,0\n3,4,1\n");
    const Dataset data = load_data(csv_spec(path, 2, false), {2}, {2, false, {}});
    CHECK(data.values == std::vector<float>{1, 2, 3, 4});
    CHECK(data.labels == std::vector<std::uint32_t>{0, 1});
  }
  SECTION("refusals: each names the file and the place") {
    const std::vector<std::tuple<std::string, Json, std::string>> cases = {
        {"", "y", "is empty"},
        {"a,y\n", "y", "holds no rows of data"},
        {"a,y\n1,0\n2\n", "y", "line 3: 1 fields, the header has 2"},
        {"a,y\n1,0\nx,1\n", "y", "line 3, column 1 (\"a\"): \"x\" is not a number"},
        {"a,y\n,1\n", "y", "line 2, column 1 (\"a\"): \"\" is not a number"},
        {"a,label\n1,0\n", "lable", "no column named \"lable\" in the header (did you mean 'label'?)"},
        {"a,y\n1,0\n", 5, "column 5 does not exist: the header has 2 columns"},
        {"a,y\n1,0\n", Json::array({"y", 1}), "column 1 (\"y\") is named twice"},
        {"a,b,y\n1,2,0\n", "y", "2 feature columns (3 columns, 1 of them targets), and model.input_shape [1] takes 1"},
    };
    for (const auto& [text, target_of_case, expected] : cases) {
      test::write_bytes(path, text);
      INFO(text);
      const Json target = target_of_case;  // a copy: clang 14 cannot capture a binding
      CHECK_THAT(data_error_of([&] { load_data(csv_spec(path, target), {1}, {2, false, {}}); }),
                 Catch::StartsWith(path + ": ") && Catch::Contains(expected));
    }
  }
  SECTION("features alone: the training spec's target columns left out when present") {
    const DataSpec training = csv_spec(path, "kind");
    test::write_bytes(dir.path("p.csv"), "f1,f2,score\n7,8,9\n");
    CHECK(load_features(dir.path("p.csv"), DataFormat::csv, {3}, &training).values == std::vector<float>{7, 8, 9});
    test::write_bytes(dir.path("p.csv"), "f1,kind,f2,score\n7,cat,8,9\n");
    CHECK(load_features(dir.path("p.csv"), DataFormat::csv, {3}, &training).values == std::vector<float>{7, 8, 9});
  }
}

TEST_CASE(".npy arrays: every version and element type, both byte orders", "[npy]") {
  test::TempDir dir;
  const std::string path = dir.path("a.npy");
  const std::vector<float> want{1.5f, -2, 0, 7};
  const std::vector<std::pair<std::string, std::string>> types = {
      {"<f4", raw(want)},
      {"<f8", raw(std::vector<double>{1.5, -2, 0, 7})},
      {">f8", raw(std::vector<double>{1.5, -2, 0, 7}, true)},
      {"<i4", raw(std::vector<std::int32_t>{1, -2, 0, 7})},
      {">i8", raw(std::vector<std::int64_t>{1, -2, 0, 7}, true)},
      {"|i1", raw(std::vector<std::int8_t>{1, -2, 0, 7})},
  };
  for (int major : {1, 2, 3})
    for (const auto& [descr, data] : types) {
      INFO(descr << " version " << major);
      test::write_bytes(path, npy_bytes(major, descr, "(2, 2)", data));
      const NpyArray a = read_npy_file(path);
      CHECK(a.shape == std::vector<std::size_t>{2, 2});
      std::vector<float> expected = want;
      if (descr[1] == 'i') expected[0] = 1;
      CHECK(a.values == expected);
      CHECK(a.integral == (descr[1] != 'f'));
    }
  test::write_bytes(path, npy_bytes(1, "|u1", "(3,)", "\x01\x02\xff"));
  CHECK(read_npy_file(path, true).bytes == std::vector<std::uint8_t>{1, 2, 255});
  CHECK(read_npy_file(path, false).values == std::vector<float>{1, 2, 255});
  test::write_bytes(path, npy_bytes(1, "|b1", "(2,)", std::string("\x01\x00", 2)));
  CHECK(read_npy_file(path).values == std::vector<float>{1, 0});
}

TEST_CASE("broken .npy arrays are refused by name, before allocating what the file cannot hold", "[npy]") {
  test::TempDir dir;
  const std::string path = dir.path("a.npy");
  const std::vector<std::pair<std::string, std::string>> cases = {
      {npy_bytes(1, "<f4", "(2, 2)", raw(std::vector<float>{1, 2, 3, 4}), "True"), "Fortran order"},
      {npy_bytes(1, "<c8", "(1,)", std::string(8, '\0')), "element type '<c8'"},
      {npy_bytes(1, "<f4", "(2, 2)", raw(std::vector<float>{1, 2, 3})), "truncated"},
      {npy_bytes(1, "<f4", "(2,)", raw(std::vector<float>{1, 2, 3})), "data continues after"},
      // A header promising 2^40 elements in a file of a few bytes.
      {npy_bytes(1, "<f8", "(1099511627776,)", raw(std::vector<double>{1})), "truncated: its shape needs"},
      {npy_bytes(1, "<f4", "(1,)", raw(std::vector<float>{NAN})), "element 0 is nan"},
      {npy_bytes(1, "<f8", "(1,)", raw(std::vector<double>{1e300})), "beyond float32"},
      {npy_bytes(4, "<f4", "(1,)", raw(std::vector<float>{1})), "format version 4"},
      {"\x93NUMPX\x01\x00", "no \\x93NUMPY magic"},
      {npy_bytes(1, "<f4", "(1, 'a')", raw(std::vector<float>{1})), "damaged header"},
      {npy_bytes(1, "[('a', '<f4')]", "(1,)", raw(std::vector<float>{1})), "element type"},
      {"", "is empty"},
  };
  for (const auto& [bytes, expected] : cases) {
    test::write_bytes(path, bytes);
    INFO(expected);
    CHECK_THAT(data_error_of([&] { read_npy_file(path); }), Catch::StartsWith(path + ": ") && Catch::Contains(expected));
  }
}

TEST_CASE(".npz archives as NumPy writes them, stored and deflated, and damaged ones", "[npy]") {
  test::TempDir dir;
  const std::string script = dir.path("make.py");
  test::write_bytes(script, R"(import numpy as np, sys
x = np.arange(12, dtype=np.float64).reshape(3, 2, 2) / 4
y = np.array([2, 0, 1], dtype=np.int64)
np.savez(sys.argv[1] + "/stored.npz", x=x, y=y)
np.savez_compressed(sys.argv[1] + "/deflated.npz", features=x, y=np.eye(3)[y])
)");
  REQUIRE(std::system(("/usr/bin/python3 " + script + " " + dir.root().string()).c_str()) == 0);
  DataSpec spec;
  spec.format = DataFormat::npz;
  spec.path = dir.path("stored.npz");
  spec.x = "x";
  spec.y = "y";
  const Dataset stored = load_data(spec, {2, 2}, {3, false, {}});
  CHECK(stored.size() == 3);
  CHECK(stored.values.size() == 12);
  CHECK(stored.values[5] == 1.25f);
  CHECK(stored.labels == std::vector<std::uint32_t>{2, 0, 1});
  spec.path = dir.path("deflated.npz");
  spec.x = "features";
  const Dataset deflated = load_data(spec, {4}, {3, false, {}});  // one-hot y; [2, 2] samples fit a flat [4]
  CHECK(deflated.values == stored.values);
  CHECK(deflated.labels == stored.labels);
  // Regression reads the same y as values.
  spec.path = dir.path("stored.npz");
  spec.x = "x";
  CHECK(load_data(spec, {2, 2}, {1, true, {}}).targets == std::vector<float>{2, 0, 1});

  spec.x = "z";
  CHECK_THAT(data_error_of([&] { load_data(spec, {2, 2}, {3, false, {}}); }),
             Catch::Contains("holds no array named \"z\" (it holds: x, y)"));
  spec.x = "x";
  CHECK_THAT(data_error_of([&] { load_data(spec, {3}, {3, false, {}}); }), Catch::Contains("does not fit model.input_shape"));
  CHECK_THAT(data_error_of([&] { load_data(spec, {2, 2}, {2, false, {}}); }),
             Catch::Contains("sample 0: class 2 is not a whole number from 0 to 1"));
  // Damage: a flipped byte in the deflated data (CRC or inflate), a truncated
  // archive (no end record), not a zip at all.
  std::string bytes = test::read_bytes(dir.path("deflated.npz"));
  bytes[bytes.size() / 3] = static_cast<char>(bytes[bytes.size() / 3] ^ 0x55);
  test::write_bytes(dir.path("flipped.npz"), bytes);
  spec.path = dir.path("flipped.npz");
  spec.x = "features";
  CHECK_THAT(data_error_of([&] { load_data(spec, {4}, {3, false, {}}); }), Catch::StartsWith(spec.path + ": "));
  bytes = test::read_bytes(dir.path("stored.npz"));
  test::write_bytes(dir.path("cut.npz"), bytes.substr(0, bytes.size() - 30));
  spec.path = dir.path("cut.npz");
  spec.x = "x";
  CHECK_THAT(data_error_of([&] { load_data(spec, {2, 2}, {3, false, {}}); }), Catch::Contains("not a zip archive"));
  test::write_bytes(dir.path("text.npz"), std::string(100, 'a'));
  spec.path = dir.path("text.npz");
  CHECK_THAT(data_error_of([&] { load_data(spec, {2, 2}, {3, false, {}}); }),
             Catch::Contains("no end-of-central-directory record"));
}

TEST_CASE("data.normalize: statistics of the training rows by hand, applied per feature", "[normalize]") {
  Dataset data;
  data.dims = {4, 2};
  data.values = {1, 10, 3, 10, 5, 10, 100, -100};  // the last row is not a training row
  const std::vector<std::uint32_t> rows{0, 1, 2};
  Preprocessing standard;  // of a model trained on numbers: they go in as they are
  standard.byte_inputs = false;
  standard.normalize = "standard";
  fit_normalization(data, rows, standard);
  // Feature 0: mean 3, population std sqrt(8/3); feature 1: constant, scale 1.
  CHECK(standard.shift == std::vector<float>{3, 10});
  CHECK(standard.scale[0] == Approx(1 / std::sqrt(8.0 / 3.0)));
  CHECK(standard.scale[1] == 1.0f);
  Preprocessing minmax;
  minmax.byte_inputs = false;
  minmax.normalize = "minmax";
  fit_normalization(data, rows, minmax);
  CHECK(minmax.shift == std::vector<float>{1, 10});
  CHECK(minmax.scale == std::vector<float>{0.25f, 1});
  Matrix x;
  gather_inputs(data, std::vector<std::uint32_t>{2, 3}, minmax.scaling(), x);
  CHECK(x(0, 0) == 1.0f);
  CHECK(x(0, 1) == 0.0f);
  CHECK(x(1, 0) == Approx(24.75f));  // (100 - 1) / 4: rows outside the fit are not clipped
  CHECK(x(1, 1) == -110.0f);
  // A model trained on bytes reads numbers through input_range's map, as it reads bytes.
  Preprocessing pixels{-1.0f, 1.0f, {}, {}, {}, true};
  Dataset as_numbers;
  as_numbers.dims = {1, 3};
  as_numbers.values = {0, 127.5f, 255};
  gather_inputs(as_numbers, std::vector<std::uint32_t>{0}, pixels.scaling(), x);
  CHECK(x(0, 0) == -1.0f);
  CHECK(x(0, 1) == 0.0f);
  CHECK(x(0, 2) == 1.0f);
  // Bytes: the statistics of the values input_range gives them.
  Dataset bytes;
  bytes.dims = {2, 1};
  bytes.bytes = {0, 255};
  Preprocessing scaled{-1.0f, 1.0f, "standard", {}, {}, true};
  fit_normalization(bytes, std::vector<std::uint32_t>{0, 1}, scaled);
  CHECK(scaled.shift == std::vector<float>{0});
  CHECK(scaled.scale == std::vector<float>{1});
}
