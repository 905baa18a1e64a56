// Loads a TensorFlow.js layers model (model.json and its weight shards, as
// mlp-export --format tfjs writes them) with @tensorflow/tfjs through
// tf.io.fromMemory and tf.loadLayersModel, predicts on the first COUNT images
// of an IDX file (or the samples of a .f32 file of raw float32 features),
// prepared as the model's userDefinedMetadata.mlp_preprocessing says (bytes
// through input_range, then data.normalize's shift and scale), and writes one
// CSV row of outputs per sample to OUT (stdout carries TensorFlow.js's own
// notices).
// Usage: node tfjs_run.js FOLDER IMAGES-idx3-ubyte|FEATURES.f32 COUNT OUT
'use strict';
const fs = require('fs');
const path = require('path');
const tf = require('@tensorflow/tfjs');

async function main() {
  const [folder, images, countText, out] = process.argv.slice(2);
  const count = Number(countText);
  const model = JSON.parse(fs.readFileSync(path.join(folder, 'model.json'), 'utf8'));
  const weightSpecs = [];
  const shards = [];
  for (const group of model.weightsManifest) {
    weightSpecs.push(...group.weights);
    for (const p of group.paths) shards.push(fs.readFileSync(path.join(folder, p)));
  }
  const all = Buffer.concat(shards);
  const weightData = all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength);
  const loaded = await tf.loadLayersModel(tf.io.fromMemory({ modelTopology: model.modelTopology, weightSpecs, weightData }));
  const prep = model.userDefinedMetadata.mlp_preprocessing;
  const [low, high] = prep.input_range;
  const shape = loaded.inputs[0].shape.slice(1);
  const size = shape.reduce((a, b) => a * b, 1);
  const raw = fs.readFileSync(images);
  const divisor = Math.fround(255 / (high - low));
  const pixels = new Float32Array(count * size);
  for (let i = 0; i < count * size; ++i) {
    let v = images.endsWith('.f32') ? raw.readFloatLE(4 * i) : raw[16 + i];
    if (prep.inputs === 'bytes') v = Math.fround(Math.fround(v / divisor) + Math.fround(low));
    if (prep.shift) v = Math.fround(Math.fround(v - prep.shift[i % size]) * prep.scale[i % size]);
    pixels[i] = v;
  }
  const output = loaded.predict(tf.tensor(pixels, [count, ...shape])).dataSync();
  const per = output.length / count;
  const lines = [];
  for (let r = 0; r < count; ++r) lines.push(Array.from(output.slice(r * per, (r + 1) * per)).join(','));
  fs.writeFileSync(out, lines.join('\n') + '\n');
}
main().catch((e) => { console.error(e.message || e); process.exit(1); });
