#include "app/cli_common.h"

#include <csignal>
#include <iostream>
#include <new>
#include <thread>

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>
#include <xmmintrin.h>

#include "core/blas.h"
#include "core/error.h"
#include "core/parallel.h"
#include "core/version.h"

namespace mlp {

void add_common_options(CLI::App& app, CommonOptions& options) {
  app.set_version_flag("--version", std::string(program_version));
  app.add_option("--threads", options.threads, "Threads for the math (default and at most: the usable cores)")
      ->check(CLI::Range(1, 1024));
  app.add_option("--log-level", options.log_level, "Diagnostics on stderr")
      ->check(CLI::IsMember({"error", "warn", "info", "debug"}))
      ->default_val("warn");
}

void apply_common_options(const CommonOptions& options) {
  auto logger = spdlog::stderr_logger_st("mlp");
  logger->set_pattern("%n: %l: %v");
  logger->set_level(spdlog::level::from_str(options.log_level));
  spdlog::set_default_logger(logger);

  const int cores = parallel::usable_cores();
  int threads = options.threads > 0 ? options.threads : cores;
  if (threads > cores) {
    // Threads beyond the cores only take turns, and each turn stalls the others.
    spdlog::warn("--threads {}: this process may use {} cores; using {} threads", threads, cores, cores);
    threads = cores;
  }
  // Flush denormals to zero, as TensorFlow does on the CPU: Adam's tiny moments
  // otherwise hit the slow denormal path. Before the pool starts: its threads copy it.
  _mm_setcsr(_mm_getcsr() | 0x8040);
  parallel::set_threads(threads);
  spdlog::debug("threads {}, BLAS kernel {}", threads, blas::core_name());
}

int run_main(const std::string& program, CLI::App& app, int argc, char** argv, const std::function<int()>& body) {
  // A write past `ulimit -f` must fail with EFBIG, not kill the process.
  std::signal(SIGXFSZ, SIG_IGN);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << program << ": error: " << e.what() << " (run with --help for usage)\n";
    return static_cast<int>(ExitCode::usage);
  }
  try {
    return body();
  } catch (const Error& e) {
    std::cout.flush();
    std::cerr << program << ": error: " << e.describe() << '\n';
    return static_cast<int>(e.code());
  } catch (const std::bad_alloc&) {
    std::cout.flush();
    std::cerr << program << ": error: out of memory\n";
    return static_cast<int>(ExitCode::failure);
  } catch (const std::exception& e) {
    std::cout.flush();
    std::cerr << program << ": error: " << e.what() << '\n';
    return static_cast<int>(ExitCode::failure);
  }
}

}  // namespace mlp
