// The console lines of fit() against Keras 2.2.4's Progbar rules, worked out by
// hand for a 100-sample epoch with a fake clock.
#include <catch2/catch.hpp>

#include <sstream>

#include "train/progbar_logger.h"

using namespace mlp;

namespace {

struct FakeClock {
  double now = 1000.0;
  ProgbarLogger::Clock fn() {
    return [this] { return now; };
  }
};

const Logs running{{"loss", 0.5}, {"acc", 0.25}};

// on_epoch_end may add to the logs it is given (as Keras's callbacks do): a copy.
void end_epoch(ProgbarLogger& logger, int epoch, Logs logs) { logger.on_epoch_end(epoch, logs); }
const Logs epoch_end{{"loss", 0.0635}, {"acc", 0.5526}, {"val_loss", 0.0005}, {"val_acc", 0.8013}};

}  // namespace

TEST_CASE("verbose 2: the Train on line, Epoch k/N and one line per epoch") {
  std::ostringstream out;
  FakeClock clock;
  ProgbarLogger logger(out, 2, false, clock.fn());
  logger.on_train_begin({100, 20, 0, 3});
  logger.on_epoch_begin(0);
  clock.now += 0.5;
  logger.update(32, running);
  clock.now += 13.7;
  logger.update(100, running);
  end_epoch(logger, 0, epoch_end);
  // 14.2 s elapsed; val_loss 0.0005 is below 1e-3, so scientific.
  CHECK(out.str() ==
        "Train on 100 samples, validate on 20 samples\n"
        "Epoch 1/3\n"
        " - 14s - loss: 0.0635 - acc: 0.5526 - val_loss: 5.0000e-04 - val_acc: 0.8013\n");
}

TEST_CASE("no validation: no Train on line (Keras 2.2.4 prints it only with validation)") {
  std::ostringstream out;
  FakeClock clock;
  ProgbarLogger logger(out, 2, false, clock.fn());
  logger.on_train_begin({100, 0, 0, 1});
  logger.on_epoch_begin(0);
  end_epoch(logger, 0, {{"loss", 0.25}});
  CHECK(out.str() == "Epoch 1/1\n - 0s - loss: 0.2500\n");
}

TEST_CASE("verbose 0 prints nothing") {
  std::ostringstream out;
  ProgbarLogger logger(out, 0, false);
  logger.on_train_begin({100, 20, 0, 1});
  logger.on_epoch_begin(0);
  logger.update(32, running);
  end_epoch(logger, 0, epoch_end);
  CHECK(out.str().empty());
}

TEST_CASE("verbose 1 without a terminal: each update on a line of its own") {
  std::ostringstream out;
  FakeClock clock;
  ProgbarLogger logger(out, 1, false, clock.fn());
  logger.on_train_begin({100, 20, 0, 2});
  logger.on_epoch_begin(1);
  clock.now += 0.1;
  logger.update(32, running);  // drawn: the first update always is
  clock.now += 0.02;
  logger.update(64, running);  // skipped: 0.02 s < 0.05 s since the last
  clock.now += 0.38;
  logger.update(96, running);  // drawn
  clock.now += 0.5;
  logger.update(100, running);  // the last batch waits for on_epoch_end
  end_epoch(logger, 1, epoch_end);
  // 32/100: int(30 * .32) = 9 -> 8 '=' and '>' then 21 '.'; ETA = 0.1/32 * 68 = 0.21 s.
  // 96/100 at 0.5 s: int(28.8) = 28; ETA = 0.5/96 * 4 = 0.02 s.
  // 100/100 at 1.0 s: 10 ms per sample.
  CHECK(out.str() ==
        "Train on 100 samples, validate on 20 samples\n"
        "Epoch 2/2\n"
        "\n 32/100 [========>.....................] - ETA: 0s - loss: 0.5000 - acc: 0.2500"
        "\n 96/100 [===========================>..] - ETA: 0s - loss: 0.5000 - acc: 0.2500"
        "\n100/100 [==============================] - 1s 10ms/step - loss: 0.0635 - acc: 0.5526"
        " - val_loss: 5.0000e-04 - val_acc: 0.8013\n");
}

TEST_CASE("verbose 1 on a terminal: redrawn in place with backspaces and a carriage return") {
  std::ostringstream out;
  FakeClock clock;
  ProgbarLogger logger(out, 1, true, clock.fn());
  logger.on_train_begin({100, 0, 0, 1});
  logger.on_epoch_begin(0);
  clock.now += 0.1;
  logger.update(50, {{"loss", 0.125}, {"acc", 0.5}});
  clock.now += 0.1;
  logger.update(100, {{"loss", 0.5}});
  end_epoch(logger, 0, {{"loss", 0.5}});
  const std::string first = " 50/100 [==============>...............] - ETA: 0s - loss: 0.1250 - acc: 0.5000";
  const std::string last = "100/100 [==============================] - 0s 2ms/step - loss: 0.5000";
  // The final line is shorter than the first: padded with spaces to cover it.
  REQUIRE(last.size() < first.size());
  CHECK(out.str() == "Epoch 1/1\n\r" + first + std::string(first.size(), '\b') + "\r" + last +
                         std::string(first.size() - last.size(), ' ') + "\n");
}
