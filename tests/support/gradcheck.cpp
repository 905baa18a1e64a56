#include "support/gradcheck.h"

#include <algorithm>
#include <cmath>
#include <sstream>

namespace mlp::test {

std::string GradCheckResult::describe() const {
  std::ostringstream s;
  s << "worst relative error " << worst_error << " at index " << worst_index << " (analytic " << analytic
    << ", numeric " << numeric << ")";
  return s.str();
}

GradCheckResult check_gradient(const std::function<double(const std::vector<float>&)>& f, std::vector<float> x,
                               const std::vector<float>& analytic, float step) {
  GradCheckResult result;
  for (std::size_t i = 0; i < x.size(); ++i) {
    const float saved = x[i];
    x[i] = saved + step;
    const double plus = f(x);
    x[i] = saved - step;
    const double minus = f(x);
    x[i] = saved;
    const double numeric = (plus - minus) / (2.0 * static_cast<double>(step));
    const double scale = std::max({1.0, std::fabs(numeric), std::fabs(static_cast<double>(analytic[i]))});
    const double error = std::fabs(numeric - analytic[i]) / scale;
    if (error > result.worst_error) result = {error, i, analytic[i], numeric};
  }
  return result;
}

}  // namespace mlp::test
