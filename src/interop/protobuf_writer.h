// Protocol Buffers' wire format, the writing half, for the few messages ONNX
// needs (https://protobuf.dev/programming-guides/encoding/): a field is a key
// (number << 3 | wire type) then a varint, a little-endian fixed32, or a
// length-prefixed run of bytes (strings, packed arrays, nested messages).
// Written here rather than through libprotobuf: ONNX's messages are fixed and
// small, and the encoder is these few functions, checked by real decoders
// (onnx.checker, ONNX Runtime) in the tests.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace mlp::protobuf {

class Writer {
 public:
  void varint(int field, std::uint64_t value);
  void signed_varint(int field, std::int64_t value) { varint(field, static_cast<std::uint64_t>(value)); }
  void fixed32(int field, float value);
  void bytes(int field, std::string_view value);
  void message(int field, const Writer& nested) { bytes(field, nested.data_); }
  // A repeated int64 field, packed into one length-prefixed run.
  void packed_varints(int field, std::span<const std::int64_t> values);

  const std::string& data() const { return data_; }

 private:
  void key(int field, int wire_type);
  void raw_varint(std::uint64_t value);
  std::string data_;
};

}  // namespace mlp::protobuf
