#include "support/tiny_idx.h"

#include <zlib.h>

#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>

namespace mlp::test {

TempDir::TempDir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "mlp-test-XXXXXX").string();
  if (!mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
  root_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(root_, ignored);
}

std::string idx_bytes(const std::vector<std::uint32_t>& dims, const std::vector<std::uint8_t>& data) {
  std::string out{0, 0, 8, static_cast<char>(dims.size())};
  for (std::uint32_t d : dims)
    for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>((d >> shift) & 0xff));
  out.append(data.begin(), data.end());
  return out;
}

void write_bytes(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

void write_gzip(const std::string& path, const std::string& bytes) {
  gzFile f = gzopen(path.c_str(), "wb");
  gzwrite(f, bytes.data(), static_cast<unsigned>(bytes.size()));
  gzclose(f);
}

std::string read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::pair<std::string, std::string> write_banded_set(const TempDir& dir, const std::string& stem, std::size_t n,
                                                     std::size_t rows, std::size_t cols, std::size_t classes,
                                                     std::uint64_t seed) {
  std::mt19937 gen(static_cast<std::uint32_t>(seed));
  std::vector<std::uint8_t> images(n * rows * cols), labels(n);
  for (std::size_t i = 0; i < n; ++i) {
    const auto label = static_cast<std::uint8_t>(gen() % classes);
    labels[i] = label;
    for (std::size_t p = 0; p < rows * cols; ++p) {
      const bool lit = (p * classes) / (rows * cols) == label;
      images[i * rows * cols + p] = static_cast<std::uint8_t>(lit ? 200 + gen() % 56 : gen() % 60);
    }
  }
  const std::string images_path = dir.path(stem + "-images-idx3-ubyte");
  const std::string labels_path = dir.path(stem + "-labels-idx1-ubyte");
  write_bytes(images_path, idx_bytes({static_cast<std::uint32_t>(n), static_cast<std::uint32_t>(rows),
                                      static_cast<std::uint32_t>(cols)},
                                     images));
  write_bytes(labels_path, idx_bytes({static_cast<std::uint32_t>(n)}, labels));
  return {images_path, labels_path};
}

}  // namespace mlp::test
