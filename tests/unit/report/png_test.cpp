// The PNG encoder against the format's definition: chunk layout and CRCs
// recomputed here, IHDR's fields, the IDAT inflated back to filter bytes and
// pixels; base64 against RFC 4648's test vectors.
#include <catch2/catch.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include <zlib.h>

#include "report/png.h"

namespace {

std::uint32_t be32(const std::string& s, std::size_t at) {
  return static_cast<std::uint32_t>(static_cast<unsigned char>(s[at])) << 24 |
         static_cast<std::uint32_t>(static_cast<unsigned char>(s[at + 1])) << 16 |
         static_cast<std::uint32_t>(static_cast<unsigned char>(s[at + 2])) << 8 |
         static_cast<std::uint32_t>(static_cast<unsigned char>(s[at + 3]));
}

struct Chunk {
  std::string type, data;
};

// Splits a PNG into its chunks, checking each CRC.
std::vector<Chunk> chunks_of(const std::string& png) {
  std::vector<Chunk> out;
  std::size_t at = 8;
  while (at < png.size()) {
    REQUIRE(at + 12 <= png.size());
    const std::uint32_t length = be32(png, at);
    REQUIRE(at + 12 + length <= png.size());
    const std::string typed = png.substr(at + 4, 4 + length);
    CHECK(be32(png, at + 8 + length) ==
          crc32(0L, reinterpret_cast<const Bytef*>(typed.data()), static_cast<uInt>(typed.size())));
    out.push_back({typed.substr(0, 4), typed.substr(4)});
    at += 12 + length;
  }
  return out;
}

}  // namespace

TEST_CASE("a grey PNG: signature, IHDR, the rows inflated back, IEND, every CRC") {
  const std::vector<std::uint8_t> pixels{0, 128, 255, 7, 8, 9};  // 3 wide, 2 high
  const std::string png = mlp::encode_grey_png(pixels, 3, 2);
  CHECK(png.substr(0, 8) == std::string("\x89PNG\r\n\x1a\n", 8));
  const auto chunks = chunks_of(png);
  REQUIRE(chunks.size() == 3);
  CHECK(chunks[0].type == "IHDR");
  REQUIRE(chunks[0].data.size() == 13);
  CHECK(be32(chunks[0].data, 0) == 3);
  CHECK(be32(chunks[0].data, 4) == 2);
  CHECK(chunks[0].data.substr(8) == std::string("\x08\x00\x00\x00\x00", 5));  // 8-bit grey, deflate, no filter, no interlace
  CHECK(chunks[1].type == "IDAT");
  std::string rows(8, '\x7f');
  uLongf size = static_cast<uLongf>(rows.size());
  REQUIRE(uncompress(reinterpret_cast<Bytef*>(rows.data()), &size, reinterpret_cast<const Bytef*>(chunks[1].data.data()),
                     static_cast<uLong>(chunks[1].data.size())) == Z_OK);
  CHECK(size == 8);
  CHECK(rows == std::string("\x00\x00\x80\xff\x00\x07\x08\x09", 8));
  CHECK(chunks[2].type == "IEND");
  CHECK(chunks[2].data.empty());
  CHECK_THROWS(mlp::encode_grey_png(pixels, 4, 2));
}

TEST_CASE("data: URIs in base64 as RFC 4648 section 10 gives it") {
  const std::string prefix = "data:image/png;base64,";
  CHECK(mlp::png_data_uri("") == prefix);
  CHECK(mlp::png_data_uri("f") == prefix + "Zg==");
  CHECK(mlp::png_data_uri("fo") == prefix + "Zm8=");
  CHECK(mlp::png_data_uri("foo") == prefix + "Zm9v");
  CHECK(mlp::png_data_uri("foob") == prefix + "Zm9vYg==");
  CHECK(mlp::png_data_uri("fooba") == prefix + "Zm9vYmE=");
  CHECK(mlp::png_data_uri("foobar") == prefix + "Zm9vYmFy");
  CHECK(mlp::png_data_uri(std::string("\xff\xfe\x00", 3)) == prefix + "//4A");
}
