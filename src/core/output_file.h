// Refusing, before any work starts, an output that can never be written or whose
// writing would destroy something. Every file mlp writes replaces its target
// (core/atomic_file.h), so the target must be a regular file or nothing: not a
// folder, a device (as root, -o /dev/null would replace /dev/null), a FIFO, a
// socket or a symbolic link, and not one of the run's own inputs or another
// output.
#pragma once

#include <string>
#include <vector>

namespace mlp {

struct OutputFile {
  std::string flag;  // "--output", named in the error
  std::string path;
};

// Throws Error (exit 2) naming the path and the flag for the first output that
// is refused: an empty path, a target that is not a regular file, a folder that
// does not exist or cannot be written, the same file as one of `inputs` (files
// that exist; others are skipped), or the same file as an earlier output.
void check_outputs(const std::vector<OutputFile>& outputs, const std::vector<std::string>& inputs);

}  // namespace mlp
