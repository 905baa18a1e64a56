// The one way mlp writes a file: into a temporary file in the same folder, flushed
// and fsynced, then renamed over the target. A crash or a full disk at any moment
// leaves the old file or the new one, never a torn one. A failed write removes its
// temporary; one left by a killed process (a hidden ".NAME.tmp.PID.XXXXXX") is
// removed by the next successful write of the same target.
#pragma once

#include <string>
#include <string_view>

namespace mlp {

// Throws RuntimeError naming `path` when any step fails.
void write_file_atomically(const std::string& path, std::string_view bytes);

}  // namespace mlp
