#include "train/gradient_buckets.h"

namespace mlp {

GradientRanges plan_buckets(const GradientRanges& layer_ranges, std::size_t min_floats) {
  GradientRanges buckets;
  std::size_t begin = 0, end = 0;  // the bucket being filled, [begin, end), empty when begin == end
  for (auto layer = layer_ranges.rbegin(); layer != layer_ranges.rend(); ++layer) {
    if (layer->first == layer->second) continue;
    if (begin == end) end = layer->second;
    begin = layer->first;
    if (end - begin >= min_floats) {
      buckets.emplace_back(begin, end);
      end = begin;
    }
  }
  if (begin != end) buckets.emplace_back(begin, end);
  return buckets;
}

void GradientBuckets::begin_step(std::span<float> grads, float scale) {
  grads_ = grads;
  scale_ = scale;
  next_ = 0;
}

void GradientBuckets::written(std::size_t begin) {
  // Layers come last to first, so a bucket is complete once its first layer is.
  while (next_ < buckets_.size() && buckets_[next_].first >= begin) start_next();
}

void GradientBuckets::finish() {
  while (next_ < buckets_.size()) start_next();
  team_.wait_all();
}

void GradientBuckets::start_next() {
  const auto [begin, end] = buckets_[next_++];
  const std::span<float> bucket = grads_.subspan(begin, end - begin);
  if (scale_ != 1.0f)
    for (float& g : bucket) g *= scale_;
  team_.start_sum(bucket.data(), bucket.size());
}

}  // namespace mlp
