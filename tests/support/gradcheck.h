// Central-difference gradient checks (after Caffe's GradientChecker): compares an
// analytic gradient with (f(x + h) - f(x - h)) / 2h, in double where it matters.
#pragma once

#include <functional>
#include <string>
#include <vector>

namespace mlp::test {

struct GradCheckResult {
  double worst_error = 0.0;  // max |analytic - numeric| / max(1, |numeric|, |analytic|)
  std::size_t worst_index = 0;
  double analytic = 0.0, numeric = 0.0;
  std::string describe() const;
};

// `f` evaluates the scalar objective at x; `analytic` is its gradient at x.
GradCheckResult check_gradient(const std::function<double(const std::vector<float>&)>& f, std::vector<float> x,
                               const std::vector<float>& analytic, float step = 1e-3f);

}  // namespace mlp::test
