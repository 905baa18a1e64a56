// fit() semantics on a tiny synthetic set: Keras's split, sample-weighted epoch
// means, determinism, learning, resuming inside an epoch, stopping on NaN; and
// the gradient buckets of data-parallel steps (the MPI runs themselves are
// tests/mpi/mpi_test.sh).
#include <catch2/catch.hpp>

#include <atomic>
#include <cmath>
#include <numeric>
#include <set>

#include "config/config.h"
#include "core/error.h"
#include "support/random_matrices.h"
#include "support/tiny_idx.h"
#include "train/compiled.h"
#include "train/gradient_buckets.h"
#include "train/trainer.h"
#include "nn/losses.h"
#include "nn/metrics.h"

using namespace mlp;

namespace {

Config tiny_config(const std::string& optimizer_json, std::int64_t epochs, std::int64_t batch, double split) {
  Config config;
  config.model.input_shape = {4, 4};
  config.model.layers = Json::parse(R"([{"type": "Flatten"}, {"type": "Dense", "units": 8, "activation": "relu"},
                                        {"type": "Dropout", "rate": 0.25},
                                        {"type": "Dense", "units": 3, "activation": "softmax"}])");
  config.compile.loss = "categorical_crossentropy";
  config.compile.optimizer = Json::parse(optimizer_json);
  config.compile.metrics = {"acc"};
  config.fit.epochs = epochs;
  config.fit.batch_size = batch;
  config.fit.validation_split = split;
  config.fit.verbose = 0;
  return config;
}

struct Run {
  Compiled compiled;
  Dataset data;
  FitData fit_data;
  FitState state;

  Run(const Config& config, const test::TempDir& dir, std::size_t samples, std::uint64_t seed) {
    compiled = compile(config);
    const auto [images, labels] = test::write_banded_set(dir, "set", samples, 4, 4, 3, 11);
    data = load_dataset(images, labels, config.model.input_shape, 3);
    const std::size_t split = validation_split_at(data.size(), config.fit.validation_split);
    fit_data.source = {&data, compiled.preprocessing.scaling(), 3, {}};
    fit_data.train_samples = split;
    fit_data.validation = fit_data.source;
    for (std::size_t i = split; i < data.size(); ++i) fit_data.val_indices.push_back(static_cast<std::uint32_t>(i));
    state.seed = seed;
    Rng init = Rng::stream(seed, 1);
    compiled.model->init_params(init);
  }
  bool fit(const std::vector<Callback*>& callbacks = {}, const std::atomic<bool>* stop = nullptr) {
    return mlp::fit(*compiled.model, *compiled.optimizer, *compiled.objective, compiled.config.fit, fit_data, state,
                    callbacks, stop);
  }
  std::vector<double> evaluate_range(std::size_t begin, std::size_t end) {
    std::vector<std::uint32_t> indices(end - begin);
    std::iota(indices.begin(), indices.end(), static_cast<std::uint32_t>(begin));
    return mlp::evaluate(*compiled.model, *compiled.objective, fit_data.source, indices, 1000);
  }
};

struct BatchRecorder : Callback {
  std::vector<std::size_t> seen;
  void on_batch_end(std::size_t, BatchLogs& logs) override { seen.push_back(logs.seen); }
};

}  // namespace

TEST_CASE("validation_split takes int(N * (1 - split)) for training, as Keras") {
  CHECK(validation_split_at(60000, 0.2) == 48000);
  CHECK(validation_split_at(10, 0.25) == 7);  // int(7.5)
  CHECK(validation_split_at(3, 0.1) == 2);    // int(2.7)
  CHECK(validation_split_at(100, 0.0) == 100);
}

