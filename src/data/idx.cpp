#include "data/idx.h"

#include <algorithm>
#include <array>
#include <memory>
#include <vector>

#include <fmt/format.h>

#include "core/error.h"
#include "core/input_file.h"
#include "data/byte_source.h"

namespace mlp {
namespace {

constexpr std::size_t max_dims = 8;
// A gzip file's data grows in steps of this much as it is inflated.
constexpr std::size_t growth_bytes = std::size_t{1} << 24;
// An IDX payload beyond this is refused whatever the header says (MNIST's is 47 MB).
constexpr std::uint64_t max_payload = std::uint64_t{1} << 34;

}  // namespace

std::size_t IdxArray::item_size() const {
  std::size_t n = 1;
  for (std::size_t i = 1; i < dims.size(); ++i) n *= dims[i];
  return n;
}

namespace {

// Opens `path` and reads its header: magic, element type, rank and dimensions,
// each checked; the file is left at the first data byte.
struct OpenIdx {
  std::unique_ptr<ByteSource> file;
  std::uint64_t file_size = 0;
  std::vector<std::size_t> dims;
  std::uint64_t payload = 1;  // bytes of data the header promises
};

OpenIdx open_idx(const std::string& path) {
  OpenIdx idx;
  idx.file_size = check_input_file(path, "an IDX file");
  idx.file = std::make_unique<ByteSource>(path, idx.file_size);

  std::array<std::uint8_t, 4> magic{};
  const std::size_t got = idx.file->read(magic.data(), 4);
  if (got == 0) throw DataError(path, "is empty");
  if (got < 4) throw DataError(path, "too short for an IDX header");
  if (magic[0] != 0 || magic[1] != 0)
    throw DataError(path, fmt::format("not an IDX file (magic {:02x} {:02x} {:02x} {:02x}, expected 00 00 08 0N)",
                                      magic[0], magic[1], magic[2], magic[3]));
  if (magic[2] != 0x08)
    throw DataError(path, fmt::format("IDX element type 0x{:02x} is not supported (only unsigned bytes, 0x08)", magic[2]));
  const std::size_t rank = magic[3];
  if (rank == 0 || rank > max_dims) throw DataError(path, fmt::format("IDX rank {} is not in 1..{}", rank, max_dims));

  for (std::size_t i = 0; i < rank; ++i) {
    std::array<std::uint8_t, 4> be{};
    if (idx.file->read(be.data(), 4) < 4) throw DataError(path, "truncated IDX header");
    const std::uint64_t d = (std::uint64_t{be[0]} << 24) | (std::uint64_t{be[1]} << 16) | (std::uint64_t{be[2]} << 8) | be[3];
    if (d == 0) throw DataError(path, fmt::format("dimension {} is zero: the file holds no samples", i));
    if (idx.payload > max_payload / d)
      throw DataError(path, fmt::format("dimensions would need more than {} bytes", max_payload));
    idx.payload *= d;
    idx.dims.push_back(static_cast<std::size_t>(d));
  }
  return idx;
}

}  // namespace

std::vector<std::size_t> read_idx_dims(const std::string& path) { return open_idx(path).dims; }

IdxArray read_idx(const std::string& path) {
  OpenIdx idx = open_idx(path);
  ByteSource& file = *idx.file;
  const std::uint64_t file_size = idx.file_size, payload = idx.payload, rank = idx.dims.size();
  IdxArray array;
  array.dims = std::move(idx.dims);
  const std::uint64_t header = 4 + 4 * rank;
  if (!file.gzip()) {
    const std::uint64_t size = file_size;
    if (size < header + payload)
      throw DataError(path, fmt::format("truncated: the header promises {} bytes of data, the file has {}", payload,
                                        size - header));
    if (size > header + payload)
      throw DataError(path, fmt::format("{} bytes after the data the header describes", size - header - payload));
    array.data.resize(payload);
    if (file.read(array.data.data(), payload) != payload) throw DataError(path, "short read");
    return array;
  }
  // gzip: the uncompressed size is unknown until it is read; grow with the data.
  std::size_t filled = 0;
  while (filled < payload) {
    const std::size_t next = static_cast<std::size_t>(std::min<std::uint64_t>(payload, filled + growth_bytes));
    array.data.resize(next);
    const std::size_t n = file.read(array.data.data() + filled, next - filled);
    filled += n;
    if (filled < next) break;
  }
  if (filled < payload)
    throw DataError(path, fmt::format("truncated: the header promises {} bytes of data, the file has {}", payload, filled));
  std::uint8_t extra = 0;
  if (file.read(&extra, 1) != 0) throw DataError(path, "data continues after what the header describes");
  return array;
}

}  // namespace mlp
