// Loads a TensorFlow.js layers model (model.json and its weight shards, as
// mlp-export --format tfjs writes them) with @tensorflow/tfjs through
// tf.io.fromMemory and tf.loadLayersModel, predicts on the first COUNT images
// of an IDX file (scaled as the model's userDefinedMetadata.mlp_input_range
// says), and writes one CSV row of outputs per image to OUT (stdout carries
// TensorFlow.js's own notices).
// Usage: node tfjs_run.js FOLDER IMAGES-idx3-ubyte COUNT OUT
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
  const [low, high] = model.userDefinedMetadata.mlp_input_range;
  const shape = loaded.inputs[0].shape.slice(1);
  const size = shape.reduce((a, b) => a * b, 1);
  const raw = fs.readFileSync(images);
  const divisor = Math.fround(255 / (high - low));
  const pixels = new Float32Array(count * size);
  for (let i = 0; i < count * size; ++i) pixels[i] = Math.fround(raw[16 + i] / divisor) + Math.fround(low);
  const output = loaded.predict(tf.tensor(pixels, [count, ...shape])).dataSync();
  const per = output.length / count;
  const lines = [];
  for (let r = 0; r < count; ++r) lines.push(Array.from(output.slice(r * per, (r + 1) * per)).join(','));
  fs.writeFileSync(out, lines.join('\n') + '\n');
}
main().catch((e) => { console.error(e.message || e); process.exit(1); });
