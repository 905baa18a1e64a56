#include "data/zip_directory.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

#include <fmt/format.h>

#include "core/error.h"
#include "core/input_file.h"

namespace mlp {
namespace {

constexpr std::uint32_t end_signature = 0x06054b50, end64_signature = 0x06064b50, locator64_signature = 0x07064b50,
                        central_signature = 0x02014b50, local_signature = 0x04034b50;
constexpr std::size_t max_members = 1 << 16;
constexpr std::uint64_t max_deflate_ratio = 1032;  // deflate's best: 258 bytes from 2 bits

struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};

class Archive {
 public:
  explicit Archive(const std::string& path) : path_(path), size_(check_input_file(path, "an .npz (zip) file")) {
    file_.reset(std::fopen(path.c_str(), "rb"));
    if (!file_) throw DataError(path, fmt::format("cannot open: {}", std::strerror(errno)));
  }
  std::uint64_t size() const { return size_; }
  // `n` bytes at `offset`, which must lie inside the file.
  std::string bytes(std::uint64_t offset, std::uint64_t n, const char* what) {
    if (offset > size_ || n > size_ - offset)
      throw DataError(path_, fmt::format("not a zip archive NumPy can have written: its {} lies outside the file", what));
    std::string out(static_cast<std::size_t>(n), '\0');
    if (std::fseek(file_.get(), static_cast<long>(offset), SEEK_SET) != 0 ||
        std::fread(out.data(), 1, out.size(), file_.get()) != out.size())
      throw DataError(path_, fmt::format("cannot read its {}: {}", what, std::strerror(errno)));
    return out;
  }
  [[noreturn]] void damaged(const std::string& what) const {
    throw DataError(path_, "not a zip archive NumPy can have written: " + what);
  }

 private:
  std::string path_;
  std::uint64_t size_;
  std::unique_ptr<std::FILE, FileCloser> file_;
};

std::uint64_t little(const std::string& s, std::size_t at, std::size_t bytes) {
  std::uint64_t v = 0;
  for (std::size_t k = 0; k < bytes; ++k) v |= std::uint64_t{static_cast<unsigned char>(s[at + k])} << (8 * k);
  return v;
}

}  // namespace

std::vector<ZipMember> read_zip_directory(const std::string& path) {
  Archive archive(path);
  if (archive.size() < 22) archive.damaged("too short for its end record");
  // The end record: 22 bytes and a comment of up to 65535, at the very end.
  const std::uint64_t tail_size = std::min<std::uint64_t>(archive.size(), 22 + 65535);
  const std::string tail = archive.bytes(archive.size() - tail_size, tail_size, "end record");
  std::size_t at = tail.size() - 22;
  while (little(tail, at, 4) != end_signature || 22 + little(tail, at + 20, 2) != tail.size() - at) {
    if (at == 0) archive.damaged("no end-of-central-directory record");
    --at;
  }
  const std::uint64_t end_offset = archive.size() - tail_size + at;
  if (little(tail, at + 4, 2) != 0 || little(tail, at + 6, 2) != 0) archive.damaged("it spans several disks");
  std::uint64_t count = little(tail, at + 10, 2), directory_size = little(tail, at + 12, 4),
                directory_offset = little(tail, at + 16, 4);
  if (count == 0xFFFF || directory_size == 0xFFFFFFFF || directory_offset == 0xFFFFFFFF) {
    // ZIP64: a locator just before the end record points at the ZIP64 end record.
    if (end_offset < 20) archive.damaged("no ZIP64 locator");
    const std::string locator = archive.bytes(end_offset - 20, 20, "ZIP64 locator");
    if (little(locator, 0, 4) != locator64_signature) archive.damaged("no ZIP64 locator");
    const std::string end64 = archive.bytes(little(locator, 8, 8), 56, "ZIP64 end record");
    if (little(end64, 0, 4) != end64_signature) archive.damaged("a bad ZIP64 end record");
    count = little(end64, 32, 8);
    directory_size = little(end64, 40, 8);
    directory_offset = little(end64, 48, 8);
  }
  if (count > max_members) archive.damaged(fmt::format("{} members (at most {})", count, max_members));
  const std::string directory = archive.bytes(directory_offset, directory_size, "central directory");

  std::vector<ZipMember> members;
  std::size_t pos = 0;
  for (std::uint64_t i = 0; i < count; ++i) {
    if (pos + 46 > directory.size() || little(directory, pos, 4) != central_signature)
      archive.damaged(fmt::format("central directory entry {} is damaged", i));
    const auto flags = little(directory, pos + 8, 2), method = little(directory, pos + 10, 2);
    const auto crc = static_cast<std::uint32_t>(little(directory, pos + 16, 4));
    std::uint64_t length = little(directory, pos + 20, 4), size = little(directory, pos + 24, 4);
    const auto name_length = little(directory, pos + 28, 2), extra_length = little(directory, pos + 30, 2),
               comment_length = little(directory, pos + 32, 2);
    std::uint64_t local_offset = little(directory, pos + 42, 4);
    if (pos + 46 + name_length + extra_length + comment_length > directory.size())
      archive.damaged(fmt::format("central directory entry {} is damaged", i));
    ZipMember member;
    member.name = directory.substr(pos + 46, static_cast<std::size_t>(name_length));
    // ZIP64's extra field holds the sizes and offset the entry marks 0xFFFFFFFF, in this order.
    for (std::size_t e = pos + 46 + name_length; e + 4 <= pos + 46 + name_length + extra_length;) {
      const auto id = little(directory, e, 2), n = little(directory, e + 2, 2);
      if (e + 4 + n > pos + 46 + name_length + extra_length) archive.damaged(member.name + ": a damaged extra field");
      if (id == 1) {
        std::size_t f = e + 4;
        for (std::uint64_t* field : {&size, &length, &local_offset}) {
          if (*field != 0xFFFFFFFF) continue;
          if (f + 8 > e + 4 + n) archive.damaged(member.name + ": a short ZIP64 field");
          *field = little(directory, f, 8);
          f += 8;
        }
      }
      e += 4 + n;
    }
    pos += 46 + name_length + extra_length + comment_length;
    if (flags & 1) throw DataError(path, member.name + " is encrypted");
    if (method != 0 && method != 8)
      throw DataError(path, fmt::format("{} is compressed with method {} (only stored, 0, and deflate, 8, are read)",
                                        member.name, method));
    if (method == 0 && length != size) archive.damaged(member.name + ": stored, yet its two sizes differ");
    if (method == 8 && size / max_deflate_ratio > length + 1)
      archive.damaged(fmt::format("{}: {} bytes claim to inflate to {}, more than deflate can", member.name, length, size));
    const std::string local = archive.bytes(local_offset, 30, "local header");
    if (little(local, 0, 4) != local_signature) archive.damaged(member.name + ": no local header where the directory says");
    const std::uint64_t data_offset = local_offset + 30 + little(local, 26, 2) + little(local, 28, 2);
    if (data_offset > archive.size() || length > archive.size() - data_offset)
      archive.damaged(member.name + ": its data lies outside the file");
    member.data = {data_offset, length, size, method == 8, crc};
    members.push_back(std::move(member));
  }
  return members;
}

}  // namespace mlp
