// What the four programs share: the common flags (--threads, --log-level,
// --version), the spdlog stderr logger, and run_main(), the one place where an
// error becomes the line "PROGRAM: error: FILE[: KEY PATH]: what" and an exit code.
#pragma once

#include <functional>
#include <string>

#include <CLI/CLI.hpp>

namespace mlp {

struct CommonOptions {
  int threads = 0;  // 0: all cores
  std::string log_level = "warn";
};

void add_common_options(CLI::App& app, CommonOptions& options);
// Sets up logging, BLAS threads and the floating-point mode; call after parsing.
void apply_common_options(const CommonOptions& options);

// Parses argv into `app` and runs `body`; returns the process's exit code.
int run_main(const std::string& program, CLI::App& app, int argc, char** argv, const std::function<int()>& body);

}  // namespace mlp
