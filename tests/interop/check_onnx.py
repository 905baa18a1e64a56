"""onnx.checker.check_model(full_check=True) on an exported model: the ONNX
project's own validation of the protobuf, the graph, the operators at opset 13,
and (full_check) shape inference. Usage (Debian's python3-onnx):
/usr/bin/python3 check_onnx.py MODEL.onnx"""
import sys

import onnx

model = onnx.load(sys.argv[1])
onnx.checker.check_model(model, full_check=True)
assert model.ir_version == 7, model.ir_version
assert [(o.domain, o.version) for o in model.opset_import] == [('', 13)], model.opset_import
dims = model.graph.input[0].type.tensor_type.shape.dim
assert dims[0].dim_param == 'N', 'the batch dimension is not symbolic'
print('%s: onnx.checker full_check passed (%d nodes)' % (sys.argv[1], len(model.graph.node)))
