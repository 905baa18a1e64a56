#include "core/output_file.h"

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "core/error.h"

namespace mlp {
namespace {

namespace fs = std::filesystem;

[[noreturn]] void refuse(const OutputFile& output, const std::string& what) {
  throw Error(ExitCode::usage, output.path, "", output.flag + " " + what);
}

bool same_file(const std::string& a, const std::string& b) {
  struct stat x {}, y {};
  return ::stat(a.c_str(), &x) == 0 && ::stat(b.c_str(), &y) == 0 && x.st_dev == y.st_dev && x.st_ino == y.st_ino;
}

// The path as it will be when written: for two paths of files that do not exist
// yet, equal when they name the same entry of the same folder.
fs::path resolved(const std::string& path) {
  std::error_code error;
  const fs::path full = fs::weakly_canonical(fs::absolute(path, error), error);
  return error ? fs::path(path) : full;
}

void check_one(const OutputFile& output) {
  if (output.path.empty()) throw Error(ExitCode::usage, "", "", output.flag + ": an empty path");
  struct stat info {};
  if (::lstat(output.path.c_str(), &info) == 0) {
    if (S_ISLNK(info.st_mode))
      refuse(output, "names a symbolic link: the new file would replace the link; give the path it points to");
    if (S_ISDIR(info.st_mode)) refuse(output, "names a folder, not a file");
    if (!S_ISREG(info.st_mode))
      refuse(output, "names a device, FIFO or socket, not a file: the new file would replace it");
  }
  const fs::path target(output.path);
  const fs::path folder = target.has_parent_path() ? target.parent_path() : fs::path(".");
  std::error_code error;
  if (!fs::is_directory(folder, error)) refuse(output, "needs the folder " + folder.string() + ", which does not exist");
  if (::access(folder.c_str(), W_OK) != 0) refuse(output, "needs the folder " + folder.string() + " to be writable");
}

}  // namespace

void check_outputs(const std::vector<OutputFile>& outputs, const std::vector<std::string>& inputs) {
  for (std::size_t i = 0; i < outputs.size(); ++i) {
    const OutputFile& output = outputs[i];
    check_one(output);
    for (const auto& input : inputs)
      if (same_file(output.path, input))
        refuse(output, "is " + input + ", an input of this run: writing it would replace it");
    for (std::size_t j = 0; j < i; ++j)
      if (resolved(outputs[j].path) == resolved(output.path))
        refuse(output, "and " + outputs[j].flag + " name the same file");
  }
}

}  // namespace mlp
