// What the four programs share: their flags (declared through Flags, with CLI11
// behind it in cli_common.cpp alone, so a program's own file compiles in a
// second), the common flags (--threads, --log-level, --version), the spdlog
// stderr logger, and run_main(), the one place where an error becomes the line
// "PROGRAM: error: FILE[: KEY PATH]: what" and an exit code.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace CLI {
class App;
class Option;
}  // namespace CLI

namespace mlp {

// One program's command line. Each call declares a flag ("--epochs", or
// "-o,--output" for a short name too) that writes into `into` when given.
class Flags {
 public:
  // Refines a declared flag.
  class Flag {
   public:
    Flag& required();
    Flag& needs(Flag other);     // given only together with `other`
    Flag& excludes(Flag other);  // never together with `other`
    bool given() const;

   private:
    friend class Flags;
    explicit Flag(CLI::Option* option) : option_(option) {}
    CLI::Option* option_;
  };

  explicit Flags(const std::string& description);
  ~Flags();
  Flags(const Flags&) = delete;
  Flags& operator=(const Flags&) = delete;

  Flag text(const std::string& names, std::string& into, const std::string& help);
  Flag texts(const std::string& names, std::vector<std::string>& into, const std::string& help);  // repeatable
  Flag choice(const std::string& names, std::string& into, const std::vector<std::string>& choices,
              const std::string& help);
  Flag integer(const std::string& names, std::optional<long long>& into, const std::string& help);
  Flag integer(const std::string& names, std::optional<int>& into, int min, int max, const std::string& help);
  Flag integer(const std::string& names, int& into, int min, int max, const std::string& help);
  Flag size(const std::string& names, std::size_t& into, std::size_t min, std::size_t max, const std::string& help);
  Flag number(const std::string& names, std::optional<double>& into, double min, double max, const std::string& help);
  Flag flag(const std::string& names, bool& into, const std::string& help);
  void footer(const std::string& text);

  CLI::App& app() { return *app_; }

 private:
  std::unique_ptr<CLI::App> app_;
};

struct CommonOptions {
  int threads = 0;  // 0: all cores
  std::string log_level = "warn";
};

void add_common_options(Flags& flags, CommonOptions& options);
// Sets up logging, BLAS threads and the floating-point mode; call after parsing.
// A program that runs the math (`runs_math`) first has OpenBLAS's work buffers
// taken (core/blas.h: claim_work_buffers), with fewer threads or an error when
// the address-space limit leaves no room for them.
void apply_common_options(const CommonOptions& options, bool runs_math = true);

// Under mpirun, a rank that a program without work to share out leaves idle
// (all but rank 0): mlp-predict, -report, -summary, -export and -import run on
// rank 0 alone, which prints and writes once; the others end at once.
bool idle_rank();

// Parses argv into `flags` and runs `body`; returns the process's exit code.
int run_main(const std::string& program, Flags& flags, int argc, char** argv, const std::function<int()>& body);

}  // namespace mlp
