// The confusion matrix and per-class scores on a tiny set worked out by hand, and
// the report laid out as scikit-learn's classification_report lays it out.
#include <catch2/catch.hpp>

#include <sstream>

#include "report/eval_report.h"

using mlp::ConfusionMatrix;

namespace {

// True/predicted pairs over 3 classes:
//   class 0: 3 samples, predicted 0, 0, 1
//   class 1: 2 samples, predicted 1, 1
//   class 2: 3 samples, predicted 2, 0, 1
ConfusionMatrix tiny() {
  ConfusionMatrix m(3);
  const int pairs[][2] = {{0, 0}, {0, 0}, {0, 1}, {1, 1}, {1, 1}, {2, 2}, {2, 0}, {2, 1}};
  for (const auto& p : pairs) m.add(static_cast<std::size_t>(p[0]), static_cast<std::size_t>(p[1]));
  return m;
}

}  // namespace

TEST_CASE("counts, accuracy, precision, recall, F1 and support by hand") {
  const ConfusionMatrix m = tiny();
  CHECK(m.at(0, 0) == 2);
  CHECK(m.at(0, 1) == 1);
  CHECK(m.at(2, 0) == 1);
  CHECK(m.total() == 8);
  CHECK(m.accuracy() == Approx(5.0 / 8));
  // class 0: predicted 0 three times (two right): P = 2/3; R = 2/3.
  const auto s0 = m.scores(0);
  CHECK(s0.precision == Approx(2.0 / 3));
  CHECK(s0.recall == Approx(2.0 / 3));
  CHECK(s0.f1 == Approx(2.0 / 3));
  CHECK(s0.support == 3);
  // class 1: predicted 1 four times (two right): P = 1/2; R = 2/2; F1 = 2/3.
  const auto s1 = m.scores(1);
  CHECK(s1.precision == Approx(0.5));
  CHECK(s1.recall == Approx(1.0));
  CHECK(s1.f1 == Approx(2.0 / 3));
  // class 2: predicted once, right: P = 1; R = 1/3; F1 = 0.5.
  const auto s2 = m.scores(2);
  CHECK(s2.precision == Approx(1.0));
  CHECK(s2.recall == Approx(1.0 / 3));
  CHECK(s2.f1 == Approx(0.5));
}

TEST_CASE("a class never predicted scores 0, not NaN") {
  ConfusionMatrix m(2);
  m.add(0, 0);
  m.add(1, 0);
  const auto s1 = m.scores(1);
  CHECK(s1.precision == 0.0);
  CHECK(s1.recall == 0.0);
  CHECK(s1.f1 == 0.0);
}

TEST_CASE("classification_report layout as scikit-learn prints it") {
  std::ostringstream out;
  tiny().print_classification_report(out);
  // macro P = (2/3 + 1/2 + 1)/3 = 0.72; macro R = (2/3 + 1 + 1/3)/3 = 0.67; macro F1 = (2/3 + 2/3 + 1/2)/3 = 0.61
  // weighted P = (3*2/3 + 2*1/2 + 3*1)/8 = 0.75; R = 5/8 = 0.62 (0.625 rounds half to even); F1 = (2 + 4/3 + 1.5)/8 = 0.60
  CHECK(out.str() ==
        "              precision    recall  f1-score   support\n"
        "\n"
        "           0       0.67      0.67      0.67         3\n"
        "           1       0.50      1.00      0.67         2\n"
        "           2       1.00      0.33      0.50         3\n"
        "\n"
        "    accuracy                           0.62         8\n"
        "   macro avg       0.72      0.67      0.61         8\n"
        "weighted avg       0.75      0.62      0.60         8\n");
}

TEST_CASE("the JSON form carries the matrix and the per-class scores") {
  const auto json = tiny().to_json();
  CHECK(json["confusion_matrix"][2][0] == 1);
  CHECK(json["confusion_matrix"][0][1] == 1);
  CHECK(json["classes"][1]["recall"].get<double>() == Approx(1.0));
  CHECK(json["classes"][2]["support"] == 3);
}
