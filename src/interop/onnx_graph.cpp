#include "interop/onnx_graph.h"

#include <cstring>

namespace mlp::onnx {
namespace {

// Field numbers and enums of onnx/onnx.proto (ONNX 1.12).
namespace field {
constexpr int model_ir_version = 1, model_producer_name = 2, model_producer_version = 3, model_doc = 6,
              model_graph = 7, model_opset_import = 8;
constexpr int opset_domain = 1, opset_version = 2;
constexpr int graph_node = 1, graph_name = 2, graph_initializer = 5, graph_input = 11, graph_output = 12;
constexpr int node_input = 1, node_output = 2, node_name = 3, node_op_type = 4, node_attribute = 5;
constexpr int attribute_name = 1, attribute_f = 2, attribute_i = 3, attribute_ints = 8, attribute_type = 20;
constexpr int tensor_dims = 1, tensor_data_type = 2, tensor_name = 8, tensor_raw_data = 9;
constexpr int value_name = 1, value_type = 2;
constexpr int type_tensor = 1, tensor_type_elem = 1, tensor_type_shape = 2;
constexpr int shape_dim = 1, dim_value = 1, dim_param = 2;
}  // namespace field
constexpr int attribute_float = 1, attribute_int = 2, attribute_ints = 7;
constexpr int data_float = 1, data_int64 = 7;

protobuf::Writer tensor(const std::string& name, const std::vector<std::int64_t>& dims, int data_type,
                        const void* data, std::size_t bytes) {
  protobuf::Writer t;
  t.packed_varints(field::tensor_dims, dims);
  t.signed_varint(field::tensor_data_type, data_type);
  t.bytes(field::tensor_name, name);
  // raw_data is little-endian, as this machine's floats are (protobuf_writer checks).
  t.bytes(field::tensor_raw_data, std::string_view(static_cast<const char*>(data), bytes));
  return t;
}

protobuf::Writer value_info(const std::string& name, const std::vector<std::int64_t>& dims) {
  protobuf::Writer shape;
  for (const std::int64_t d : dims) {
    protobuf::Writer dim;
    if (d < 0) dim.bytes(field::dim_param, "N");
    else dim.signed_varint(field::dim_value, d);
    shape.message(field::shape_dim, dim);
  }
  protobuf::Writer tensor_type;
  tensor_type.varint(field::tensor_type_elem, data_float);
  tensor_type.message(field::tensor_type_shape, shape);
  protobuf::Writer type;
  type.message(field::type_tensor, tensor_type);
  protobuf::Writer info;
  info.bytes(field::value_name, name);
  info.message(field::value_type, type);
  return info;
}

}  // namespace

std::string Graph::weights(const std::string& name, const std::vector<std::int64_t>& dims,
                           std::span<const float> values) {
  initializers_.push_back(tensor(name, dims, data_float, values.data(), values.size_bytes()));
  return name;
}

std::string Graph::int64s(const std::string& name, std::span<const std::int64_t> values) {
  initializers_.push_back(
      tensor(name, {static_cast<std::int64_t>(values.size())}, data_int64, values.data(), values.size_bytes()));
  return name;
}

std::string Graph::node(const std::string& op_type, const std::vector<std::string>& inputs,
                        const std::string& output, const std::vector<Attribute>& attributes) {
  protobuf::Writer n;
  for (const auto& in : inputs) n.bytes(field::node_input, in);
  n.bytes(field::node_output, output);
  n.bytes(field::node_name, output);
  n.bytes(field::node_op_type, op_type);
  for (const auto& a : attributes) {
    protobuf::Writer attribute;
    attribute.bytes(field::attribute_name, a.name);
    if (const auto* i = std::get_if<std::int64_t>(&a.value)) {
      attribute.signed_varint(field::attribute_i, *i);
      attribute.varint(field::attribute_type, attribute_int);
    } else if (const auto* f = std::get_if<float>(&a.value)) {
      attribute.fixed32(field::attribute_f, *f);
      attribute.varint(field::attribute_type, attribute_float);
    } else {
      attribute.packed_varints(field::attribute_ints, std::get<std::vector<std::int64_t>>(a.value));
      attribute.varint(field::attribute_type, attribute_ints);
    }
    n.message(field::node_attribute, attribute);
  }
  nodes_.push_back(std::move(n));
  return output;
}

void Graph::input(const std::string& name, const std::vector<std::int64_t>& dims) {
  inputs_.push_back(value_info(name, dims));
}

void Graph::output(const std::string& name, const std::vector<std::int64_t>& dims) {
  outputs_.push_back(value_info(name, dims));
}

std::string Graph::model(const std::string& producer_version, const std::string& doc) const {
  protobuf::Writer graph;
  for (const auto& n : nodes_) graph.message(field::graph_node, n);
  graph.bytes(field::graph_name, name_);
  for (const auto& t : initializers_) graph.message(field::graph_initializer, t);
  for (const auto& v : inputs_) graph.message(field::graph_input, v);
  for (const auto& v : outputs_) graph.message(field::graph_output, v);
  protobuf::Writer opset_import;
  opset_import.bytes(field::opset_domain, "");
  opset_import.signed_varint(field::opset_version, opset);
  protobuf::Writer model;
  model.signed_varint(field::model_ir_version, ir_version);
  model.bytes(field::model_producer_name, "mlp");
  model.bytes(field::model_producer_version, producer_version);
  model.bytes(field::model_doc, doc);
  model.message(field::model_graph, graph);
  model.message(field::model_opset_import, opset_import);
  return model.data();
}

}  // namespace mlp::onnx
