// libFuzzer target: the model file decoder and loader on arbitrary bytes.
#include <zlib.h>

#include <cstdint>
#include <string>

#include "core/error.h"
#include "io/model_file.h"
#include "io/saved_model.h"

// Mutations almost never keep the CRC right, so the target fixes it: the
// fuzzer then explores the header and the loader behind the checksum.
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string bytes(reinterpret_cast<const char*>(data), size);
  if (bytes.size() >= 36) {
    const auto crc = static_cast<std::uint32_t>(
        crc32(0L, reinterpret_cast<const Bytef*>(bytes.data()), static_cast<uInt>(bytes.size() - 4)));
    for (int i = 0; i < 4; ++i) bytes[bytes.size() - 4 + static_cast<std::size_t>(i)] = static_cast<char>(crc >> (8 * i));
  }
  try {
    const mlp::ModelFile file = mlp::decode_model_file(bytes, "fuzz");
    const mlp::LoadedModel loaded = mlp::from_model_file(file, "fuzz");
    (void)loaded.compiled.model->param_count();
  } catch (const mlp::Error&) {
  }
  return 0;
}
