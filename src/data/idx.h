// IDX files (the MNIST format), plain or gzip-compressed. The header is checked
// before anything is allocated: for a plain file against the file's size; for a
// gzip file the payload is read in bounded chunks, so memory grows only with data
// that really arrives.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace mlp {

struct IdxArray {
  std::vector<std::size_t> dims;  // dims[0] = number of items
  std::vector<std::uint8_t> data;  // unsigned bytes (type 0x08), row-major

  std::size_t items() const { return dims.empty() ? 0 : dims[0]; }
  std::size_t item_size() const;  // product of dims[1..]
};

// Throws DataError naming `path` for anything that is not a well-formed ubyte IDX file.
IdxArray read_idx(const std::string& path);
// The header's dimensions alone (checked as read_idx checks them), so that two
// files can be compared before either's data is read.
std::vector<std::size_t> read_idx_dims(const std::string& path);

}  // namespace mlp
