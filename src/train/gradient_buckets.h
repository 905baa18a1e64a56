// The gradients of one data-parallel step, summed over the ranks in buckets
// that start as soon as the backward pass has written them (as PyTorch's
// DistributedDataParallel does): the last layers' gradients travel while the
// first layers' backward runs. A bucket is a run of whole layers, last layer
// first, of at least min_floats floats (the rest goes in the last bucket), so a
// message's fixed cost stays small beside its transfer. Every rank has the same
// model, so the same buckets, started in the same order.
#pragma once

#include <cstddef>
#include <span>
#include <utility>
#include <vector>

#include "core/collective.h"

namespace mlp {

// [begin, end) ranges of the gradient arena.
using GradientRanges = std::vector<std::pair<std::size_t, std::size_t>>;

// 1 MiB, the size of PyTorch DDP's first bucket: at 10 Gb/s its transfer (0.8 ms)
// outweighs a message's start (about 10 us, a ring of N ranks paying it
// 2 (N - 1) times); smaller buckets would hide little and add that cost.
constexpr std::size_t default_bucket_floats = std::size_t{1} << 18;

// The buckets, in the order they start, from each layer's range in layer order
// (Model::layer_param_ranges; empty ranges are layers without weights).
GradientRanges plan_buckets(const GradientRanges& layer_ranges, std::size_t min_floats = default_bucket_floats);

class GradientBuckets {
 public:
  GradientBuckets(Collective& team, GradientRanges buckets) : team_(team), buckets_(std::move(buckets)) {}

  // A step: `grads` will be scaled by `scale` (this rank's share of the batch)
  // and summed, bucket by bucket.
  void begin_step(std::span<float> grads, float scale);
  // The gradients from `begin` to the end are written (the backward pass has
  // passed the layer starting there): starts every bucket now complete.
  void written(std::size_t begin);
  // Starts the buckets not started yet (all of them for a rank without rows in
  // this batch) and waits for every sum.
  void finish();

 private:
  void start_next();

  Collective& team_;
  GradientRanges buckets_;
  std::span<float> grads_;
  float scale_ = 1.0f;
  std::size_t next_ = 0;  // the first bucket not started
};

}  // namespace mlp
