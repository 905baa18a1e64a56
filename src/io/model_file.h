// The .mlp model file: self-contained (filled-in config, preprocessing, weights,
// optimizer state, history, program version), little-endian float32, versioned and
// checksummed. Layout (docs/model-format.md):
//
//   0  "MLPMODEL"           8 bytes magic
//   8  u32 format version   (1)
//   12 u32 reserved         (0)
//   16 u64 header length H  (bytes of UTF-8 JSON)
//   24 u64 payload length P (bytes, a multiple of 4)
//   32 header JSON; then the payload: float32 arrays at the offsets the header lists
//   32+H+P u32 CRC-32 (zlib) of every byte before it
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "config/json_reader.h"

namespace mlp {

inline constexpr std::uint32_t model_format_version = 1;

struct ModelFile {
  Json header;                // program, config, preprocessing, tensors, optimizer, history
  std::vector<float> payload;  // host order in memory; little-endian on disk
};

std::string encode_model_file(const ModelFile& file);
// Checks magic, version, sizes against the file length, and the checksum before it
// looks at a byte of the content. Throws DataError naming `path`.
ModelFile decode_model_file(const std::string& bytes, const std::string& path);

void save_model_file(const std::string& path, const ModelFile& file);  // atomically
ModelFile load_model_file(const std::string& path);

}  // namespace mlp
