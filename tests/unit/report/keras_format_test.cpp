// Number formats against Python's own % formatting rules (values worked out by hand).
#include <catch2/catch.hpp>

#include <cmath>

#include "report/keras_format.h"

using namespace mlp;

TEST_CASE("metric values: %.4f above 1e-3, %.4e at or below it") {
  CHECK(keras_metric_value(0.06351, false) == "0.0635");
  CHECK(keras_metric_value(0.80125, false) == "0.8013");
  CHECK(keras_metric_value(0.55265, false) == "0.5526");  // stored just below the tie
  CHECK(keras_metric_value(0.0012, false) == "0.0012");
  CHECK(keras_metric_value(0.001, false) == "1.0000e-03");
  CHECK(keras_metric_value(0.00012345, false) == "1.2345e-04");
  CHECK(keras_metric_value(0.0, false) == "0.0000e+00");
}

TEST_CASE("verbose 2 compares the value, verbose 1 its absolute value") {
  CHECK(keras_metric_value(-0.5, false) == "-5.0000e-01");
  CHECK(keras_metric_value(-0.5, true) == "-0.5000");
  CHECK(keras_metric_value(-0.0005, true) == "-5.0000e-04");
}

TEST_CASE("thousands separators as Python's {:,}") {
  CHECK(thousands(0) == "0");
  CHECK(thousands(999) == "999");
  CHECK(thousands(1000) == "1,000");
  CHECK(thousands(694950) == "694,950");
  CHECK(thousands(1234567890) == "1,234,567,890");
}

TEST_CASE("elapsed seconds round half to even like %.0f") {
  CHECK(keras_seconds(14.2) == "14s");
  CHECK(keras_seconds(0.5) == "0s");
  CHECK(keras_seconds(1.5) == "2s");
  CHECK(keras_seconds(2.5) == "2s");
}

TEST_CASE("time per unit picks s, ms or us") {
  CHECK(keras_time_per_unit(14.0 / 48000) == "292us/step");
  CHECK(keras_time_per_unit(0.0031) == "3ms/step");
  CHECK(keras_time_per_unit(2.4) == "2s/step");
}

TEST_CASE("ETA formats") {
  CHECK(keras_eta(11.9) == "11s");
  CHECK(keras_eta(60.0) == "60s");
  CHECK(keras_eta(135.0) == "2:15");
  CHECK(keras_eta(3723.0) == "1:02:03");
}

TEST_CASE("a diverged value prints as Python prints it: nan, inf, -inf") {
  const double nan = std::nan(""), negative_nan = -std::nan(""), inf = HUGE_VAL;
  for (bool compare_abs : {false, true}) {
    CHECK(keras_metric_value(nan, compare_abs) == "nan");
    CHECK(keras_metric_value(negative_nan, compare_abs) == "nan");  // printf would write "-nan"
    CHECK(keras_metric_value(inf, compare_abs) == "inf");
    CHECK(keras_metric_value(-inf, compare_abs) == "-inf");
  }
}

TEST_CASE("floats as Python's str() prints them (Keras's %s of a learning rate)") {
  CHECK(python_float(0.0) == "0.0");
  CHECK(python_float(2.0) == "2.0");
  CHECK(python_float(0.05) == "0.05");
  CHECK(python_float(0.0005000000237487257) == "0.0005000000237487257");
  CHECK(python_float(1e-05) == "1e-05");
  CHECK(python_float(9.999999310821295e-05) == "9.999999310821295e-05");
  CHECK(python_float(1e16) == "1e+16");
  CHECK(python_float(123456789.0) == "123456789.0");
  CHECK(python_float(-0.0) == "-0.0");
  CHECK(python_float(INFINITY) == "inf");
}
