#include "data/idx.h"

#include <zlib.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <memory>

#include <fmt/format.h>

#include "core/error.h"
#include "core/input_file.h"

namespace mlp {
namespace {

constexpr std::size_t max_dims = 8;
constexpr std::size_t chunk_bytes = std::size_t{1} << 20;
// An IDX payload beyond this is refused whatever the header says (MNIST's is 47 MB).
constexpr std::uint64_t max_payload = std::uint64_t{1} << 34;

// gzopen reads plain files as they are, so one reader serves both kinds.
struct GzCloser {
  void operator()(gzFile_s* f) const { gzclose(f); }
};
using GzFile = std::unique_ptr<gzFile_s, GzCloser>;

bool is_gzip(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) return false;
  std::array<unsigned char, 2> magic{};
  const bool gz = std::fread(magic.data(), 1, 2, f) == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
  std::fclose(f);
  return gz;
}

// Reads up to n bytes; returns how many arrived. Throws on a decompression error.
std::size_t read_some(gzFile file, void* into, std::size_t n, const std::string& path) {
  std::size_t got = 0;
  while (got < n) {
    const auto want = static_cast<unsigned>(std::min<std::size_t>(n - got, chunk_bytes));
    const int r = gzread(file, static_cast<char*>(into) + got, want);
    if (r < 0) {
      int code = 0;
      const char* message = gzerror(file, &code);
      throw DataError(path, fmt::format("corrupt gzip data ({})", code == Z_ERRNO ? std::strerror(errno) : message));
    }
    if (r == 0) {
      // zlib reports a gzip stream cut short (even only its CRC trailer) as
      // Z_BUF_ERROR and gzread returns 0 as at a clean end: tell them apart.
      int code = Z_OK;
      const char* message = gzerror(file, &code);
      if (code != Z_OK) throw DataError(path, fmt::format("truncated or corrupt gzip data ({})", message));
      break;
    }
    got += static_cast<std::size_t>(r);
  }
  return got;
}

}  // namespace

std::size_t IdxArray::item_size() const {
  std::size_t n = 1;
  for (std::size_t i = 1; i < dims.size(); ++i) n *= dims[i];
  return n;
}

IdxArray read_idx(const std::string& path) {
  const std::uint64_t file_size = check_input_file(path, "an IDX file");
  const bool compressed = is_gzip(path);

  GzFile file(gzopen(path.c_str(), "rb"));
  if (!file) throw DataError(path, fmt::format("cannot open: {}", std::strerror(errno ? errno : ENOMEM)));

  std::array<std::uint8_t, 4> magic{};
  const std::size_t got = read_some(file.get(), magic.data(), 4, path);
  if (got == 0) throw DataError(path, "is empty");
  if (got < 4) throw DataError(path, "too short for an IDX header");
  if (magic[0] != 0 || magic[1] != 0)
    throw DataError(path, fmt::format("not an IDX file (magic {:02x} {:02x} {:02x} {:02x}, expected 00 00 08 0N)",
                                      magic[0], magic[1], magic[2], magic[3]));
  if (magic[2] != 0x08)
    throw DataError(path, fmt::format("IDX element type 0x{:02x} is not supported (only unsigned bytes, 0x08)", magic[2]));
  const std::size_t rank = magic[3];
  if (rank == 0 || rank > max_dims) throw DataError(path, fmt::format("IDX rank {} is not in 1..{}", rank, max_dims));

  IdxArray array;
  std::uint64_t payload = 1;
  for (std::size_t i = 0; i < rank; ++i) {
    std::array<std::uint8_t, 4> be{};
    if (read_some(file.get(), be.data(), 4, path) < 4) throw DataError(path, "truncated IDX header");
    const std::uint64_t d = (std::uint64_t{be[0]} << 24) | (std::uint64_t{be[1]} << 16) | (std::uint64_t{be[2]} << 8) | be[3];
    if (d == 0) throw DataError(path, fmt::format("dimension {} is zero: the file holds no samples", i));
    if (payload > max_payload / d)
      throw DataError(path, fmt::format("dimensions would need more than {} bytes", max_payload));
    payload *= d;
    array.dims.push_back(static_cast<std::size_t>(d));
  }
  const std::uint64_t header = 4 + 4 * rank;
  if (!compressed) {
    const std::uint64_t size = file_size;
    if (size < header + payload)
      throw DataError(path, fmt::format("truncated: the header promises {} bytes of data, the file has {}", payload,
                                        size - header));
    if (size > header + payload)
      throw DataError(path, fmt::format("{} bytes after the data the header describes", size - header - payload));
    array.data.resize(payload);
    if (read_some(file.get(), array.data.data(), payload, path) != payload) throw DataError(path, "short read");
    return array;
  }
  // gzip: the uncompressed size is unknown until it is read; grow with the data.
  std::size_t filled = 0;
  while (filled < payload) {
    const std::size_t next = static_cast<std::size_t>(std::min<std::uint64_t>(payload, filled + chunk_bytes * 16));
    array.data.resize(next);
    const std::size_t n = read_some(file.get(), array.data.data() + filled, next - filled, path);
    filled += n;
    if (filled < next) break;
  }
  if (filled < payload)
    throw DataError(path, fmt::format("truncated: the header promises {} bytes of data, the file has {}", payload, filled));
  std::uint8_t extra = 0;
  if (read_some(file.get(), &extra, 1, path) != 0) throw DataError(path, "data continues after what the header describes");
  return array;
}

}  // namespace mlp
