"""Reads an HDF5 model file the way Keras 2.2.4's load_model does
(keras@2.2.4:keras/engine/saving.py: load_model -> model_from_config ->
load_weights_from_hdf5_group), with h5py and numpy instead of Keras (which this
machine does not have), and runs the model's forward pass in numpy (float64) by
Keras's layer definitions on the first COUNT images of an IDX file, scaled as the
file's mlp_preprocessing says (pixels / 255 without it). Prints one CSV row of outputs per sample.
Any departure from the layout Keras reads (a missing attribute, a layer count or
weight count that differs, a weight of the wrong shape or dtype) is an error,
with Keras's own message where it has one.
Usage: /usr/bin/python3 keras_h5_predict.py MODEL.h5 IMAGES-idx3-ubyte|FEATURES.f32 COUNT
(FEATURES.f32: raw little-endian float32 features, as the training data held them)"""
import json
import sys

import h5py
import numpy as np


def fail(message):
    sys.exit('keras_h5_predict: ' + message)


def text(value):
    return value.decode('utf8') if isinstance(value, bytes) else str(value)


def attribute_names(group, name):
    # saving.py load_attributes_from_hdf5_group: the list, or its chunks name0, name1, ...
    if name in group.attrs:
        return [text(n) for n in group.attrs[name]]
    fail('%s has no attribute %s' % (group.name, name))


# ---- Keras 2.2.4's definitions (keras/activations.py, layers/*.py, TF backend) ----
def sigmoid(x):
    return 1 / (1 + np.exp(-x))


ACTIVATIONS = {
    'linear': lambda x: x,
    'relu': lambda x: np.maximum(x, 0),
    'sigmoid': sigmoid,
    'tanh': np.tanh,
    'elu': lambda x: np.where(x > 0, x, np.expm1(np.minimum(x, 0))),
    'selu': lambda x: 1.0507009873554804934193349852946 * np.where(
        x > 0, x, 1.6732632423543772848170429916717 * np.expm1(np.minimum(x, 0))),
    'softplus': lambda x: np.logaddexp(0, x),
    'softsign': lambda x: x / (1 + np.abs(x)),
    'hard_sigmoid': lambda x: np.clip(0.2 * x + 0.5, 0, 1),
    'swish': lambda x: x * sigmoid(x),
    'gelu': lambda x: 0.5 * x * (1 + np.vectorize(__import__('math').erf)(x / np.sqrt(2))),
}


def softmax(x, axis=-1):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def activation(name):
    if name == 'softmax':
        return softmax
    if name not in ACTIVATIONS:
        fail('unknown activation %r' % name)
    return ACTIVATIONS[name]


def pair(v):
    return tuple(v) if isinstance(v, (list, tuple)) else (v, v)


