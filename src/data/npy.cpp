#include "data/npy.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <string_view>

#include <fmt/format.h>

#include "core/error.h"

namespace mlp {
namespace {

constexpr std::size_t max_header = std::size_t{1} << 20;
constexpr std::size_t max_rank = 32;
constexpr std::size_t chunk_elements = std::size_t{1} << 18;

struct Header {
  char kind = 0;           // 'f', 'u', 'i', 'b'
  std::size_t width = 0;   // bytes per element
  bool swap = false;       // stored in the other byte order than this machine's
  std::vector<std::size_t> shape;
};

// A cursor over the header's dict literal: only the three keys NumPy writes,
// with the values NumPy writes for them.
class HeaderParser {
 public:
  HeaderParser(std::string_view text, const std::string& path, const std::string& what)
      : text_(text), path_(path), what_(what) {}

  Header parse() {
    Header h;
    bool descr = false, order = false, shape = false;
    expect('{');
    while (!take('}')) {
      const std::string key = string();
      expect(':');
      if (key == "descr") {
        skip();
        if (peek() != '\'' && peek() != '"') fail("'descr' is not a simple type (a structured array?)");
        type(string(), h);
        descr = true;
      } else if (key == "fortran_order") {
        if (word("True")) fail("is in Fortran order; save it in C order (np.ascontiguousarray)");
        if (!word("False")) fail("'fortran_order' is not True or False");
        order = true;
      } else if (key == "shape") {
        h.shape = tuple();
        shape = true;
      } else {
        fail("its header has an unknown key '" + key + "'");
      }
      if (!take(',')) {
        expect('}');
        break;
      }
    }
    if (!descr || !order || !shape) fail("its header lacks 'descr', 'fortran_order' or 'shape'");
    return h;
  }

 private:
  [[noreturn]] void fail(const std::string& what) const { throw DataError(path_, what_ + ": " + what); }
  void skip() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\n' || text_[pos_] == '\t')) ++pos_;
  }
  char peek() { return pos_ < text_.size() ? text_[pos_] : '\0'; }
  bool take(char c) {
    skip();
    if (peek() != c) return false;
    ++pos_;
    return true;
  }
  void expect(char c) {
    if (!take(c)) fail(fmt::format("a damaged header (expected '{}' at byte {})", c, pos_));
  }
  bool word(std::string_view w) {
    skip();
    if (text_.substr(pos_, w.size()) != w) return false;
    pos_ += w.size();
    return true;
  }
  std::string string() {
    skip();
    const char quote = peek();
    if (quote != '\'' && quote != '"') fail(fmt::format("a damaged header (expected a string at byte {})", pos_));
    const auto end = text_.find(quote, pos_ + 1);
    if (end == std::string_view::npos) fail("a damaged header (a string is never closed)");
    std::string s(text_.substr(pos_ + 1, end - pos_ - 1));
    pos_ = end + 1;
    return s;
  }
  std::vector<std::size_t> tuple() {
    expect('(');
    std::vector<std::size_t> dims;
    while (!take(')')) {
      skip();
      std::size_t d = 0;
      bool digits = false;
      while (pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9') {
        if (d > (std::size_t{1} << 48)) fail("a dimension beyond any file");
        d = d * 10 + static_cast<std::size_t>(text_[pos_++] - '0');
        digits = true;
      }
      if (peek() == 'L') ++pos_;  // Python 2's long
      if (!digits) fail(fmt::format("a damaged header (expected a dimension at byte {})", pos_));
      if (dims.size() == max_rank) fail(fmt::format("more than {} dimensions", max_rank));
      dims.push_back(d);
      if (!take(',')) {
        expect(')');
        break;
      }
    }
    return dims;
  }
  void type(const std::string& descr, Header& h) const {
    if (descr.size() < 3 || std::string_view("<>|=").find(descr[0]) == std::string_view::npos)
      fail("element type '" + descr + "' is not one mlp reads (float32, float64, uint8, int8, int32, int64, bool)");
    h.kind = descr[1];
    const std::string width = descr.substr(2);
    h.width = width == "1" ? 1 : width == "4" ? 4 : width == "8" ? 8 : 0;
    const bool known = (h.kind == 'f' && (h.width == 4 || h.width == 8)) || (h.kind == 'u' && h.width == 1) ||
                       (h.kind == 'i' && (h.width == 1 || h.width == 4 || h.width == 8)) || (h.kind == 'b' && h.width == 1);
    if (!known) fail("element type '" + descr + "' is not one mlp reads (float32, float64, uint8, int8, int32, int64, bool)");
    const bool big = descr[0] == '>';
    h.swap = h.width > 1 && (big != (std::endian::native == std::endian::big)) && descr[0] != '=' && descr[0] != '|';
  }

