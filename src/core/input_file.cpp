#include "core/input_file.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <fstream>

#include <fmt/format.h>

#include "core/error.h"

namespace mlp {

std::uint64_t check_input_file(const std::string& path, std::string_view what, FileKind kind) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) throw DataError(path, fmt::format("cannot open: {}", std::strerror(errno)));
  if (S_ISDIR(info.st_mode)) throw DataError(path, fmt::format("is a directory, not {}", what));
  if (!S_ISREG(info.st_mode)) {
    if (kind == FileKind::regular_only) throw DataError(path, "is not a regular file");
    return 0;
  }
  return static_cast<std::uint64_t>(info.st_size);
}

std::string read_input_file(const std::string& path, std::string_view what, std::uint64_t max_bytes, FileKind kind) {
  const std::uint64_t size = check_input_file(path, what, kind);
  if (size > max_bytes) throw DataError(path, fmt::format("{} bytes is too large for {} (limit {})", size, what, max_bytes));
  std::ifstream in(path, std::ios::binary);
  if (!in) throw DataError(path, fmt::format("cannot open: {}", std::strerror(errno)));
  // In chunks, up to the cap: a pipe or a device (/dev/zero) has no size to
  // check first, and a file may grow while it is read.
  std::string bytes;
  std::string chunk(std::size_t{1} << 16, '\0');
  while (in) {
    in.read(chunk.data(), static_cast<std::streamsize>(chunk.size()));
    bytes.append(chunk.data(), static_cast<std::size_t>(in.gcount()));
    if (bytes.size() > max_bytes) throw DataError(path, fmt::format("too large for {}", what));
  }
  if (in.bad()) throw DataError(path, fmt::format("cannot read: {}", std::strerror(errno)));
  return bytes;
}

}  // namespace mlp
