// Times the phases of one training step (forward, loss, backward with the
// update) of a config's model on batches of its training images (the first
// ones, in order, at the config's batch size): where a step's time goes,
// without data loading or validation.
//
// Usage: step_profile CONFIG [--threads N] [--steps N]
#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include <xmmintrin.h>

#include "core/error.h"
#include "core/parallel.h"
#include "core/rng.h"
#include "data/dataset.h"
#include "train/compiled.h"

namespace {

double seconds_now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

struct PhaseTimes {
  double forward = 0, loss = 0, backward = 0, optimizer = 0;
};

}  // namespace

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
    c.optimizer->prepare(c.model->param_count());
    const auto batch = static_cast<std::size_t>(c.config.fit.batch_size);
    const std::size_t classes = c.classes();
    const auto& files = c.config.data.train.value();
    const mlp::Dataset data = mlp::load_dataset(files.images, files.labels, c.config.model.input_shape, classes);
    const std::array<float, 256> scale = c.preprocessing.table();
    mlp::Matrix x, y, d_output;
    std::vector<std::uint32_t> indices(batch);

    std::vector<double> means;
    const mlp::ForwardContext training{.training = true, .dropout_rng = &rng, .input_background = scale[0]};
    std::span<float> params(c.model->params()), grads(c.model->grads());
    PhaseTimes total;
    const int warm_up = 200;
    for (int s = 0; s < warm_up + steps; ++s) {
      for (std::size_t r = 0; r < batch; ++r)
        indices[r] = static_cast<std::uint32_t>((static_cast<std::size_t>(s) * batch + r) % data.size());
      mlp::gather_batch(data, indices, scale, classes, x, y);
      const double t0 = seconds_now();
      const mlp::Matrix& output = c.model->forward(x, training);
      const double t1 = seconds_now();
      c.objective->batch_means(output, y, means);
      c.objective->gradient(output, y, d_output);
      const double t2 = seconds_now();
      double t3;
      if (const auto rate = c.optimizer->descent_rate()) {
        c.model->backward_descend(x, d_output, *rate);  // the update is inside the backward pass
        c.optimizer->skip_step();
        t3 = seconds_now();
      } else {
        c.model->backward(x, d_output);
        t3 = seconds_now();
        c.optimizer->step(params, grads);
      }
      const double t4 = seconds_now();
      if (s < warm_up) continue;
      total.forward += t1 - t0;
      total.loss += t2 - t1;
      total.backward += t3 - t2;
      total.optimizer += t4 - t3;
    }
    const double us = 1e6 / steps;
    std::printf("per step (us): forward %.1f, loss %.1f, backward %.1f, optimizer %.1f, total %.1f\n",
                total.forward * us, total.loss * us, total.backward * us, total.optimizer * us,
                (total.forward + total.loss + total.backward + total.optimizer) * us);
  } catch (const mlp::Error& e) {
    std::fprintf(stderr, "step_profile: %s\n", e.describe().c_str());
    return 2;
  }
  return 0;
}
