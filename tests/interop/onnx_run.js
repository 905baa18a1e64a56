// Runs an ONNX model with ONNX Runtime (npm onnxruntime-node) on the first COUNT
// images of an IDX file, fed as raw pixel values (0-255) in float32 with the
// shape [COUNT, ...SHAPE] (or on the samples of a .f32 file, raw little-endian
// float32 features, fed as they are), and prints each sample's outputs as one
// CSV row with every digit JavaScript keeps (the test compares them with
// mlp-predict's).
// Usage: node onnx_run.js MODEL.onnx IMAGES-idx3-ubyte|FEATURES.f32 COUNT SHAPE (e.g. 28,28,1)
'use strict';
const fs = require('fs');
const ort = require('onnxruntime-node');

async function main() {
  const [model, images, countText, shapeText] = process.argv.slice(2);
  const count = Number(countText);
  const shape = shapeText.split(',').map(Number);
  const size = shape.reduce((a, b) => a * b, 1);
  const raw = fs.readFileSync(images);
  const pixels = new Float32Array(count * size);
  if (images.endsWith('.f32')) {
    for (let i = 0; i < count * size; ++i) pixels[i] = raw.readFloatLE(4 * i);
  } else {
    for (let i = 0; i < count * size; ++i) pixels[i] = raw[16 + i];
  }
  const session = await ort.InferenceSession.create(model);
  const result = await session.run({ input: new ort.Tensor('float32', pixels, [count, ...shape]) });
  const output = result.output;
  const per = output.data.length / count;
  const lines = [];
  for (let r = 0; r < count; ++r) lines.push(Array.from(output.data.slice(r * per, (r + 1) * per)).join(','));
  process.stdout.write(lines.join('\n') + '\n');
}
main().catch((e) => { console.error(e); process.exit(1); });
