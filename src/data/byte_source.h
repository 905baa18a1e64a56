// A file's bytes, read in order a chunk at a time, never the whole file at
// once: as they are, inflated on the way when the file is gzip (every member,
// as gzip -d reads concatenated files; bytes after the last member are refused,
// where zlib's gzread would skip them without a word), or one member of a zip
// archive (stored or deflated, its CRC-32 checked at its end). The IDX, CSV and
// NumPy readers read through it.
#pragma once

#include <zlib.h>

#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

namespace mlp {

class ByteSource {
 public:
  // The whole file, gzip or not. `file_size`: what check_input_file returned.
  ByteSource(const std::string& path, std::uint64_t file_size);

  // A zip member: `length` bytes from `offset`, raw deflate when `deflated`,
  // `size` bytes once inflated, whose CRC-32 must be `crc`. `what` names it in
  // messages ("x.npy in data.npz").
  struct Member {
    std::uint64_t offset = 0, length = 0, size = 0;
    bool deflated = false;
    std::uint32_t crc = 0;
  };
  ByteSource(const std::string& path, const std::string& what, const Member& member);

  ~ByteSource();
  ByteSource(const ByteSource&) = delete;
  ByteSource& operator=(const ByteSource&) = delete;

  bool gzip() const { return mode_ == Mode::gzip; }

  // Reads up to n bytes; fewer only at the end of the data. Throws DataError.
  std::size_t read(void* into, std::size_t n);

 private:
  enum class Mode { plain, gzip, member };
  struct FileCloser {
    void operator()(std::FILE* f) const { std::fclose(f); }
  };
  std::size_t read_member(void* into, std::size_t n);
  // More compressed input; false at the end of the file (or of the member).
  bool refill();
  std::uint64_t unread_bytes() const;

  std::string path_, what_;
  std::uint64_t file_size_ = 0;
  std::unique_ptr<std::FILE, FileCloser> file_;
  Mode mode_ = Mode::plain;
  bool inflating_ = false, member_ended_ = false;
  Member member_;
  std::uint64_t produced_ = 0;  // member bytes handed out so far
  std::uint32_t crc_ = 0;       // and their CRC-32
  z_stream stream_{};
  std::vector<Bytef> input_;
  std::uint64_t consumed_ = 0;  // compressed bytes read from the file so far
};

}  // namespace mlp
