// Running the programs as a user does, for the CLI tests: a shell command with
// its exit code, stdout and stderr, and a tiny config to train.
#pragma once

#include <string>

#include "support/tiny_idx.h"

namespace mlp::test {

inline const std::string train_exe = MLP_TRAIN_EXE;
inline const std::string summary_exe = MLP_SUMMARY_EXE;
inline const std::string eval_exe = MLP_EVAL_EXE;
inline const std::string predict_exe = MLP_PREDICT_EXE;
inline const std::string export_exe = MLP_EXPORT_EXE;
inline const std::string import_exe = MLP_IMPORT_EXE;
inline const std::string report_exe = MLP_REPORT_EXE;

struct Result {
  int code = -1;  // the exit status; -1 when the program did not exit (a signal)
  std::string out, err;
};

// Runs `command` with sh, its stdout and stderr captured in files in `dir`.
Result run(const std::string& command, const TempDir& dir);

// tiny.json in `dir`: a 6x6, 4-class banded set of 200 images, 3 epochs of adam
// with validation_split 0.2; `extra_fit` is appended inside "fit". Returns its path.
std::string write_tiny_config(const TempDir& dir, const std::string& extra_fit = "");

// The number of lines in `text`.
long count_lines(const std::string& text);

}  // namespace mlp::test
