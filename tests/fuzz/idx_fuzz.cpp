// libFuzzer target: the IDX reader (plain and gzip) on arbitrary bytes. Any
// outcome but a DataError or a well-formed array is a bug.
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <string>

#include "core/error.h"
#include "data/idx.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::string path = "/tmp/mlp-idx-fuzz-" + std::to_string(::getpid());
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) return 0;
  std::fwrite(data, 1, size, f);
  std::fclose(f);
  try {
    const mlp::IdxArray array = mlp::read_idx(path);
    if (array.data.size() != array.items() * array.item_size()) __builtin_trap();
  } catch (const mlp::DataError&) {
  }
  return 0;
}
