// Times the phases of one training step of a config's model on random data.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <algorithm>
#include <vector>
#include <xmmintrin.h>
#include "core/parallel.h"
#include "core/rng.h"
#include "train/compiled.h"
using namespace mlp;
double now(){return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();}
int main(int argc, char** argv) {
  _mm_setcsr(_mm_getcsr() | 0x8040);
  parallel::set_threads(argc > 2 ? atoi(argv[2]) : 2);
  Compiled c = compile(load_config(argv[1], {}));
  Rng rng = Rng::stream(1, 1);
  c.model->init_params(rng);
  c.optimizer->prepare(c.model->param_count());
  const std::size_t batch = c.config.fit.batch_size, in = c.model->input_size(), classes = c.classes();
  Matrix x(batch, in), y(batch, classes), d;
  for (std::size_t i = 0; i < x.size(); ++i) x.data()[i] = (i % 255) / 127.5f - 1;
  y.fill(0); for (std::size_t r = 0; r < batch; ++r) y(r, r % classes) = 1;
  std::vector<double> means; ForwardContext ctx{true, &rng};
  double tf = 0, to = 0, tb = 0, tu = 0; int steps = std::getenv("STEPS") ? atoi(std::getenv("STEPS")) : 3000;
  std::span<float> params(c.model->params()), grads(c.model->grads());
  for (int s = 0; s < steps + 300; ++s) {
    double t0 = now();
    const Matrix& out = c.model->forward(x, ctx);
    double t1 = now();
    c.objective->batch_means(out, y, means); c.objective->gradient(out, y, d);
    double t2 = now(); double t25 = t2;
    if (auto rate = c.optimizer->descent_rate()) { c.model->backward_descend(x, d, *rate); t25 = now(); }
    else { c.model->backward(x, d); t25 = now(); c.optimizer->step(params, grads); }
    double t3 = now();
    if (s >= 300) { tf += t1 - t0; to += t2 - t1; tb += t3 - t2; tu += t3 - t25; }
  }
  printf("per step: forward %.1f us, objective %.1f us, backward+update %.1f us, total %.1f us (optimizer step %.1f us)\n", tf / steps * 1e6, to / steps * 1e6, tb / steps * 1e6, (tf + to + tb) / steps * 1e6, tu / steps * 1e6);
}
