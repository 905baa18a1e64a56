#include "io/model_file.h"

#include <zlib.h>

#include <bit>

#include <fmt/format.h>

#include "config/config.h"
#include "core/error.h"
#include "core/input_file.h"
#include "core/atomic_file.h"

namespace mlp {
namespace {

constexpr char magic[8] = {'M', 'L', 'P', 'M', 'O', 'D', 'E', 'L'};
constexpr std::size_t fixed_header = 32;
constexpr std::uint64_t max_file_bytes = std::uint64_t{1} << 36;

static_assert(std::endian::native == std::endian::little || std::endian::native == std::endian::big);

template <class T>
void put_le(std::string& out, T value) {
  for (std::size_t i = 0; i < sizeof(T); ++i) out.push_back(static_cast<char>((static_cast<std::uint64_t>(value) >> (8 * i)) & 0xff));
}

template <class T>
T get_le(const std::string& in, std::size_t at) {
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < sizeof(T); ++i) v |= std::uint64_t{static_cast<unsigned char>(in[at + i])} << (8 * i);
  return static_cast<T>(v);
}

std::uint32_t crc_of(const char* data, std::size_t size) {
  uLong crc = crc32(0L, Z_NULL, 0);
  while (size > 0) {
    const auto chunk = static_cast<uInt>(std::min<std::size_t>(size, 1u << 30));
    crc = crc32(crc, reinterpret_cast<const Bytef*>(data), chunk);
    data += chunk;
    size -= chunk;
  }
  return static_cast<std::uint32_t>(crc);
}

}  // namespace

std::string encode_model_file(const ModelFile& file) {
  const std::string header = file.header.dump();
  std::string out;
  out.reserve(fixed_header + header.size() + file.payload.size() * 4 + 4);
  out.append(magic, sizeof magic);
  put_le<std::uint32_t>(out, model_format_version);
  put_le<std::uint32_t>(out, 0);
  put_le<std::uint64_t>(out, header.size());
  put_le<std::uint64_t>(out, file.payload.size() * 4);
  out += header;
  for (float f : file.payload) put_le<std::uint32_t>(out, std::bit_cast<std::uint32_t>(f));
  put_le<std::uint32_t>(out, crc_of(out.data(), out.size()));
  return out;
}

ModelFile decode_model_file(const std::string& bytes, const std::string& path) {
  if (bytes.size() < fixed_header + 4 || std::memcmp(bytes.data(), magic, sizeof magic) != 0)
    throw DataError(path, "not an mlp model file (bad magic)");
  const auto version = get_le<std::uint32_t>(bytes, 8);
  if (version > model_format_version)
    throw DataError(path, fmt::format("model format version {} is newer than this mlp reads (version {}); "
                                      "use a newer mlp",
                                      version, model_format_version));
  if (version == 0) throw DataError(path, "model format version 0 is not valid");
  const auto header_size = get_le<std::uint64_t>(bytes, 16);
  const auto payload_size = get_le<std::uint64_t>(bytes, 24);
  const std::uint64_t available = bytes.size() - fixed_header - 4;
  if (header_size > available || payload_size > available - header_size || payload_size % 4 != 0 ||
      fixed_header + header_size + payload_size + 4 != bytes.size())
    throw DataError(path, fmt::format("damaged: the sizes in the header ({} + {} bytes) do not match the file's {} "
                                      "bytes (truncated?)",
                                      header_size, payload_size, bytes.size()));
  const std::size_t body = bytes.size() - 4;
  if (crc_of(bytes.data(), body) != get_le<std::uint32_t>(bytes, body))
    throw DataError(path, "damaged: checksum mismatch");

  ModelFile file;
  try {
    file.header = parse_json_text(bytes.substr(fixed_header, header_size), "model header");
  } catch (const Error& e) {
    throw DataError(path, std::string("damaged header: ") + e.what());
  }
  if (!file.header.is_object()) throw DataError(path, "damaged header: not a JSON object");
  file.payload.resize(payload_size / 4);
  const std::size_t start = fixed_header + header_size;
  for (std::size_t i = 0; i < file.payload.size(); ++i)
    file.payload[i] = std::bit_cast<float>(get_le<std::uint32_t>(bytes, start + 4 * i));
  return file;
}

void save_model_file(const std::string& path, const ModelFile& file) { write_file_atomically(path, encode_model_file(file)); }

ModelFile load_model_file(const std::string& path) {
  return decode_model_file(read_input_file(path, "a model file", max_file_bytes), path);
}

}  // namespace mlp
