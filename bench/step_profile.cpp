// Times the phases of one training step (forward, loss, backward with the
// update) of a config's model on batches of its training images (the first
// ones, in order, at the config's batch size): where a step's time goes,
// without data loading or validation. Then, for data-parallel training, each
// gradient bucket (train/gradient_buckets.h) with the time from its last layer's
// gradients to the end of the backward pass: how long its sum can travel while
// the rest of the backward runs (docs/scaling.md).
//
// Usage: step_profile CONFIG [--threads N] [--steps N]
#include <array>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include <xmmintrin.h>

#include "core/clock.h"
#include "core/error.h"
#include "core/parallel.h"
#include "core/rng.h"
#include "data/dataset.h"
#include "train/compiled.h"
#include "train/gradient_buckets.h"
#include "train/train_step.h"

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: step_profile CONFIG [--threads N] [--steps N]\n");
    return 2;
  }
  int threads = 2, steps = 2000;
  for (int i = 2; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--threads") threads = std::atoi(argv[i + 1]);
    else if (flag == "--steps") steps = std::atoi(argv[i + 1]);
  }
  _mm_setcsr(_mm_getcsr() | 0x8040);  // flush-to-zero, as the programs run
  mlp::parallel::set_threads(threads);
  try {
    mlp::Compiled c = mlp::compile(mlp::load_config(argv[1], {}));
    mlp::Rng rng = mlp::Rng::stream(1, 1);
    c.model->init_params(rng);
    const auto batch = static_cast<std::size_t>(c.config.fit.batch_size);
    const std::size_t classes = c.classes();
    const auto& files = c.config.data.train.value();
    const mlp::Dataset data = mlp::load_dataset(files.images, files.labels, c.config.model.input_shape, classes);
    const std::array<float, 256> scale = c.preprocessing.table();
    mlp::Matrix x, y;
    std::vector<std::uint32_t> indices(batch);
    std::vector<double> means;
    mlp::TrainStep step(*c.model, *c.optimizer, *c.objective);  // the step fit() runs
    mlp::StepTimes warm, total;
    const int warm_up = 200;
    for (int s = 0; s < warm_up + steps; ++s) {
      for (std::size_t r = 0; r < batch; ++r)
        indices[r] = static_cast<std::uint32_t>((static_cast<std::size_t>(s) * batch + r) % data.size());
      mlp::gather_batch(data, indices, scale, classes, x, y);
      step.run(x, y, rng, means, {}, s < warm_up ? &warm : &total);
    }
    const double us = 1e6 / steps;
    std::printf("per step (us): forward %.1f, loss %.1f, backward %.1f, optimizer %.1f, total %.1f\n",
                total.forward * us, total.loss * us, total.backward * us, total.update * us,
                (total.forward + total.loss + total.backward + total.update) * us);

    const mlp::GradientRanges buckets = mlp::plan_buckets(c.model->layer_param_ranges());
    std::vector<double> ready(buckets.size()), window(buckets.size(), 0.0);
    mlp::Matrix d_output;
    for (int s = 0; s < steps; ++s) {
      for (std::size_t r = 0; r < batch; ++r)
        indices[r] = static_cast<std::uint32_t>((static_cast<std::size_t>(s) * batch + r) % data.size());
      mlp::gather_batch(data, indices, scale, classes, x, y);
      const mlp::Matrix& output = c.model->forward(x, {.training = true, .dropout_rng = &rng});
      c.objective->gradient(output, y, d_output, {});
      std::size_t next = 0;
      c.model->backward(x, d_output, [&](std::size_t begin, std::size_t) {
        for (; next < buckets.size() && buckets[next].first >= begin; ++next) ready[next] = mlp::seconds_now();
      });
      const double end = mlp::seconds_now();
      for (std::size_t k = 0; k < buckets.size(); ++k) window[k] += end - ready[k];
    }
    for (std::size_t k = 0; k < buckets.size(); ++k)
      std::printf("bucket %zu: %zu floats, ready %.1f us before the backward pass ends\n", k + 1,
                  buckets[k].second - buckets[k].first, window[k] * us);
  } catch (const mlp::Error& e) {
    std::fprintf(stderr, "step_profile: %s\n", e.describe().c_str());
    return 2;
  }
  return 0;
}
