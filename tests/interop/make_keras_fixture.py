"""Writes Keras model files with h5py exactly as Keras 2.2.4's save_model lays
them out (keras@2.2.4:keras/engine/saving.py: save_model l.27-172,
save_weights_to_hdf5_group l.561-589, save_attributes_to_hdf5_group l.495-557),
for mlp-import's tests on a machine without Keras, and damaged variants of one:
  keras224_cnn.h5     Keras 2.2.4 names and layout: root attrs keras_version,
                      backend, model_config (json.dumps of {"class_name",
                      "config"}), training_config; group model_weights with
                      layer_names (numpy's array of bytes: fixed-length strings)
                      and per layer a group with weight_names and the datasets
                      <layer>/<weight>:0; random float32 weights (seeded).
  tf_keras_mlp.h5     tf.keras 2.x's Sequential layout: an InputLayer entry,
                      GlorotUniform objects, zero-based names, no training_config.
  bad_*.h5            one fault each (see FAULTS).
Usage: /usr/bin/python3 make_keras_fixture.py FOLDER"""
import json
import os
import sys

import h5py
import numpy as np

out = sys.argv[1]
rng = np.random.default_rng(12)


def glorot(shape):
    fan_in = int(np.prod(shape[:-1]))
    fan_out = shape[-1] * (int(np.prod(shape[:-2])) if len(shape) == 4 else 1)
    limit = np.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-limit, limit, shape).astype(np.float32)


def initializer(name):
    if name == 'zeros':
        return {'class_name': 'Zeros', 'config': {}}
    if name == 'ones':
        return {'class_name': 'Ones', 'config': {}}
    return {'class_name': 'VarianceScaling', 'config': {'scale': 1.0, 'mode': 'fan_avg', 'distribution': 'uniform', 'seed': None}}


def dense(name, units, act, **extra):
    c = {'name': name, 'trainable': True}
    c.update(extra)
    c.update({'units': units, 'activation': act, 'use_bias': True, 'kernel_initializer': initializer('glorot'),
              'bias_initializer': initializer('zeros'), 'kernel_regularizer': None, 'bias_regularizer': None,
              'activity_regularizer': None, 'kernel_constraint': None, 'bias_constraint': None})
    return {'class_name': 'Dense', 'config': c}


def conv(name, filters, act, padding, **extra):
    c = {'name': name, 'trainable': True}
    c.update(extra)
    c.update({'filters': filters, 'kernel_size': [3, 3], 'strides': [1, 1], 'padding': padding,
              'data_format': 'channels_last', 'dilation_rate': [1, 1], 'activation': act, 'use_bias': True,
              'kernel_initializer': initializer('glorot'), 'bias_initializer': initializer('zeros'),
              'kernel_regularizer': None, 'bias_regularizer': None, 'activity_regularizer': None,
              'kernel_constraint': None, 'bias_constraint': None})
    return {'class_name': 'Conv2D', 'config': c}


def save_model(path, layers, weights, version, training_config, fault=None):
    """weights: [(layer name, [(weight name, array)])] for every layer, in order."""
    with h5py.File(path, 'w') as f:
        f.attrs['keras_version'] = version.encode('utf8')
        f.attrs['backend'] = b'tensorflow'
        if fault != 'no_model_config':
            f.attrs['model_config'] = json.dumps({'class_name': 'Sequential', 'config': {
                'name': 'sequential_1', 'layers': layers}}).encode('utf8')
        if training_config:
            f.attrs['training_config'] = json.dumps(training_config).encode('utf8')
        g = f.create_group('model_weights')
        names = [name for name, _ in weights]
        if fault == 'layer_count':  # a layer with weights left out of layer_names
            names = [n for n in names if n != 'dense_2']
        g.attrs['layer_names'] = np.asarray([n.encode('utf8') for n in names])
        g.attrs['backend'] = b'tensorflow'
        g.attrs['keras_version'] = version.encode('utf8')
        for name, values in weights:
            group = g.create_group(name)
            listed = [w for w, _ in values]
            group.attrs['weight_names'] = np.asarray([w.encode('utf8') for w in listed])
            for w, v in values:
                if fault == 'transposed' and w == 'dense_1/kernel:0':
                    v = v.T
                if fault == 'float64' and w == 'dense_1/kernel:0':
                    v = v.astype(np.float64)
                if fault == 'missing_weight' and w == 'dense_2/bias:0':
                    continue
                d = group.create_dataset(w, v.shape, dtype=v.dtype)
                d[...] = v


