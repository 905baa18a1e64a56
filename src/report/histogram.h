// A weight tensor's histogram for the report: equal-width bins over the range
// of its finite values, drawn as SVG bars. The counts and the range are carried
// in data- attributes, so a test can check the drawing against the tensor.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace mlp {

struct Histogram {
  double low = 0, high = 0;           // the range the bins split evenly (widened when all values are equal)
  std::vector<std::uint64_t> counts;  // bin k holds low + k w <= v < low + (k + 1) w; the last one includes high
  std::uint64_t non_finite = 0;       // NaN and infinities, outside every bin
  double min = 0, max = 0, mean = 0, stddev = 0;  // of the finite values
};

Histogram histogram(std::span<const float> values, std::size_t bins = 30);

// `title` names the tensor ("dense_1/kernel"); `note` goes under it ("784 x 100").
std::string histogram_svg(const Histogram& h, const std::string& title, const std::string& note);

}  // namespace mlp
