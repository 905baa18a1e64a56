#include "interop/protobuf_writer.h"

#include <bit>
#include <cstring>

namespace mlp::protobuf {

namespace {
constexpr int wire_varint = 0, wire_fixed32 = 5, wire_bytes = 2;
}

void Writer::raw_varint(std::uint64_t value) {
  while (value >= 0x80) {
    data_.push_back(static_cast<char>((value & 0x7f) | 0x80));
    value >>= 7;
  }
  data_.push_back(static_cast<char>(value));
}

void Writer::key(int field, int wire_type) {
  raw_varint(static_cast<std::uint64_t>(field) << 3 | static_cast<std::uint64_t>(wire_type));
}

void Writer::varint(int field, std::uint64_t value) {
  key(field, wire_varint);
  raw_varint(value);
}

void Writer::fixed32(int field, float value) {
  key(field, wire_fixed32);
  static_assert(std::endian::native == std::endian::little, "fixed32 is little-endian on the wire");
  char bytes[4];
  std::memcpy(bytes, &value, 4);
  data_.append(bytes, 4);
}

void Writer::bytes(int field, std::string_view value) {
  key(field, wire_bytes);
  raw_varint(value.size());
  data_.append(value);
}

void Writer::packed_varints(int field, std::span<const std::int64_t> values) {
  Writer run;
  for (const std::int64_t v : values) run.raw_varint(static_cast<std::uint64_t>(v));
  bytes(field, run.data_);
}

}  // namespace mlp::protobuf
