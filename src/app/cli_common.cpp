#include "app/cli_common.h"

#include <csignal>
#include <iostream>
#include <new>
#include <thread>

#include <CLI/CLI.hpp>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>
#include <xmmintrin.h>

#include "core/blas.h"
#include "core/error.h"
#include "core/parallel.h"
#include "core/version.h"

namespace mlp {

Flags::Flags(const std::string& description) : app_(std::make_unique<CLI::App>(description)) {}
Flags::~Flags() = default;

Flags::Flag& Flags::Flag::required() {
  option_->required();
  return *this;
}
Flags::Flag& Flags::Flag::needs(Flag other) {
  option_->needs(other.option_);
  return *this;
}
Flags::Flag& Flags::Flag::excludes(Flag other) {
  option_->excludes(other.option_);
  return *this;
}
bool Flags::Flag::given() const { return option_->count() > 0; }

Flags::Flag Flags::text(const std::string& names, std::string& into, const std::string& help) {
  return Flag(app_->add_option(names, into, help));
}
Flags::Flag Flags::texts(const std::string& names, std::vector<std::string>& into, const std::string& help) {
  return Flag(app_->add_option(names, into, help)->take_all());
}
Flags::Flag Flags::choice(const std::string& names, std::string& into, const std::vector<std::string>& choices,
                          const std::string& help) {
  return Flag(app_->add_option(names, into, help)->check(CLI::IsMember(choices))->default_val(into));
}
Flags::Flag Flags::integer(const std::string& names, std::optional<long long>& into, const std::string& help) {
  return Flag(app_->add_option(names, into, help));
}
Flags::Flag Flags::integer(const std::string& names, std::optional<int>& into, int min, int max,
                           const std::string& help) {
  return Flag(app_->add_option(names, into, help)->check(CLI::Range(min, max)));
}
Flags::Flag Flags::integer(const std::string& names, int& into, int min, int max, const std::string& help) {
  return Flag(app_->add_option(names, into, help)->check(CLI::Range(min, max)));
}
Flags::Flag Flags::size(const std::string& names, std::size_t& into, std::size_t min, std::size_t max,
                        const std::string& help) {
  return Flag(app_->add_option(names, into, help)->check(CLI::Range(min, max)));
}
Flags::Flag Flags::number(const std::string& names, std::optional<double>& into, double min, double max,
                          const std::string& help) {
  return Flag(app_->add_option(names, into, help)->check(CLI::Range(min, max)));
}
Flags::Flag Flags::flag(const std::string& names, bool& into, const std::string& help) {
  return Flag(app_->add_flag(names, into, help));
}
void Flags::footer(const std::string& text) { app_->footer(text); }

void add_common_options(Flags& flags, CommonOptions& options) {
  flags.app().set_version_flag("--version", std::string(program_version));
  flags.integer("--threads", options.threads, 1, 1024, "Threads for the math (default and at most: the usable cores)");
  flags.choice("--log-level", options.log_level, {"error", "warn", "info", "debug"}, "Diagnostics on stderr");
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

int run_main(const std::string& program, Flags& flags, int argc, char** argv, const std::function<int()>& body) {
  CLI::App& app = flags.app();
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