TEST_CASE("each epoch's order is a permutation, fixed by (seed, epoch)") {
  std::vector<std::uint32_t> a(50), b(50), c(50), plain(50);
  epoch_order(7, 0, true, a);
  epoch_order(7, 0, true, b);
  epoch_order(7, 1, true, c);
  epoch_order(7, 0, false, plain);
  CHECK(a == b);
  CHECK(a != c);
  CHECK(std::set<std::uint32_t>(a.begin(), a.end()).size() == 50);
  std::vector<std::uint32_t> identity(50);
  std::iota(identity.begin(), identity.end(), 0u);
  CHECK(plain == identity);
  CHECK(a != identity);
}

TEST_CASE("the epoch's loss is the sample-weighted mean over batches, validation is the last part") {
  test::TempDir dir;
  // Learning rate 0 keeps the weights fixed, so every batch sees the same model and
  // the weighted mean of batch means equals the mean over the training samples.
  // Dropout would change the training loss; it is off in a model without it.
  Config config = tiny_config(R"({"type": "sgd", "learning_rate": 0.0})", 1, 4, 0.25);
  config.model.layers.erase(2);
  Run run(config, dir, 13, 3);  // split_at = int(9.75) = 9: batches of 4, 4, 1
  BatchRecorder recorder;
  REQUIRE(run.fit({&recorder}));
  CHECK(recorder.seen == std::vector<std::size_t>{4, 8, 9});
  REQUIRE(run.state.history.size() == 1);
  const Logs& logs = run.state.history[0];
  REQUIRE(logs.size() == 4);
  CHECK(logs[0].first == "loss");
  CHECK(logs[1].first == "acc");
  CHECK(logs[2].first == "val_loss");
  CHECK(logs[3].first == "val_acc");
  const auto train = run.evaluate_range(0, 9);
  const auto val = run.evaluate_range(9, 13);
  CHECK(logs[0].second == Approx(train[0]).epsilon(1e-5));
  CHECK(logs[1].second == Approx(train[1]).epsilon(1e-5));
  CHECK(logs[2].second == Approx(val[0]).epsilon(1e-5));
  CHECK(logs[3].second == Approx(val[1]).epsilon(1e-5));
}

TEST_CASE("the same seed gives identical weights; another seed different ones") {
  test::TempDir dir;
  const Config config = tiny_config(R"("adam")", 2, 8, 0.2);
  Run a(config, dir, 60, 5), b(config, dir, 60, 5), c(config, dir, 60, 6);
  a.fit();
  b.fit();
  c.fit();
  CHECK(a.compiled.model->params() == b.compiled.model->params());
  CHECK(a.state.history == b.state.history);
  CHECK(a.compiled.model->params() != c.compiled.model->params());
}

TEST_CASE("a small network learns the banded classes") {
  test::TempDir dir;
  const Config config = tiny_config(R"("adam")", 15, 16, 0.2);
  Run run(config, dir, 400, 1);
  run.fit();
  const Logs& last = run.state.history.back();
  CHECK(last[3].first == "val_acc");
  CHECK(last[3].second > 0.9);
  CHECK(last[0].second < run.state.history.front()[0].second);
}

TEST_CASE("a run stopped inside an epoch and resumed ends with identical weights") {
  test::TempDir dir;
  const Config config = tiny_config(R"({"type": "sgd", "learning_rate": 0.05, "momentum": 0.9})", 3, 8, 0.2);
  Run whole(config, dir, 90, 21), parts(config, dir, 90, 21);
  whole.fit();

  struct StopAfter : Callback {
    std::atomic<bool>& stop;
    int batches;
    StopAfter(std::atomic<bool>& s, int n) : stop(s), batches(n) {}
    void on_batch_end(std::size_t, BatchLogs&) override {
      if (--batches == 0) stop = true;
    }
  };
  std::atomic<bool> stop{false};
  StopAfter stopper(stop, 13);  // 9 batches per epoch: stops inside the second epoch
  CHECK_FALSE(parts.fit({&stopper}, &stop));
  CHECK(parts.state.next_epoch == 1);
  CHECK(parts.state.next_batch == 4);
  stop = false;
  CHECK(parts.fit({}, &stop));
  CHECK(parts.compiled.model->params() == whole.compiled.model->params());
  CHECK(parts.state.history == whole.state.history);
}

