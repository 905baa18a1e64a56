// The test loop (keras@2.2.4:keras/engine/training_arrays.py test_loop): the whole
// set in batches, inference mode, each batch's values weighted by its size. Used by
// fit's validation and by mlp-eval.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "core/collective.h"
#include "data/dataset.h"
#include "nn/model.h"
#include "train/objective.h"

namespace mlp {

struct BatchSource {
  const Dataset* data = nullptr;
  InputScaling scale;
  std::size_t classes = 0;
  // fit.class_weight's weight of each label; empty: the loss is unweighted.
  std::vector<float> class_weights;

  // The weights of the samples `batch` (into `buffer`), or an empty span when unweighted.
  std::span<const float> weights_of(std::span<const std::uint32_t> batch, std::vector<float>& buffer) const;
};

// The batch size to run inference at: `wanted`, lowered (to 1 at least) so
// that the layers' buffers stay within 128 MiB. A CNN's feature maps take a
// megabyte or more per sample, an MLP's a few kilobytes: results are the same
// at any batch size, memory is not.
std::size_t inference_batch(const Model& model, std::size_t wanted);

// Returns [loss, metric...] over `indices` (the loss weighted when the source is). The loss includes the regularizers'
// penalty, as Keras's test function returns total_loss. `on_batch` (optional) sees
// each batch's predictions, for reports and CSV output.
std::vector<double> evaluate(Model& model, Objective& objective, const BatchSource& source,
                             std::span<const std::uint32_t> indices, std::size_t batch_size,
                             const std::function<void(std::span<const std::uint32_t>, const Matrix&)>& on_batch = {});

// evaluate() with `indices` shared out over the ranks of `team` (data-parallel
// runs): each rank evaluates its part (`on_batch` sees that part only), and
// every rank returns the values over all of them, its part's weighted by its
// share of the samples.
std::vector<double> evaluate_shared(Collective& team, Model& model, Objective& objective, const BatchSource& source,
                                    std::span<const std::uint32_t> indices, std::size_t batch_size,
                                    const std::function<void(std::span<const std::uint32_t>, const Matrix&)>& on_batch = {});

}  // namespace mlp
