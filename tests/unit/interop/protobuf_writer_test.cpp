// The protobuf encoder against the wire format's documented examples
// (https://protobuf.dev/programming-guides/encoding/) and values worked by hand.
#include <catch2/catch.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "interop/protobuf_writer.h"

namespace {

std::string bytes(std::initializer_list<int> values) {
  std::string s;
  for (const int v : values) s.push_back(static_cast<char>(v));
  return s;
}

}  // namespace

TEST_CASE("protobuf: varints, strings, nested messages and packed repeats as the encoding guide shows them") {
  mlp::protobuf::Writer w;
  w.varint(1, 150);  // the guide's first example: 08 96 01
  CHECK(w.data() == bytes({0x08, 0x96, 0x01}));

  mlp::protobuf::Writer s;
  s.bytes(2, "testing");  // 12 07 74 65 73 74 69 6e 67
  CHECK(s.data() == bytes({0x12, 0x07, 't', 'e', 's', 't', 'i', 'n', 'g'}));

  mlp::protobuf::Writer outer;
  outer.message(3, w);  // 1a 03 08 96 01
  CHECK(outer.data() == bytes({0x1a, 0x03, 0x08, 0x96, 0x01}));

  mlp::protobuf::Writer packed;
  const std::vector<std::int64_t> values{3, 270, 86942};  // the guide's packed example: 32 06 03 8e 02 9e a7 05
  packed.packed_varints(6, values);
  CHECK(packed.data() == bytes({0x32, 0x06, 0x03, 0x8e, 0x02, 0x9e, 0xa7, 0x05}));
}

TEST_CASE("protobuf: negative int64s take ten bytes, floats four little-endian ones, large field numbers a longer key") {
  mlp::protobuf::Writer w;
  w.signed_varint(1, -1);  // two's complement, 64 bits: nine 0xff bytes with the continuation bit, then 0x01
  CHECK(w.data() == bytes({0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}));

  mlp::protobuf::Writer f;
  f.fixed32(2, 1.0f);  // key 2 << 3 | 5, then 0x3f800000 little-endian
  CHECK(f.data() == bytes({0x15, 0x00, 0x00, 0x80, 0x3f}));

  mlp::protobuf::Writer k;
  k.varint(20, 2);  // key 20 << 3 = 160: a two-byte varint a0 01
  CHECK(k.data() == bytes({0xa0, 0x01, 0x02}));

  mlp::protobuf::Writer empty;
  empty.bytes(4, "");
  CHECK(empty.data() == bytes({0x22, 0x00}));
}