def windows(size, kernel, stride, dilation, padding):
    # conv_utils.conv_output_length and TensorFlow's padding split (smaller half first).
    span = (kernel - 1) * dilation + 1
    if padding == 'same':
        out = -(-size // stride)
        total = max((out - 1) * stride + span - size, 0)
        return out, total // 2, total - total // 2
    return (size - span) // stride + 1, 0, 0


def conv2d(x, kernel, bias, c):
    kh, kw = kernel.shape[:2]
    (sh, sw), (dh, dw) = pair(c['strides']), pair(c['dilation_rate'])
    oh, top, bottom = windows(x.shape[1], kh, sh, dh, c['padding'])
    ow, left, right = windows(x.shape[2], kw, sw, dw, c['padding'])
    x = np.pad(x, ((0, 0), (top, bottom), (left, right), (0, 0)))
    y = np.zeros((x.shape[0], oh, ow, kernel.shape[3]))
    for i in range(kh):
        for j in range(kw):
            patch = x[:, i * dh:i * dh + sh * (oh - 1) + 1:sh, j * dw:j * dw + sw * (ow - 1) + 1:sw, :]
            y += patch @ kernel[i, j]
    if bias is not None:
        y += bias
    return activation(c['activation'])(y)


def pooling(x, c, kind):
    (ph, pw), (sh, sw) = pair(c['pool_size']), pair(c['strides'])
    oh, top, bottom = windows(x.shape[1], ph, sh, 1, c['padding'])
    ow, left, right = windows(x.shape[2], pw, sw, 1, c['padding'])
    fill = -np.inf if kind == 'max' else 0.0
    xp = np.pad(x, ((0, 0), (top, bottom), (left, right), (0, 0)), constant_values=fill)
    ones = np.pad(np.ones(x.shape[1:3]), ((top, bottom), (left, right)))
    out = np.full((x.shape[0], oh, ow, x.shape[3]), fill)
    count = np.zeros((oh, ow))
    for i in range(ph):
        for j in range(pw):
            patch = xp[:, i:i + sh * (oh - 1) + 1:sh, j:j + sw * (ow - 1) + 1:sw, :]
            out = np.maximum(out, patch) if kind == 'max' else out + patch
            count += ones[i:i + sh * (oh - 1) + 1:sh, j:j + sw * (ow - 1) + 1:sw]
    # TensorFlow's average leaves the padding out of each window's count.
    return out if kind == 'max' else out / count[None, :, :, None]


def expected_weights(cls, c, shape):
    """The shapes of a layer's weights (layer.weights order) for input `shape` (no batch)."""
    if cls == 'Dense':
        return [(shape[-1], c['units'])] + ([(c['units'],)] if c['use_bias'] else [])
    if cls == 'Conv2D':
        kh, kw = pair(c['kernel_size'])
        return [(kh, kw, shape[-1], c['filters'])] + ([(c['filters'],)] if c['use_bias'] else [])
    if cls == 'BatchNormalization':
        n = int(c['scale']) + int(c['center']) + 2
        return [(shape[-1],)] * n
    if cls == 'PReLU':
        alpha = list(shape)
        for axis in c.get('shared_axes') or []:
            alpha[axis - 1] = 1
        return [tuple(alpha)]
    return []


def build(cls, c, weights, shape):
    """(forward function, output shape) for one layer."""
    if cls == 'Dense':
        kernel, bias = weights[0], (weights[1] if c['use_bias'] else None)
        return (lambda x: activation(c['activation'])(x @ kernel + (0 if bias is None else bias))), (c['units'],)
    if cls in ('Dropout',):
        return (lambda x: x), shape
    if cls == 'Activation':
        return activation(c['activation']), shape
    if cls == 'Flatten':
        return (lambda x: x.reshape(x.shape[0], -1)), (int(np.prod(shape)),)
    if cls == 'Reshape':
        target = list(c['target_shape'])
        if -1 in target:
            target[target.index(-1)] = int(np.prod(shape)) // -int(np.prod(target))
        return (lambda x: x.reshape((x.shape[0],) + tuple(target))), tuple(target)
    if cls == 'Conv2D':
        kernel, bias = weights[0], (weights[1] if c['use_bias'] else None)
        f = lambda x: conv2d(x, kernel, bias, c)  # noqa: E731
        return f, f(np.zeros((1,) + tuple(shape))).shape[1:]
    if cls in ('MaxPooling2D', 'AveragePooling2D'):
        f = lambda x: pooling(x, c, 'max' if cls == 'MaxPooling2D' else 'avg')  # noqa: E731
        return f, f(np.zeros((1,) + tuple(shape))).shape[1:]
    if cls == 'GlobalAveragePooling2D':
        return (lambda x: x.mean(axis=(1, 2))), (shape[-1],)
    if cls == 'GlobalMaxPooling2D':
        return (lambda x: x.max(axis=(1, 2))), (shape[-1],)
    if cls == 'BatchNormalization':
        w = list(weights)
        gamma = w.pop(0) if c['scale'] else 1.0
        beta = w.pop(0) if c['center'] else 0.0
        mean, var = w
        return (lambda x: (x - mean) / np.sqrt(var + c['epsilon']) * gamma + beta), shape
    if cls == 'LeakyReLU':
        return (lambda x: np.where(x > 0, x, c['alpha'] * x)), shape
    if cls == 'PReLU':
        alpha = weights[0]
        return (lambda x: np.maximum(x, 0) - alpha * np.maximum(-x, 0)), shape
    if cls == 'ELU':
        return (lambda x: np.where(x > 0, x, c['alpha'] * np.expm1(np.minimum(x, 0)))), shape
    if cls == 'ThresholdedReLU':
        return (lambda x: x * (x > c['theta'])), shape
    if cls == 'Softmax':
        return (lambda x: softmax(x, c['axis'])), shape
    fail('unknown layer class %r' % cls)


def main():
    path, images, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    f = h5py.File(path, 'r')
    # load_model: "if model_config is None: raise ValueError('No model found in config file.')"
    if 'model_config' not in f.attrs:
        fail('No model found in config file.')
    config = json.loads(text(f.attrs['model_config']))
    # training_config is optional: without it Keras warns and leaves the model uncompiled.
    if 'training_config' in f.attrs:
        json.loads(text(f.attrs['training_config']))
    if config['class_name'] != 'Sequential':
        fail('model class %r' % config['class_name'])
    # tf.keras lists an InputLayer first: the input shape, no computation.
    layers = [l for l in config['config']['layers'] if l['class_name'] != 'InputLayer']
    if layers and 'batch_input_shape' not in layers[0]['config']:
        layers[0]['config']['batch_input_shape'] = config['config']['layers'][0]['config']['batch_input_shape']
    first = layers[0]['config']
    if 'batch_input_shape' not in first:
        fail('the first layer has no batch_input_shape')
    shape = tuple(first['batch_input_shape'][1:])
    input_shape = shape

    # load_weights_from_hdf5_group, step by step.
    if 'model_weights' not in f:
        fail('the file has no model_weights group')
    g = f['model_weights']
    layer_names = attribute_names(g, 'layer_names')
    filtered_layer_names = []
    for name in layer_names:
        if name not in g:
            fail('layer_names lists %s, which model_weights does not hold' % name)
        if len(attribute_names(g[name], 'weight_names')) > 0:
            filtered_layer_names.append(name)
    shapes, expected = [], []
    for layer in layers:
        shapes.append(shape)
        weights = expected_weights(layer['class_name'], layer['config'], shape)
        if weights:
            expected.append((layer['config']['name'], weights))
        _, shape = build(layer['class_name'], layer['config'],
                         [np.zeros(s) for s in weights], shape)
    if len(filtered_layer_names) != len(expected):
        fail('You are trying to load a weight file containing %d layers into a model with %d layers.' %
             (len(filtered_layer_names), len(expected)))
    loaded = {}
    for k, name in enumerate(filtered_layer_names):
        group = g[name]
        weight_names = attribute_names(group, 'weight_names')
        values = []
        for w in weight_names:
            if w not in group:
                fail('%s lists weight %s, which it does not hold' % (name, w))
            if group[w].dtype != np.float32:
                fail('%s/%s is %s, not float32' % (name, w, group[w].dtype))
            values.append(np.asarray(group[w], dtype=np.float64))
        layer_name, shapes_expected = expected[k]
        if len(values) != len(shapes_expected):
            fail('Layer #%d (named "%s" in the current model) was found to correspond to layer %s in the save '
                 'file. However the new layer %s expects %d weights, but the saved weights have %d elements.' %
                 (k, layer_name, name, layer_name, len(shapes_expected), len(values)))
        for w, v, s in zip(weight_names, values, shapes_expected):
            if tuple(v.shape) != tuple(s):  # K.batch_set_value: TensorFlow's assign refuses another shape
                fail('%s: shape %s, the layer needs %s' % (w, v.shape, s))
        loaded[layer_name] = values

    # mlp's exports record what mlp does to the input (mlp_preprocessing: bytes
    # through input_range, then data.normalize's shift and scale); a Keras model
    # from elsewhere takes pixels / 255.
    prep = json.loads(text(f.attrs['mlp_preprocessing'])) if 'mlp_preprocessing' in f.attrs else {}
    low, high = prep.get('input_range', (0.0, 1.0))
    size = count * int(np.prod(input_shape))
    if images.endswith('.f32'):
        x = np.fromfile(images, dtype='<f4', count=size).reshape((count,) + input_shape)
    else:
        x = np.fromfile(images, dtype=np.uint8, offset=16, count=size).reshape((count,) + input_shape).astype(np.float32)
    if prep.get('inputs', 'bytes') == 'bytes':
        x = x / np.float32(255.0 / (high - low)) + np.float32(low)
    if 'shift' in prep:
        x = (x - np.asarray(prep['shift'], np.float32).reshape(input_shape)) * np.asarray(prep['scale'], np.float32).reshape(input_shape)
    x = x.astype(np.float64)
    for layer, s in zip(layers, shapes):
        forward, _ = build(layer['class_name'], layer['config'], loaded.get(layer['config']['name'], []), s)
        x = forward(x)
    for row in x.reshape(count, -1):
        print(','.join(repr(float(v)) for v in row))


main()