# Keras 2.2.4: Conv2D -> BatchNormalization -> MaxPooling2D -> Conv2D(same) -> Dropout -> Flatten -> Dense -> Dense.
layers = [conv('conv2d_1', 6, 'relu', 'valid', batch_input_shape=[None, 28, 28, 1], dtype='float32'),
          {'class_name': 'BatchNormalization', 'config': {
              'name': 'batch_normalization_1', 'trainable': True, 'axis': -1, 'momentum': 0.99, 'epsilon': 0.001,
              'center': True, 'scale': True, 'beta_initializer': initializer('zeros'),
              'gamma_initializer': initializer('ones'), 'moving_mean_initializer': initializer('zeros'),
              'moving_variance_initializer': initializer('ones'), 'beta_regularizer': None,
              'gamma_regularizer': None, 'beta_constraint': None, 'gamma_constraint': None}},
          {'class_name': 'MaxPooling2D', 'config': {'name': 'max_pooling2d_1', 'trainable': True, 'pool_size': [2, 2],
                                                    'padding': 'valid', 'strides': [2, 2], 'data_format': 'channels_last'}},
          conv('conv2d_2', 8, 'tanh', 'same'),
          {'class_name': 'Dropout', 'config': {'name': 'dropout_1', 'trainable': True, 'rate': 0.25, 'noise_shape': None, 'seed': None}},
          {'class_name': 'Flatten', 'config': {'name': 'flatten_1', 'trainable': True, 'data_format': 'channels_last'}},
          dense('dense_1', 16, 'elu'),
          dense('dense_2', 10, 'softmax')]
weights = [('conv2d_1', [('conv2d_1/kernel:0', glorot((3, 3, 1, 6))), ('conv2d_1/bias:0', rng.normal(0, 0.1, 6).astype(np.float32))]),
           ('batch_normalization_1', [('batch_normalization_1/gamma:0', rng.uniform(0.5, 1.5, 6).astype(np.float32)),
                                      ('batch_normalization_1/beta:0', rng.normal(0, 0.1, 6).astype(np.float32)),
                                      ('batch_normalization_1/moving_mean:0', rng.uniform(0, 0.5, 6).astype(np.float32)),
                                      ('batch_normalization_1/moving_variance:0', rng.uniform(0.05, 0.3, 6).astype(np.float32))]),
           ('max_pooling2d_1', []),
           ('conv2d_2', [('conv2d_2/kernel:0', glorot((3, 3, 6, 8))), ('conv2d_2/bias:0', rng.normal(0, 0.1, 8).astype(np.float32))]),
           ('dropout_1', []), ('flatten_1', []),
           ('dense_1', [('dense_1/kernel:0', glorot((13 * 13 * 8, 16))), ('dense_1/bias:0', rng.normal(0, 0.1, 16).astype(np.float32))]),
           ('dense_2', [('dense_2/kernel:0', glorot((16, 10))), ('dense_2/bias:0', rng.normal(0, 0.1, 10).astype(np.float32))])]
training = {'optimizer_config': {'class_name': 'Adam', 'config': {'lr': 0.0010000000474974513, 'beta_1': 0.8999999761581421,
                                                                   'beta_2': 0.9990000128746033, 'decay': 0.0, 'epsilon': 1e-07,
                                                                   'amsgrad': False}},
            'loss': 'categorical_crossentropy', 'metrics': ['accuracy'], 'sample_weight_mode': None, 'loss_weights': None}
save_model(os.path.join(out, 'keras224_cnn.h5'), layers, weights, '2.2.4', training)
# The same architecture as to_json() writes it, for mlp-train --config.
with open(os.path.join(out, 'keras224_cnn.json'), 'w') as f:
    json.dump({'class_name': 'Sequential', 'config': {'name': 'sequential_1', 'layers': layers},
               'keras_version': '2.2.4', 'backend': 'tensorflow'}, f)

FAULTS = {'no_model_config': 'has no model_config attribute',
          'transposed': 'has shape (16, 1352), but dense_1\'s kernel needs (1352, 16)',
          'float64': 'is not float32',
          'missing_weight': 'is listed in weight_names but not there',
          'layer_count': 'You are trying to load a weight file containing 4 layers into a model with 5 layers.'}
for fault in FAULTS:
    save_model(os.path.join(out, 'bad_%s.h5' % fault), layers, weights, '2.2.4', training, fault)
with open(os.path.join(out, 'faults.txt'), 'w') as f:
    for fault, message in FAULTS.items():
        f.write('bad_%s.h5\t%s\n' % (fault, message))

# tf.keras 2.x: an InputLayer, GlorotUniform, names from zero, no training_config.
tf_layers = [{'class_name': 'InputLayer', 'config': {'batch_input_shape': [None, 28, 28], 'dtype': 'float32',
                                                     'sparse': False, 'ragged': False, 'name': 'flatten_input'}},
             {'class_name': 'Flatten', 'config': {'name': 'flatten', 'trainable': True, 'dtype': 'float32', 'data_format': 'channels_last'}},
             dense('dense', 32, 'relu', dtype='float32'),
             dense('dense_1', 10, 'softmax', dtype='float32')]
for layer in tf_layers[2:]:
    layer['config']['kernel_initializer'] = {'class_name': 'GlorotUniform', 'config': {'seed': None}}
tf_weights = [('flatten', []),
              ('dense', [('dense/kernel:0', glorot((784, 32))), ('dense/bias:0', rng.normal(0, 0.1, 32).astype(np.float32))]),
              ('dense_1', [('dense_1/kernel:0', glorot((32, 10))), ('dense_1/bias:0', rng.normal(0, 0.1, 10).astype(np.float32))])]
save_model(os.path.join(out, 'tf_keras_mlp.h5'), tf_layers, tf_weights, '2.11.0', None)
