#include "app/cli_common.h"

#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <limits>
#include <new>
#include <thread>
#include <type_traits>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>
#include <xmmintrin.h>

#include "core/blas.h"
#include "core/collective.h"
#include "core/error.h"
#include "core/machine.h"
#include "core/number_text.h"
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

namespace {
// An empty value names no file and no choice: refused, not taken as no flag.
std::string refuse_empty(const std::string& value) { return value.empty() ? "an empty value" : ""; }
}  // namespace

Flags::Flag Flags::text(const std::string& names, std::string& into, const std::string& help) {
  return Flag(app_->add_option(names, into, help)->check(CLI::Validator(refuse_empty, "", "NOT EMPTY")));
}
Flags::Flag Flags::texts(const std::string& names, std::vector<std::string>& into, const std::string& help) {
  return Flag(app_->add_option(names, into, help)->take_all());
}
Flags::Flag Flags::choice(const std::string& names, std::string& into, const std::vector<std::string>& choices,
                          const std::string& help) {
  CLI::Option* option = app_->add_option(names, into, help)->check(CLI::IsMember(choices));
  // CLI11 checks a default against the choices when it is set: an empty one
  // (a flag with no default) would throw here, before any error handling.
  if (!into.empty()) option->default_val(into);
  return Flag(option);
}
namespace {

// A flag taking one number, read by parse_number_text and handed to `store`.
template <class T>
CLI::Option* add_number(CLI::App& app, const std::string& names, const std::string& help, T min, T max,
                        std::function<void(T)> store) {
  CLI::Option* option = app.add_option(
      names,
      [names, min, max, store](const CLI::results_t& values) {
        try {
          store(parse_number_text<T>(values.back(), min, max));
        } catch (const NumberTextError& e) {
          throw CLI::ValidationError(names, e.what());
        }
        return true;
      },
      help);
  const char* type = std::is_integral_v<T> ? "INT" : "FLOAT";
  const bool bounded = min != std::numeric_limits<T>::lowest() || max != std::numeric_limits<T>::max();
  option->expected(1)->type_name(bounded ? fmt::format("{} in [{}, {}]", type, min, max) : type);
  return option;
}

}  // namespace

