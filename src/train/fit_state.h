// Where a run is: with the weights and the optimizer state it is all a checkpoint
// needs to resume exactly, even from inside an epoch.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "train/callback.h"

namespace mlp {

struct FitState {
  std::uint64_t seed = 0;
  int next_epoch = 0;              // 0-based
  std::size_t next_batch = 0;      // above 0 when the run stopped inside next_epoch
  std::vector<double> epoch_sums;  // that epoch's sample-weighted totals so far (BaseLogger)
  std::size_t epoch_count = 0;     // and its samples so far
  std::array<std::uint64_t, 4> dropout_rng{};
  std::vector<Logs> history;  // one entry per finished epoch (History)
  std::vector<CallbackState> callbacks;  // fit.callbacks', as of the last finished epoch
};

}  // namespace mlp
