// libFuzzer target: NumPy arrays, a .npy file (first byte even) or every member
// of an .npz archive (odd), on arbitrary bytes. Any outcome but a DataError or
// an array of the size its shape says is a bug.
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <string>

#include "core/error.h"
#include "data/byte_source.h"
#include "data/npy.h"
#include "data/zip_directory.h"

namespace {

void check(const mlp::NpyArray& a) {
  if ((a.bytes.empty() ? a.values.size() : a.bytes.size()) != a.count()) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  static const std::string path = "/tmp/mlp-npy-fuzz-" + std::to_string(::getpid());
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) return 0;
  std::fwrite(data + 1, 1, size - 1, f);
  std::fclose(f);
  try {
    if (data[0] % 2 == 0) {
      mlp::ByteSource source(path, size - 1);
      check(mlp::read_npy(source, path, "x", size - 1, data[0] & 2));
    } else {
      for (const auto& member : mlp::read_zip_directory(path)) {
        try {
          mlp::ByteSource source(path, member.name, member.data);
          check(mlp::read_npy(source, path, member.name, member.data.size, data[0] & 2));
        } catch (const mlp::DataError&) {
        }
      }
    }
  } catch (const mlp::DataError&) {
  }
  return 0;
}
