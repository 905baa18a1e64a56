#include "core/atomic_file.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "core/error.h"

namespace mlp {
namespace {

[[noreturn]] void fail(const std::string& path, const std::string& what, int error) {
  throw RuntimeError(path, what + ": " + std::strerror(error));
}

// ".NAME.tmp.": the start of every temporary file for target NAME; the writer's
// process id and a random suffix follow. A long NAME is cut (to 200 bytes) so
// that the temporary's name stays within the 255 a folder entry may have.
std::string temp_prefix(const std::filesystem::path& target) {
  return "." + target.filename().string().substr(0, 200) + ".tmp.";
}

// The mode the new file gets: the old file's when it replaces one, as cp keeps
// it; else what open(2) would give a new file, 0666 less the umask.
mode_t mode_for(const std::string& path) {
  struct stat info {};
  if (::stat(path.c_str(), &info) == 0 && S_ISREG(info.st_mode)) return info.st_mode & 07777;
  const mode_t mask = ::umask(0);
  ::umask(mask);
  return 0666 & ~mask;
}

// A process killed while writing (kill -9, power loss) leaves its temporary file
// behind. Removes those of `target` whose writer no longer runs; a temporary of
// a live writer, or one whose name does not parse, stays.
void remove_stale_temporaries(const std::filesystem::path& folder, const std::filesystem::path& target) {
  namespace fs = std::filesystem;
  const std::string prefix = temp_prefix(target);
  std::error_code ec;
  for (fs::directory_iterator it(folder, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.rfind(prefix, 0) != 0) continue;
    const std::string rest = name.substr(prefix.size());  // "PID.XXXXXX"
    const std::size_t dot = rest.find('.');
    if (dot == 0 || dot == std::string::npos || rest.find_first_not_of("0123456789") != dot) continue;
    errno = 0;
    const long pid = std::strtol(rest.c_str(), nullptr, 10);
    if (pid <= 0 || pid == ::getpid() || errno != 0) continue;
    if (::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH) ::unlink(it->path().c_str());
  }
}

}  // namespace

void write_file_atomically(const std::string& path, std::string_view bytes) {
  namespace fs = std::filesystem;
  const fs::path target(path);
  const fs::path folder = target.has_parent_path() ? target.parent_path() : fs::path(".");
  std::string temp = (folder / (temp_prefix(target) + std::to_string(::getpid()) + ".XXXXXX")).string();

  const int fd = ::mkstemp(temp.data());
  if (fd < 0) fail(path, "cannot create a temporary file in " + folder.string(), errno);
  auto abandon = [&](const std::string& what) {
    const int error = errno;
    ::close(fd);
    ::unlink(temp.c_str());
    fail(path, what, error);
  };
  std::size_t written = 0;
  while (written < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + written, bytes.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      abandon("cannot write");
    }
    written += static_cast<std::size_t>(n);
  }
  if (::fchmod(fd, mode_for(path)) != 0) abandon("cannot set permissions");
  if (::fsync(fd) != 0) abandon("cannot flush to disk");
  if (::close(fd) != 0) {
    const int error = errno;
    ::unlink(temp.c_str());
    fail(path, "cannot close", error);
  }
  if (::rename(temp.c_str(), path.c_str()) != 0) {
    const int error = errno;
    ::unlink(temp.c_str());
    fail(path, "cannot replace", error);
  }
  // Make the rename itself durable.
  const int dir = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY);
  if (dir >= 0) {
    ::fsync(dir);
    ::close(dir);
  }
  remove_stale_temporaries(folder, target);
}

}  // namespace mlp
