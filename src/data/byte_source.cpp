#include "data/byte_source.h"

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "core/error.h"

namespace mlp {
namespace {

constexpr std::size_t chunk_bytes = std::size_t{1} << 20;

std::FILE* open_file(const std::string& path) {
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (!file) throw DataError(path, fmt::format("cannot open: {}", std::strerror(errno ? errno : ENOMEM)));
  return file;
}

}  // namespace

ByteSource::ByteSource(const std::string& path, std::uint64_t file_size)
    : path_(path), what_(path), file_size_(file_size), file_(open_file(path)) {
  std::array<unsigned char, 2> magic{};
  const bool gzip = std::fread(magic.data(), 1, 2, file_.get()) == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
  std::rewind(file_.get());
  if (gzip) {
    if (inflateInit2(&stream_, 15 + 16) != Z_OK) throw DataError(path, "cannot start gzip decompression");
    mode_ = Mode::gzip;
    inflating_ = true;
    input_.resize(std::size_t{1} << 16);
  }
}

ByteSource::ByteSource(const std::string& path, const std::string& what, const Member& member)
    : path_(path), what_(what), file_(open_file(path)), mode_(Mode::member), member_(member) {
  if (std::fseek(file_.get(), static_cast<long>(member.offset), SEEK_SET) != 0)
    throw DataError(path, fmt::format("{}: cannot seek to its data: {}", what, std::strerror(errno)));
  if (member.deflated) {
    if (inflateInit2(&stream_, -15) != Z_OK) throw DataError(path, "cannot start deflate decompression");
    inflating_ = true;
    input_.resize(std::size_t{1} << 16);
  }
}

ByteSource::~ByteSource() {
  if (inflating_) inflateEnd(&stream_);
}

std::size_t ByteSource::read(void* into, std::size_t n) {
  if (mode_ == Mode::member) return read_member(into, n);
  if (mode_ == Mode::plain) {
    const std::size_t got = std::fread(into, 1, n, file_.get());
    if (got < n && std::ferror(file_.get())) throw DataError(path_, fmt::format("cannot read: {}", std::strerror(errno)));
    return got;
  }
  stream_.next_out = static_cast<Bytef*>(into);
  std::size_t got = 0;
  while (got < n) {
    if (stream_.avail_in == 0 && !refill()) {
      if (member_ended_) break;  // the end of the last member: the end of the data
      throw DataError(path_, "truncated gzip data (the stream ends early)");
    }
    if (member_ended_) {
      // After a member, another one or nothing.
      if (stream_.next_in[0] != 0x1f)
        throw DataError(path_, fmt::format("{} bytes after the end of the gzip stream", unread_bytes()));
      inflateReset(&stream_);
      member_ended_ = false;
    }
    const auto want = static_cast<uInt>(std::min<std::size_t>(n - got, chunk_bytes));
    stream_.avail_out = want;
    const int status = inflate(&stream_, Z_NO_FLUSH);
    got += want - stream_.avail_out;
    if (status == Z_STREAM_END) {
      member_ended_ = true;
    } else if (status != Z_OK && status != Z_BUF_ERROR) {
      throw DataError(path_, fmt::format("corrupt gzip data ({})", stream_.msg ? stream_.msg : zError(status)));
    }
  }
  return got;
}

std::size_t ByteSource::read_member(void* into, std::size_t n) {
  // Never more than the member's size: what follows it is not its data.
  n = static_cast<std::size_t>(std::min<std::uint64_t>(n, member_.size - produced_));
  std::size_t got = 0;
  if (!member_.deflated) {
    got = std::fread(into, 1, n, file_.get());
    if (got < n) throw DataError(path_, fmt::format("{}: truncated (the archive ends inside it)", what_));
  } else {
    stream_.next_out = static_cast<Bytef*>(into);
    while (got < n) {
      if (stream_.avail_in == 0 && !refill())
        throw DataError(path_, fmt::format("{}: truncated deflate data", what_));
      const auto want = static_cast<uInt>(std::min<std::size_t>(n - got, chunk_bytes));
      stream_.avail_out = want;
      const int status = inflate(&stream_, Z_NO_FLUSH);
      got += want - stream_.avail_out;
      if (status == Z_STREAM_END) {
        if (got < n) throw DataError(path_, fmt::format("{}: its deflate data ends before its stated size", what_));
        break;
      }
      if (status != Z_OK && status != Z_BUF_ERROR)
        throw DataError(path_, fmt::format("{}: corrupt deflate data ({})", what_, stream_.msg ? stream_.msg : zError(status)));
    }
  }
  crc_ = static_cast<std::uint32_t>(crc32(crc_, static_cast<const Bytef*>(into), static_cast<uInt>(got)));
  produced_ += got;
  if (produced_ == member_.size && crc_ != member_.crc)
    throw DataError(path_, fmt::format("{}: CRC-32 {:08x} where the archive says {:08x} (damaged data)", what_, crc_,
                                       member_.crc));
  return got;
}

bool ByteSource::refill() {
  std::size_t want = input_.size();
  if (mode_ == Mode::member) want = static_cast<std::size_t>(std::min<std::uint64_t>(want, member_.length - consumed_));
  const std::size_t got = want ? std::fread(input_.data(), 1, want, file_.get()) : 0;
  if (got == 0 && std::ferror(file_.get())) throw DataError(path_, fmt::format("cannot read: {}", std::strerror(errno)));
  consumed_ += got;
  stream_.next_in = input_.data();
  stream_.avail_in = static_cast<uInt>(got);
  return got > 0;
}

std::uint64_t ByteSource::unread_bytes() const {
  const std::uint64_t used = consumed_ - stream_.avail_in;
  return file_size_ > used ? file_size_ - used : stream_.avail_in;
}

}  // namespace mlp