TEST_CASE("a NaN loss stops training with a runtime error") {
  test::TempDir dir;
  Run run(tiny_config(R"("sgd")", 1, 8, 0.0), dir, 20, 2);
  auto& params = run.compiled.model->params();
  std::fill(params.begin(), params.end(), std::nanf(""));
  CHECK_THROWS_AS(run.fit(), RuntimeError);
}

TEST_CASE("a callback reaches the model and can stop training: the epoch ends there, without validation") {
  test::TempDir dir;
  Run run(tiny_config(R"("sgd")", 3, 4, 0.25), dir, 13, 3);  // 9 training samples: batches of 4, 4, 1
  struct StopAtSecondBatch : Callback {
    std::vector<std::size_t> batches;
    std::vector<Logs> epochs;
    void on_batch_end(std::size_t batch, BatchLogs&) override {
      REQUIRE(control_ != nullptr);
      CHECK(control_->model != nullptr);
      CHECK(control_->optimizer != nullptr);
      batches.push_back(batch);
      if (batch == 1) control_->stop_training = true;
    }
    void on_epoch_end(int, Logs& logs) override { epochs.push_back(logs); }
  } stopper;
  CHECK(run.fit({&stopper}));
  CHECK(stopper.batches == std::vector<std::size_t>{0, 1});
  REQUIRE(stopper.epochs.size() == 1);
  REQUIRE(run.state.history.size() == 1);
  const Logs& logs = run.state.history[0];
  REQUIRE(logs.size() == 2);  // loss and acc over the 8 samples seen, no val_ values
  CHECK(logs[0].first == "loss");
  CHECK(logs[1].first == "acc");
  CHECK(stopper.epochs[0] == logs);
  CHECK(run.state.next_epoch == 1);
  CHECK(run.state.next_batch == 0);
}

TEST_CASE("the epoch's means reach on_epoch_end first, then the validation values, for every callback") {
  test::TempDir dir;
  Run run(tiny_config(R"("adam")", 2, 8, 0.2), dir, 40, 4);
  struct Recorder : Callback {
    std::vector<Logs> epochs;
    std::vector<std::size_t> seen;
    void on_batch_end(std::size_t, BatchLogs& logs) override {
      REQUIRE(logs.running != nullptr);
      CHECK(logs.running->size() == logs.values.size());
      seen.push_back(logs.seen);
    }
    void on_epoch_end(int, Logs& logs) override { epochs.push_back(logs); }
  } recorder;
  REQUIRE(run.fit({&recorder}));
  CHECK(recorder.seen == std::vector<std::size_t>{8, 16, 24, 32, 8, 16, 24, 32});
  REQUIRE(recorder.epochs.size() == 2);
  CHECK(recorder.epochs == run.state.history);
  std::vector<std::string> names;
  for (const auto& entry : recorder.epochs[0]) names.push_back(entry.first);
  CHECK(names == std::vector<std::string>{"loss", "acc", "val_loss", "val_acc"});
}

namespace {

// Categorical cross-entropy of three samples, by hand, and the objective with acc.
Objective crossentropy_with_acc() {
  std::vector<Metric> metrics{resolve_metric("acc", "categorical_crossentropy", 3, "compile.metrics[0]")};
  return Objective(loss_table().find("categorical_crossentropy", "compile.loss").entry, std::move(metrics));
}

}  // namespace

