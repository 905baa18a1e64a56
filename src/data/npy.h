// NumPy's .npy format (numpy/lib/format.py, versions 1.0, 2.0 and 3.0): the
// magic "\x93NUMPY", a version, a header that is a Python dict literal
// {'descr': '<f4', 'fortran_order': False, 'shape': (100, 4), }, then the
// elements in C order. Read from a ByteSource (a file, gzip or not, or a member
// of an .npz archive) into float32 values, or into bytes for a uint8 array when
// the caller keeps bytes (images). Element types: float32, float64, uint8, int8,
// int32, int64, bool, in either byte order; Fortran order, structured and object
// arrays are refused by name. The data must be exactly what the header promises:
// no allocation beyond the bytes the source can hold, nothing after the data.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "data/byte_source.h"

namespace mlp {

struct NpyArray {
  std::vector<std::size_t> shape;
  bool integral = false;            // an integer or bool type: class ids, not measurements
  std::vector<std::uint8_t> bytes;  // a uint8 array read with keep_bytes
  std::vector<float> values;        // any other

  std::size_t count() const;  // elements
};

// `what` names the array in messages ("data/x.npy", "x.npy in data/d.npz");
// `size_limit` is at most how many bytes the source can yield (the file's or the
// member's size), or nullopt when unknown (gzip): then the values grow with what
// is actually read. Throws DataError.
NpyArray read_npy(ByteSource& source, const std::string& path, const std::string& what,
                  std::optional<std::uint64_t> size_limit, bool keep_bytes);

}  // namespace mlp
