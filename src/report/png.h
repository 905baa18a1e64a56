// Grey images as PNG files (https://www.w3.org/TR/png/): the signature, an
// IHDR (8-bit greyscale, no interlace), one IDAT holding zlib's deflate of the
// rows (each led by filter byte 0, none), an IEND; every chunk with its CRC-32.
// For the report's misclassified images, inlined as data: URIs.
#pragma once

#include <cstdint>
#include <span>
#include <string>

namespace mlp {

// `pixels`: height rows of width bytes, 0 black to 255 white.
std::string encode_grey_png(std::span<const std::uint8_t> pixels, std::size_t width, std::size_t height);

// "data:image/png;base64,..."
std::string png_data_uri(const std::string& png);

}  // namespace mlp
