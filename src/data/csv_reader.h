// CSV records as RFC 4180 defines them, read a chunk at a time (gzip allowed,
// through ByteSource): fields split by the delimiter, records by CRLF or LF;
// a field in double quotes may hold the delimiter, line breaks and quotes
// doubled (""). A UTF-8 byte-order mark at the start is skipped (spreadsheets
// write one), and so are empty lines. What breaks the format (a quote inside
// an unquoted field, text after a closing quote, a quote never closed, a record
// beyond max_record_bytes) is a DataError naming the file, line and column.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "data/byte_source.h"

namespace mlp {

class CsvReader {
 public:
  static constexpr std::size_t max_record_bytes = std::size_t{1} << 24;
  static constexpr std::size_t max_fields = std::size_t{1} << 20;

  CsvReader(const std::string& path, char delimiter);

  // The next record's fields, as views valid until the next call; false at the end.
  bool next(std::vector<std::string_view>& fields);
  // The line the last record began on (1-based), for messages.
  std::uint64_t line() const { return record_line_; }
  const std::string& path() const { return path_; }

 private:
  int get();   // the next byte, or -1 at the end
  int peek();  // the next byte without taking it, or -1
  bool fill();
  [[noreturn]] void fail(std::size_t field, const std::string& what) const;

  std::string path_;
  char delimiter_;
  ByteSource source_;
  std::vector<char> buffer_;
  std::size_t pos_ = 0, end_ = 0;
  bool at_end_ = false;
  std::uint64_t line_ = 1, record_line_ = 0;
  std::string record_;              // the record's fields, unquoted, one after another
  std::vector<std::size_t> ends_;  // where each field ends in record_
};

}  // namespace mlp
