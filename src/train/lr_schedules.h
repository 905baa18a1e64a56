// Learning-rate schedules by name, for LearningRateScheduler (Keras takes a
// Python function there; a config names one of these). Each gives the rate at
// epoch or step t (from 0) from the initial rate lr0; the formulas are
// tf.keras's schedules of the same names (keras/optimizers/schedules).
//   step:        lr0 factor^floor(t / step_size)                (factor 0.5, step_size 10)
//   exponential: lr0 decay_rate^(t / decay_steps), floored when staircase
//                                                              (decay_rate 0.96, decay_steps 1, staircase false)
//   cosine:      linear from warmup_start to lr0 over `warmup`, then
//                lr0 ((1 - alpha) (1 + cos(pi p)) / 2 + alpha), p = min(t - warmup, decay_steps) / decay_steps
//                                                              (decay_steps required, alpha 0, warmup 0, warmup_start 0)
//   piecewise:   values[i] for boundaries[i-1] < t <= boundaries[i] (values one longer than boundaries)
//   polynomial:  (lr0 - end) (1 - min(t, decay_steps) / decay_steps)^power + end
//                                                              (decay_steps required, end_learning_rate 0.0001, power 1)
#pragma once

#include <string>
#include <vector>

#include "config/json_reader.h"

namespace mlp {

struct LrSchedule {
  std::string type;
  double factor = 0.5, step_size = 10, decay_rate = 0.96, decay_steps = 1, alpha = 0, warmup = 0, warmup_start = 0,
         end_learning_rate = 0.0001, power = 1;
  bool staircase = false;
  std::vector<double> boundaries, values;
  double (*formula)(const LrSchedule& s, double t, double lr0) = nullptr;  // its table row's, set when read

  double rate(double t, double lr0) const;
};

// A name ("cosine" needs keys, so mostly {"type": name, ...}); ConfigError at `path`.
LrSchedule read_lr_schedule(const Json& spec, const std::string& path);

}  // namespace mlp
