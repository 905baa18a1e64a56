// Reading an input file the way every reader in mlp must: a missing file, a
// folder or (where the reader needs a size) a device or pipe is a DataError that
// names the path, and no read goes past a cap, so /dev/zero or a huge file cannot
// make a reader allocate what no valid input needs.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace mlp {

enum class FileKind { regular_only, any_readable };

// Checks that `path` can be opened as input: not a folder, and a regular file when
// `kind` says so. `what` names what the file should be ("a model file"). Returns
// its size in bytes (0 for what is not a regular file).
std::uint64_t check_input_file(const std::string& path, std::string_view what, FileKind kind = FileKind::regular_only);

// The whole file, refused as too large for `what` above `max_bytes`; reads at most
// max_bytes + 1 bytes, whatever the file is.
std::string read_input_file(const std::string& path, std::string_view what, std::uint64_t max_bytes,
                            FileKind kind = FileKind::regular_only);

}  // namespace mlp