TEST_CASE("class weights: Keras's weighted loss sum(w * loss) / count(w != 0), metrics unweighted") {
  Objective objective = crossentropy_with_acc();
  Matrix p(3, 3), y(3, 3);
  const float probabilities[9] = {0.7f, 0.2f, 0.1f, 0.6f, 0.3f, 0.1f, 0.1f, 0.1f, 0.8f};
  std::copy(probabilities, probabilities + 9, p.data());
  y.fill(0.0f);
  y(0, 0) = y(1, 1) = y(2, 2) = 1.0f;  // sample 1 is misclassified
  const std::vector<float> weights{2.0f, 0.0f, 1.0f};
  std::vector<double> means;
  objective.batch_means(p, y, means, weights);
  const double expected = (2.0 * -std::log(0.7) + 0.0 * -std::log(0.3) + 1.0 * -std::log(0.8)) / 2.0;
  CHECK(means[0] == Approx(expected).epsilon(1e-6));
  CHECK(means[1] == Approx(2.0 / 3.0));  // acc counts the zero-weighted sample
  objective.batch_means(p, y, means, std::vector<float>{0.0f, 0.0f, 0.0f});
  CHECK(means[0] == 0.0);  // nothing counted: no loss (Keras divides 0 by 0)
  objective.batch_means(p, y, means);
  CHECK(means[0] == Approx((-std::log(0.7) - std::log(0.3) - std::log(0.8)) / 3.0).epsilon(1e-6));
}

TEST_CASE("class weights: the gradient is the weighted loss's, by finite differences") {
  Objective objective = crossentropy_with_acc();
  Matrix p(3, 3), y(3, 3), dp;
  const float probabilities[9] = {0.5f, 0.3f, 0.2f, 0.25f, 0.45f, 0.3f, 0.2f, 0.3f, 0.5f};
  std::copy(probabilities, probabilities + 9, p.data());
  y.fill(0.0f);
  y(0, 0) = y(1, 2) = y(2, 1) = 1.0f;
  const std::vector<float> weights{2.5f, 0.0f, 0.5f};
  objective.gradient(p, y, dp, weights);
  std::vector<double> plus, minus;
  for (std::size_t i = 0; i < 9; ++i) {
    const float h = 1e-3f, saved = p.data()[i];
    p.data()[i] = saved + h;
    objective.batch_means(p, y, plus, weights);
    p.data()[i] = saved - h;
    objective.batch_means(p, y, minus, weights);
    p.data()[i] = saved;
    CHECK(dp.data()[i] == Approx((plus[0] - minus[0]) / (2.0 * h)).epsilon(2e-3).margin(1e-4));
  }
  CHECK(dp(1, 0) == 0.0f);  // a zero weight: no gradient
}

TEST_CASE("class weights in fit: the training loss is weighted, and the split's validation loss too") {
  test::TempDir dir;
  Config config = tiny_config(R"("sgd")", 1, 64, 0.25);
  Run plain(config, dir, 40, 5), weighted(config, dir, 40, 5);
  weighted.fit_data.source.class_weights = {1.0f, 0.0f, 0.0f};
  weighted.fit_data.validation = weighted.fit_data.source;
  plain.fit();
  weighted.fit();
  // Same samples, same dropout draws: only the weights make the step differ.
  CHECK(weighted.state.history[0][0].second != plain.state.history[0][0].second);
  CHECK(weighted.compiled.model->params() != plain.compiled.model->params());
  const auto val = weighted.state.history[0][2];
  REQUIRE(val.first == "val_loss");
  std::vector<std::uint32_t> val0;
  for (std::uint32_t i = 30; i < 40; ++i)
    if (weighted.data.labels[i] == 0) val0.push_back(i);
  REQUIRE(!val0.empty());
  BatchSource unweighted = weighted.fit_data.source;
  unweighted.class_weights.clear();
  const auto val_expected = mlp::evaluate(*weighted.compiled.model, *weighted.compiled.objective, unweighted, val0, 1000);
  // Weight 1 for class 0 and 0 for the others: the class-0 samples' plain mean.
  CHECK(val.second == Approx(val_expected[0]).epsilon(1e-5));
}

