// The one clock for timing: seconds on a steady clock (never steps back when the
// wall clock is set). Only differences between two readings mean anything.
#pragma once

#include <chrono>

namespace mlp {

inline double seconds_now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

}  // namespace mlp
