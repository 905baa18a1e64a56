#include "data/csv_reader.h"

#include <fmt/format.h>

#include "core/error.h"
#include "core/input_file.h"

namespace mlp {
namespace {

// A byte as a message shows it: 'x', or its code when it does not print.
std::string shown(int c) { return c >= 0x20 && c < 0x7f ? fmt::format("'{}'", static_cast<char>(c)) : fmt::format("byte 0x{:02x}", c); }

}  // namespace

CsvReader::CsvReader(const std::string& path, char delimiter)
    : path_(path), delimiter_(delimiter), source_(path, check_input_file(path, "a CSV file")), buffer_(std::size_t{1} << 16) {
  if (delimiter == '"' || delimiter == '\n' || delimiter == '\r')
    throw DataError(path, shown(static_cast<unsigned char>(delimiter)) + " cannot be a CSV delimiter");
  // A UTF-8 byte-order mark.
  if (peek() == 0xEF && end_ - pos_ >= 3 && static_cast<unsigned char>(buffer_[pos_ + 1]) == 0xBB &&
      static_cast<unsigned char>(buffer_[pos_ + 2]) == 0xBF)
    pos_ += 3;
}

bool CsvReader::fill() {
  if (at_end_) return false;
  // Keep what is unread (at most a few bytes: get() takes one at a time) at the front.
  std::size_t kept = end_ - pos_;
  std::copy(buffer_.begin() + static_cast<std::ptrdiff_t>(pos_), buffer_.begin() + static_cast<std::ptrdiff_t>(end_),
            buffer_.begin());
  pos_ = 0;
  const std::size_t got = source_.read(buffer_.data() + kept, buffer_.size() - kept);
  end_ = kept + got;
  if (got == 0) at_end_ = true;
  return got > 0;
}

int CsvReader::peek() {
  if (pos_ == end_ && !fill()) return -1;
  return static_cast<unsigned char>(buffer_[pos_]);
}

int CsvReader::get() {
  const int c = peek();
  if (c >= 0) ++pos_;
  return c;
}

void CsvReader::fail(std::size_t field, const std::string& what) const {
  throw DataError(path_, fmt::format("line {}, column {}: {}", line_, field + 1, what));
}

bool CsvReader::next(std::vector<std::string_view>& fields) {
  record_.clear();
  ends_.clear();
  fields.clear();
  // Empty lines between records are skipped.
  for (int c = peek(); c == '\n' || c == '\r'; c = peek()) {
    get();
    if (c == '\r' && peek() == '\n') get();
    ++line_;
  }
  if (peek() < 0) return false;
  record_line_ = line_;
  for (;;) {
    if (ends_.size() >= max_fields) fail(ends_.size(), fmt::format("more than {} fields in a record", max_fields));
    int c = peek();
    if (c == '"') {
      get();
      const std::uint64_t opened = line_;
      for (;;) {
        c = get();
        if (c < 0)
          throw DataError(path_, fmt::format("line {}, column {}: the quote opened here is never closed", opened,
                                             ends_.size() + 1));
        if (c == '"') {
          if (peek() != '"') break;
          get();
        } else if (c == '\n') {
          ++line_;
        }
        record_ += static_cast<char>(c);
        if (record_.size() > max_record_bytes) fail(ends_.size(), fmt::format("a record longer than {} bytes", max_record_bytes));
      }
      c = peek();
      if (c >= 0 && c != delimiter_ && c != '\n' && c != '\r')
        fail(ends_.size(), shown(c) + " after a closing quote (a field is either quoted whole or not at all)");
    } else {
      for (c = peek(); c >= 0 && c != delimiter_ && c != '\n' && c != '\r'; c = peek()) {
        if (c == '"') fail(ends_.size(), "a quote inside an unquoted field (quote the whole field, and double the quote)");
        record_ += static_cast<char>(get());
        if (record_.size() > max_record_bytes) fail(ends_.size(), fmt::format("a record longer than {} bytes", max_record_bytes));
      }
    }
    ends_.push_back(record_.size());
    c = get();
    if (c == delimiter_) continue;
    if (c == '\r' && peek() == '\n') get();
    if (c >= 0) ++line_;
    break;
  }
  std::size_t start = 0;
  for (const std::size_t end : ends_) {
    fields.emplace_back(record_.data() + start, end - start);
    start = end;
  }
  return true;
}

}  // namespace mlp
