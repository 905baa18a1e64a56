// Typed errors: library code throws, exactly one catch site (app/cli_common.cpp)
// prints the one-line message and turns the error's exit code into the process's.
#pragma once

#include <stdexcept>
#include <string>

namespace mlp {

enum class ExitCode : int {
  ok = 0,
  failure = 1,  // anything that goes wrong once training started (a write, NaN loss, a gate)
  usage = 2,    // bad usage, a bad config, or bad input data found before training
};

// `file` and `key_path` are optional context for the message
// "FILE: KEY PATH: what is wrong".
class Error : public std::runtime_error {
 public:
  Error(ExitCode code, std::string file, std::string key_path, const std::string& what)
      : std::runtime_error(what), code_(code), file_(std::move(file)), key_path_(std::move(key_path)) {}

  ExitCode code() const { return code_; }
  const std::string& file() const { return file_; }
  const std::string& key_path() const { return key_path_; }
  void set_file(std::string file) { file_ = std::move(file); }

  // "FILE: KEY: message" with the empty parts left out.
  std::string describe() const {
    std::string line;
    if (!file_.empty()) line += file_ + ": ";
    if (!key_path_.empty()) line += key_path_ + ": ";
    return line + what();
  }

 private:
  ExitCode code_;
  std::string file_;
  std::string key_path_;
};

// A bad config value: names the key path ("model.layers[2].activation").
struct ConfigError : Error {
  ConfigError(std::string key_path, const std::string& what)
      : Error(ExitCode::usage, "", std::move(key_path), what) {}
};

// A bad input file (IDX, model file) found before training.
struct DataError : Error {
  DataError(std::string file, const std::string& what) : Error(ExitCode::usage, std::move(file), "", what) {}
};

// Something that fails once work is under way (a write, a diverging loss).
struct RuntimeError : Error {
  RuntimeError(std::string file, const std::string& what)
      : Error(ExitCode::failure, std::move(file), "", what) {}
};

}  // namespace mlp