TEST_CASE("gradient buckets: whole layers from the last, each at least the minimum, the rest in the last bucket") {
  // Layer ranges in layer order: [0, 10) [10, 10) (no weights) [10, 14) [14, 40) [40, 41).
  const GradientRanges layers{{0, 10}, {10, 10}, {10, 14}, {14, 40}, {40, 41}};
  CHECK(plan_buckets(layers, 5) == GradientRanges{{14, 41}, {0, 14}});
  CHECK(plan_buckets(layers, 27) == GradientRanges{{14, 41}, {0, 14}});
  CHECK(plan_buckets(layers, 28) == GradientRanges{{10, 41}, {0, 10}});
  CHECK(plan_buckets(layers, 1) == GradientRanges{{40, 41}, {14, 40}, {10, 14}, {0, 10}});
  CHECK(plan_buckets(layers, 1000) == GradientRanges{{0, 41}});
  CHECK(plan_buckets({{0, 0}, {0, 0}}, 1).empty());
}

TEST_CASE("the backward pass reports each layer's gradients, last first, once they are final") {
  Model model({5}, Json::parse(R"([{"type": "Dense", "units": 6, "activation": "tanh"},
                                   {"type": "BatchNormalization"}, {"type": "Dropout", "rate": 0.0},
                                   {"type": "Dense", "units": 4, "activation": "relu"},
                                   {"type": "Dense", "units": 3, "activation": "softmax"}])"));
  Rng init(7);
  model.init_params(init);
  const Matrix x = test::random_matrix(9, 5, 1), dy = test::random_matrix(9, 3, 2);
  Rng dropout(3);
  model.forward(x, {.training = true, .dropout_rng = &dropout});
  std::vector<std::pair<std::size_t, std::size_t>> reported;
  std::vector<std::vector<float>> seen;  // each range's values when reported
  model.backward(x, dy, [&](std::size_t begin, std::size_t end) {
    reported.emplace_back(begin, end);
    seen.emplace_back(model.grads().begin() + static_cast<std::ptrdiff_t>(begin),
                      model.grads().begin() + static_cast<std::ptrdiff_t>(end));
  });
  // Dense 5x6+6, BatchNormalization's gamma and beta (its moving statistics are
  // not trainable), Dense 6x4+4, Dense 4x3+3: every trainable float exactly once.
  const std::size_t t = model.trainable_count();
  REQUIRE(t == 36 + 12 + 28 + 15);
  CHECK(reported == std::vector<std::pair<std::size_t, std::size_t>>{{t - 15, t}, {48, 76}, {36, 48}, {0, 36}});
  const std::vector<float> final_grads = model.grads();
  for (std::size_t k = 0; k < reported.size(); ++k)
    CHECK(std::equal(seen[k].begin(), seen[k].end(), final_grads.begin() + static_cast<std::ptrdiff_t>(reported[k].first)));
  // The model's own ranges give the same buckets.
  CHECK(plan_buckets(model.layer_param_ranges(), 1) == GradientRanges(reported.begin(), reported.end()));
}

TEST_CASE("gradient buckets scale every gradient once, whichever layers have reported") {
  // One process: the sums are the values themselves, so what is left is the
  // share's scaling, applied once per bucket when it starts.
  Collective& alone = Collective::world();
  REQUIRE_FALSE(alone.distributed());
  GradientBuckets buckets(alone, {{6, 10}, {2, 6}, {0, 2}});
  std::vector<float> grads(10);
  for (const auto& reports : {std::vector<std::size_t>{}, std::vector<std::size_t>{8}, std::vector<std::size_t>{6, 2, 0}}) {
    std::iota(grads.begin(), grads.end(), 1.0f);
    buckets.begin_step(grads, 0.5f);
    for (const std::size_t begin : reports) buckets.written(begin);
    buckets.finish();
    for (std::size_t k = 0; k < grads.size(); ++k) CHECK(grads[k] == 0.5f * static_cast<float>(k + 1));
  }
}
