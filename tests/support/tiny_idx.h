// Writes small IDX files (plain or gzip) for tests, and a temporary folder that
// cleans up after itself.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace mlp::test {

class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  std::string path(const std::string& name) const { return (root_ / name).string(); }
  const std::filesystem::path& root() const { return root_; }

 private:
  std::filesystem::path root_;
};

// The bytes of an IDX file of unsigned bytes with these dimensions.
std::string idx_bytes(const std::vector<std::uint32_t>& dims, const std::vector<std::uint8_t>& data);
void write_bytes(const std::string& path, const std::string& bytes);
void write_gzip(const std::string& path, const std::string& bytes);
std::string read_bytes(const std::string& path);

// n images of rows x cols whose class (0..classes-1) can be told from the pixels:
// class k lights up band k. Returns {images path, labels path}.
std::pair<std::string, std::string> write_banded_set(const TempDir& dir, const std::string& stem, std::size_t n,
                                                     std::size_t rows, std::size_t cols, std::size_t classes,
                                                     std::uint64_t seed);

}  // namespace mlp::test
