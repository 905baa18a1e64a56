// The one way mlp writes a file: into a temporary file in the same folder, flushed
// and fsynced, then renamed over the target. A crash or a full disk at any moment
// leaves the old file or the new one, never a torn one, and no temporary behind.
#pragma once

#include <string>
#include <string_view>

namespace mlp {

// Throws RuntimeError naming `path` when any step fails.
void write_file_atomically(const std::string& path, std::string_view bytes);

}  // namespace mlp