Flags::Flag Flags::integer(const std::string& names, std::optional<long long>& into, const std::string& help) {
  return Flag(add_number<long long>(*app_, names, help, std::numeric_limits<long long>::lowest(),
                                    std::numeric_limits<long long>::max(), [&into](long long v) { into = v; }));
}
Flags::Flag Flags::integer(const std::string& names, std::optional<int>& into, int min, int max,
                           const std::string& help) {
  return Flag(add_number<int>(*app_, names, help, min, max, [&into](int v) { into = v; }));
}
Flags::Flag Flags::integer(const std::string& names, int& into, int min, int max, const std::string& help) {
  return Flag(add_number<int>(*app_, names, help, min, max, [&into](int v) { into = v; }));
}
Flags::Flag Flags::size(const std::string& names, std::size_t& into, std::size_t min, std::size_t max,
                        const std::string& help) {
  return Flag(add_number<std::size_t>(*app_, names, help, min, max, [&into](std::size_t v) { into = v; }));
}
Flags::Flag Flags::number(const std::string& names, std::optional<double>& into, double min, double max,
                          const std::string& help) {
  return Flag(add_number<double>(*app_, names, help, min, max, [&into](double v) { into = v; }));
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

namespace {

// mlp runs OpenBLAS on one thread inside each of its own pool's threads
// (core/parallel), so the server threads OpenBLAS's constructor starts, one per
// core it sees, would only spin until shut down; under an address-space limit
// each of them retries forever for its 128 MiB work buffer, and the program never
// exits. OpenBLAS counts the cores in this process's CPU affinity, and an
// executable's preinit functions run before any library's constructor: the
// affinity is one core while the libraries start, and restored, before main, by
// the executable's first constructor. (OPENBLAS_NUM_THREADS set here would be
// lost: libc resets the environment when it starts.)
cpu_set_t affinity_at_start;
bool affinity_narrowed = false;

void narrow_affinity_for_openblas(int, char**, char**) {
  if (::sched_getaffinity(0, sizeof affinity_at_start, &affinity_at_start) != 0) return;
  for (std::size_t cpu = 0; cpu < CPU_SETSIZE; ++cpu) {
    if (!CPU_ISSET(cpu, &affinity_at_start)) continue;
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(cpu, &one);
    affinity_narrowed = ::sched_setaffinity(0, sizeof one, &one) == 0;
    return;
  }
}
[[gnu::section(".preinit_array"), gnu::used]] void (*const openblas_preinit)(int, char**, char**) =
    narrow_affinity_for_openblas;

[[gnu::constructor(101)]] void restore_affinity() {
  if (affinity_narrowed) ::sched_setaffinity(0, sizeof affinity_at_start, &affinity_at_start);
}

}  // namespace

namespace {

// How many of the job's ranks share this machine (mpirun says; 1 otherwise).
int local_ranks() {
  const char* size = std::getenv("OMPI_COMM_WORLD_LOCAL_SIZE");
  try {
    return size && Collective::world().distributed() ? std::max(1, parse_number_text<int>(size, 1, 1 << 20)) : 1;
  } catch (const NumberTextError&) {
    return 1;
  }
}

}  // namespace

bool idle_rank() { return !Collective::world().leader(); }

void apply_common_options(const CommonOptions& options, bool runs_math) {
  auto logger = spdlog::stderr_logger_st("mlp");
  logger->set_pattern("%n: %l: %v");
  logger->set_level(spdlog::level::from_str(options.log_level));
  // Under mpirun, rank 0 tells; the others would say the same again, and say errors only.
  const Collective& team = Collective::world();
  if (!team.leader()) logger->set_level(spdlog::level::err);
  spdlog::set_default_logger(logger);

  const int cores = parallel::usable_cores();
  // The ranks mpirun starts on one machine share its cores.
  int threads = options.threads > 0 ? options.threads : std::max(1, cores / local_ranks());
  if (threads > cores) {
    // Threads beyond the cores only take turns, and each turn stalls the others.
    spdlog::warn("--threads {}: this process may use {} cores; using {} threads", threads, cores, cores);
    threads = cores;
  }
  if (const int fit = runs_math ? blas::claim_work_buffers(threads) : threads; fit < threads) {
    const double limit_mib = static_cast<double>(address_space_limit()) / (1 << 20);
    if (fit == 0)
      throw RuntimeError("", fmt::format("the address-space limit (ulimit -v) of {:.0f} MiB leaves no room for the math "
                                         "library's 128 MiB work buffer; raise the limit",
                                         limit_mib));
    spdlog::warn("--threads {}: the address-space limit (ulimit -v) of {:.0f} MiB leaves room for only {} of the math "
                 "library's 128 MiB work buffers (one per thread); using {} thread{}",
                 threads, limit_mib, fit, fit, fit == 1 ? "" : "s");
    threads = fit;
  }
  // Flush denormals to zero, as TensorFlow does on the CPU: Adam's tiny moments
  // otherwise hit the slow denormal path. Before the pool starts: its threads copy it.
  _mm_setcsr(_mm_getcsr() | 0x8040);
  parallel::set_threads(threads);
  spdlog::debug("threads {}, BLAS kernel {}", threads, blas::core_name());
}

namespace {

// A program started with stdin, stdout or stderr closed would hand that number to
// the next file it opens, and then write its results into, say, the model file.
// Each closed one is held by /dev/null opened the other way round, so that using
// it fails (EBADF) as using a closed one would.
void hold_closed_standard_streams() {
  for (const int fd : {STDIN_FILENO, STDOUT_FILENO, STDERR_FILENO}) {
    if (::fcntl(fd, F_GETFD) != -1 || errno != EBADF) continue;
    const int held = ::open("/dev/null", fd == STDIN_FILENO ? O_WRONLY : O_RDONLY);
    if (held != fd && held >= 0) ::close(held);
  }
}

}  // namespace

namespace {

// The one error line, and the exit code. Under mpirun the job ends with it: the
// other ranks may be waiting for this one in a reduction, and would wait forever.
// An error every rank meets alike (bad usage, a bad config or data: exit 2) is
// told by rank 0 alone.
int fail(const std::string& program, const std::string& what, int code) {
  std::cout.flush();
  Collective& team = Collective::world();
  if (!team.leader() && code == static_cast<int>(ExitCode::usage)) {
    // Rank 0 most likely met the same error: it tells it and ends the job, which
    // ends this rank too. Should it not (the error was this rank's alone), this
    // rank tells it after a while.
    std::this_thread::sleep_for(std::chrono::seconds(3));
  }
  // One write: mpirun passes each rank's output on in the pieces it was written.
  const std::string line = fmt::format("{}{}: error: {}\n", program,
                                       team.leader() ? "" : fmt::format(" (rank {})", team.rank()), what);
  std::cerr.write(line.data(), static_cast<std::streamsize>(line.size()));
  std::cerr.flush();
  if (team.distributed()) team.abort(code);
  return code;
}

}  // namespace

int run_main(const std::string& program, Flags& flags, int argc, char** argv, const std::function<int()>& body) {
  hold_closed_standard_streams();
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
    const int code = body();
    // Results go to stdout: a write that failed there (a full disk, a closed
    // pipe) fails the program, whatever it computed.
    std::cout.flush();
    if (!std::cout) throw RuntimeError("stdout", std::string("cannot write the results: ") + std::strerror(errno));
    return code;
  } catch (const Error& e) {
    return fail(program, e.describe(), static_cast<int>(e.code()));
  } catch (const std::bad_alloc&) {
    return fail(program, "out of memory", static_cast<int>(ExitCode::failure));
  } catch (const std::exception& e) {
    return fail(program, e.what(), static_cast<int>(ExitCode::failure));
  }
}

}  // namespace mlp
