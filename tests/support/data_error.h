// For tests of input that must be refused: runs `f`, which must throw a
// DataError (exit 2), and returns its message as the programs print it.
#pragma once

#include <catch2/catch.hpp>

#include <functional>
#include <string>

#include "core/error.h"

namespace mlp::test {

inline std::string data_error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const DataError& e) {
    CHECK(e.code() == ExitCode::usage);
    return e.describe();
  }
  FAIL("expected mlp::DataError, nothing was thrown");
  return "";
}

}  // namespace mlp::test
