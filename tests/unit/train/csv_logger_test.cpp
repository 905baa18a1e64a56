// The per-epoch log files. Keras 2.2.4's CSVLogger file (keras/callbacks.py
// l.1138-1225): a header of "epoch" and the sorted log keys, one row per epoch
// with the 0-based epoch, Python's csv line ends (CRLF), NA for a key an epoch
// lacks; written whole at every epoch's end, keeping the rows of a run it
// resumes; Keras's append mode. And --json-log's JSON Lines.
#include <catch2/catch.hpp>

#include <cmath>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "support/tiny_idx.h"
#include "train/csv_logger.h"
#include "train/json_logger.h"

using mlp::CsvLogger;
using mlp::Logs;

TEST_CASE("render: sorted keys, 0-based epochs, CRLF, float32's shortest text") {
  const std::vector<Logs> epochs{
      {{"loss", 0.0635}, {"acc", 0.5526}, {"val_loss", 0.0005}, {"val_acc", 0.8013}},
      {{"loss", 0.25}, {"acc", 1.0}, {"val_loss", 1e-7}, {"val_acc", 0.1}},
  };
  CHECK(CsvLogger::render(epochs) ==
        "epoch,acc,loss,val_acc,val_loss\r\n"
        "0,0.5526,0.0635,0.8013,0.0005\r\n"
        "1,1,0.25,0.1,1e-07\r\n");
}

TEST_CASE("render: a key missing from an epoch is NA; no epochs, no text") {
  const std::vector<Logs> epochs{{{"loss", 0.5}, {"val_loss", 0.75}}, {{"loss", 0.125}}};
  CHECK(CsvLogger::render(epochs) == "epoch,loss,val_loss\r\n0,0.5,0.75\r\n1,0.125,NA\r\n");
  CHECK(CsvLogger::render({}).empty());
}

TEST_CASE("render: numbered from a first epoch, with another separator, without the header") {
  const std::vector<Logs> epochs{{{"loss", 0.5}, {"acc", 0.25}}, {{"loss", 0.125}, {"acc", 0.75}}};
  CHECK(CsvLogger::render(epochs, 3, ";", true) == "epoch;acc;loss\r\n3;0.25;0.5\r\n4;0.75;0.125\r\n");
  CHECK(CsvLogger::render(epochs, 3, ",", false) == "3,0.25,0.5\r\n4,0.75,0.125\r\n");
}

TEST_CASE("on_epoch_end rewrites the file with every epoch so far, after the resumed run's rows") {
  mlp::test::TempDir dir;
  const std::string path = dir.path("log.csv");
  CsvLogger logger(path);
  const std::vector<Logs> earlier{{{"loss", 0.5}}};  // epoch 0 ran before a resume
  logger.on_train_begin({.first_epoch = 1, .epochs = 3, .earlier_epochs = &earlier});
  Logs second{{"loss", 0.25}};
  logger.on_epoch_end(1, second);
  CHECK(mlp::test::read_bytes(path) == "epoch,loss\r\n0,0.5\r\n1,0.25\r\n");
  Logs third{{"loss", 0.125}};
  logger.on_epoch_end(2, third);
  CHECK(mlp::test::read_bytes(path) == "epoch,loss\r\n0,0.5\r\n1,0.25\r\n2,0.125\r\n");
}

TEST_CASE("append keeps the file's text and adds this run's rows, with a header only into an empty file") {
  mlp::test::TempDir dir;
  const std::string path = dir.path("log.csv");
  const std::vector<Logs> none;
  {
    CsvLogger logger(path, ",", true);  // no file yet: a header first
    logger.on_train_begin({.first_epoch = 0, .epochs = 1, .earlier_epochs = &none});
    Logs logs{{"loss", 0.5}};
    logger.on_epoch_end(0, logs);
  }
  CHECK(mlp::test::read_bytes(path) == "epoch,loss\r\n0,0.5\r\n");
  const std::vector<Logs> earlier{{{"loss", 0.5}}};
  CsvLogger logger(path, ",", true);
  logger.on_train_begin({.first_epoch = 1, .epochs = 2, .earlier_epochs = &earlier});
  Logs logs{{"loss", 0.25}};
  logger.on_epoch_end(1, logs);
  CHECK(mlp::test::read_bytes(path) == "epoch,loss\r\n0,0.5\r\n1,0.25\r\n");
}

TEST_CASE("JSON log line: epoch, the logs in order, lr unless logged, seconds; null for what JSON cannot hold") {
  using mlp::JsonLogger;
  CHECK(JsonLogger::line(0, {{"loss", 0.0635}, {"acc", 0.5526}, {"val_loss", 0.0005}}, 0.01, 14.25) ==
        "{\"epoch\": 0, \"loss\": 0.0635, \"acc\": 0.5526, \"val_loss\": 0.0005, \"lr\": 0.01, \"seconds\": 14.250}\n");
  CHECK(JsonLogger::line(4, {{"loss", std::nan("")}, {"lr", 0.5}}, 0.01, -1.0) ==
        "{\"epoch\": 4, \"loss\": null, \"lr\": 0.5, \"seconds\": null}\n");
  const auto parsed = nlohmann::json::parse(JsonLogger::line(2, {{"a\"b", 1e-7}}, 0.25, 1.0));
  CHECK(parsed["a\"b"].get<double>() == Approx(1e-7));
}
