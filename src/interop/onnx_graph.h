// An ONNX model (onnx/onnx.proto: IR version 7, the default domain at opset 13)
// built node by node and encoded as a ModelProto. Values are named; each node
// has one output, named after the value it computes.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "interop/protobuf_writer.h"

namespace mlp::onnx {

inline constexpr std::int64_t ir_version = 7;
inline constexpr std::int64_t opset = 13;

struct Attribute {
  std::string name;
  std::variant<std::int64_t, float, std::vector<std::int64_t>> value;
};

class Graph {
 public:
  explicit Graph(std::string name) : name_(std::move(name)) {}

  // A float32 initializer; returns its name.
  std::string weights(const std::string& name, const std::vector<std::int64_t>& dims, std::span<const float> values);
  // An int64 initializer (shapes for Reshape); returns its name.
  std::string int64s(const std::string& name, std::span<const std::int64_t> values);
  // A node computing `output` from `inputs`; returns output.
  std::string node(const std::string& op_type, const std::vector<std::string>& inputs, const std::string& output,
                   const std::vector<Attribute>& attributes = {});

  // The graph's float32 input and output; a dimension below 0 is the batch's, named "N".
  void input(const std::string& name, const std::vector<std::int64_t>& dims);
  void output(const std::string& name, const std::vector<std::int64_t>& dims);

  // The ModelProto's bytes.
  std::string model(const std::string& producer_version, const std::string& doc) const;

 private:
  std::string name_;
  std::vector<protobuf::Writer> nodes_, initializers_, inputs_, outputs_;
};

}  // namespace mlp::onnx