  std::string_view text_;
  std::size_t pos_ = 0;
  const std::string& path_;
  const std::string& what_;
};

template <class T>
T element(const unsigned char* p, bool swap) {
  unsigned char b[sizeof(T)];
  std::memcpy(b, p, sizeof(T));
  if (swap) std::reverse(b, b + sizeof(T));
  T v;
  std::memcpy(&v, b, sizeof(T));
  return v;
}

float as_float(const Header& h, const unsigned char* p) {
  switch (h.kind) {
    case 'f': return h.width == 4 ? element<float>(p, h.swap) : static_cast<float>(element<double>(p, h.swap));
    case 'u': return static_cast<float>(*p);
    case 'b': return *p ? 1.0f : 0.0f;
    default:
      return h.width == 1 ? static_cast<float>(static_cast<std::int8_t>(*p))
             : h.width == 4 ? static_cast<float>(element<std::int32_t>(p, h.swap))
                            : static_cast<float>(element<std::int64_t>(p, h.swap));
  }
}

std::size_t read_exactly(ByteSource& source, void* into, std::size_t n) { return source.read(into, n); }

}  // namespace

std::size_t NpyArray::count() const {
  std::size_t n = 1;
  for (const auto d : shape) n *= d;
  return n;
}

NpyArray read_npy(ByteSource& source, const std::string& path, const std::string& what,
                  std::optional<std::uint64_t> size_limit, bool keep_bytes) {
  unsigned char preamble[12];
  const std::size_t got = read_exactly(source, preamble, 10);
  if (got == 0) throw DataError(path, what + ": is empty");
  if (got < 10 || std::memcmp(preamble, "\x93NUMPY", 6) != 0)
    throw DataError(path, what + ": not a .npy array (no \\x93NUMPY magic)");
  const int major = preamble[6];
  std::uint64_t header_length = preamble[8] | (std::uint64_t{preamble[9]} << 8);
  std::uint64_t prefix = 10;
  if (major == 2 || major == 3) {
    if (read_exactly(source, preamble + 10, 2) < 2) throw DataError(path, what + ": truncated header");
    header_length |= (std::uint64_t{preamble[10]} << 16) | (std::uint64_t{preamble[11]} << 24);
    prefix = 12;
  } else if (major != 1) {
    throw DataError(path, fmt::format("{}: .npy format version {}.{} (mlp reads 1.0 to 3.0)", what, major, preamble[7]));
  }
  if (header_length > max_header) throw DataError(path, fmt::format("{}: a header of {} bytes", what, header_length));
  std::string text(static_cast<std::size_t>(header_length), '\0');
  if (read_exactly(source, text.data(), text.size()) < text.size()) throw DataError(path, what + ": truncated header");
  const Header h = HeaderParser(text, path, what).parse();

  NpyArray array;
  array.shape = h.shape;
  array.integral = h.kind != 'f';
  std::uint64_t count = 1;
  for (const auto d : h.shape) {
    if (d != 0 && count > (std::uint64_t{1} << 40) / d) throw DataError(path, what + ": a shape beyond any file");
    count *= d;
  }
  const std::uint64_t data_bytes = count * h.width;
  if (size_limit && data_bytes > *size_limit - std::min(*size_limit, prefix + header_length))
    throw DataError(path, fmt::format("{}: truncated: its shape needs {} bytes of data, there are {}", what, data_bytes,
                                      *size_limit - std::min(*size_limit, prefix + header_length)));
  const bool bytes = keep_bytes && h.kind == 'u' && h.width == 1;
  // Known sizes are allocated once; unknown ones (gzip) grow with the data read.
  if (size_limit) (bytes ? array.bytes.reserve(count) : array.values.reserve(count));
  std::vector<unsigned char> chunk(chunk_elements * h.width);
  std::uint64_t done = 0;
  while (done < count) {
    const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(chunk_elements, count - done));
    const std::size_t read = read_exactly(source, chunk.data(), n * h.width);
    if (read < n * h.width)
      throw DataError(path, fmt::format("{}: truncated: its shape needs {} bytes of data, there are {}", what, data_bytes,
                                        done * h.width + read));
    if (bytes) {
      array.bytes.insert(array.bytes.end(), chunk.begin(), chunk.begin() + static_cast<std::ptrdiff_t>(n));
    } else {
      for (std::size_t k = 0; k < n; ++k) {
        const float v = as_float(h, chunk.data() + k * h.width);
        if (!std::isfinite(v))
          throw DataError(path, fmt::format("{}: element {} is {}{}", what, done + k, v,
                                            h.kind == 'f' && h.width == 8 ? " (or beyond float32)" : ""));
        array.values.push_back(v);
      }
    }
    done += n;
  }
  unsigned char extra = 0;
  if (source.read(&extra, 1) != 0) throw DataError(path, what + ": data continues after what its shape describes");
  return array;
}

}  // namespace mlp
