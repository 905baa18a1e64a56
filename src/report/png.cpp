#include "report/png.h"

#include <stdexcept>

#include <zlib.h>

namespace mlp {
namespace {

void put_u32(std::string& out, std::uint32_t v) {  // PNG's integers are big-endian
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>((v >> shift) & 0xff));
}

void chunk(std::string& out, const char* type, const std::string& data) {
  put_u32(out, static_cast<std::uint32_t>(data.size()));
  const std::string typed = std::string(type, 4) + data;
  out += typed;
  // The CRC covers the type and the data, not the length.
  put_u32(out, static_cast<std::uint32_t>(
                   crc32(0L, reinterpret_cast<const Bytef*>(typed.data()), static_cast<uInt>(typed.size()))));
}

}  // namespace

std::string encode_grey_png(std::span<const std::uint8_t> pixels, std::size_t width, std::size_t height) {
  if (width == 0 || height == 0 || pixels.size() != width * height || width > (1u << 16) || height > (1u << 16))
    throw std::invalid_argument("encode_grey_png: the pixels are not width x height");
  std::string header;
  put_u32(header, static_cast<std::uint32_t>(width));
  put_u32(header, static_cast<std::uint32_t>(height));
  header += std::string("\x08\x00\x00\x00\x00", 5);  // bit depth 8, colour type 0 (grey), deflate, filter 0, no interlace
  std::string raw;
  raw.reserve(height * (width + 1));
  for (std::size_t r = 0; r < height; ++r) {
    raw.push_back('\0');  // filter type 0: the row as it is
    raw.append(reinterpret_cast<const char*>(pixels.data() + r * width), width);
  }
  uLongf size = compressBound(static_cast<uLong>(raw.size()));
  std::string deflated(size, '\0');
  if (compress2(reinterpret_cast<Bytef*>(deflated.data()), &size, reinterpret_cast<const Bytef*>(raw.data()),
                static_cast<uLong>(raw.size()), Z_BEST_COMPRESSION) != Z_OK)
    throw std::runtime_error("encode_grey_png: zlib could not compress the rows");
  deflated.resize(size);
  std::string png("\x89PNG\r\n\x1a\n", 8);
  chunk(png, "IHDR", header);
  chunk(png, "IDAT", deflated);
  chunk(png, "IEND", "");
  return png;
}

std::string png_data_uri(const std::string& png) {
  static constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out = "data:image/png;base64,";
  std::size_t i = 0;
  for (; i + 3 <= png.size(); i += 3) {
    const auto v = static_cast<std::uint32_t>(static_cast<unsigned char>(png[i])) << 16 |
                   static_cast<std::uint32_t>(static_cast<unsigned char>(png[i + 1])) << 8 |
                   static_cast<std::uint32_t>(static_cast<unsigned char>(png[i + 2]));
    for (int shift = 18; shift >= 0; shift -= 6) out.push_back(alphabet[(v >> shift) & 63]);
  }
  if (i < png.size()) {  // one or two bytes left: padded with '='
    std::uint32_t v = static_cast<std::uint32_t>(static_cast<unsigned char>(png[i])) << 16;
    if (i + 1 < png.size()) v |= static_cast<std::uint32_t>(static_cast<unsigned char>(png[i + 1])) << 8;
    out.push_back(alphabet[(v >> 18) & 63]);
    out.push_back(alphabet[(v >> 12) & 63]);
    out.push_back(i + 1 < png.size() ? alphabet[(v >> 6) & 63] : '=');
    out.push_back('=');
  }
  return out;
}

}  // namespace mlp
