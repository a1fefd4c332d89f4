// Checkpoints as plain files (weights.json + weights.bin) written with fs, so that they work on every
// backend (tfjs's file:// handler exists only with tfjs-node). Writes go to a temporary folder that
// replaces the old checkpoint only when complete: a crash never destroys the previous one.
import * as fs from "fs";
import * as path from "path";
import * as tf from "@tensorflow/tfjs";

export type Weighted = tf.LayersModel | tf.Variable[] | Record<string, tf.Variable>;

interface Entry { name: string; shape: number[]; dtype: "float32" }
interface Manifest { format: "autoencoders-checkpoint/1"; weights: Entry[]; metadata: Record<string, unknown> }

function namedTensors(target: Weighted): { name: string; tensor: tf.Tensor }[] {
  if (target instanceof tf.LayersModel) return target.weights.map((w) => ({ name: w.originalName, tensor: w.read() }));
  if (Array.isArray(target)) return target.map((v) => ({ name: v.name, tensor: v }));
  return Object.entries(target).map(([name, v]) => ({ name, tensor: v }));
}

export function saveCheckpoint(dir: string, target: Weighted, metadata: Record<string, unknown> = {}): void {
  const weights = namedTensors(target);
  const names = new Set<string>();
  for (const w of weights) {
    if (names.has(w.name)) throw new Error(`saveCheckpoint: two weights are named '${w.name}'; give them distinct names`);
    names.add(w.name);
  }
  const arrays = weights.map((w) => w.tensor.dataSync() as Float32Array);
  const bin = Buffer.concat(arrays.map((a) => Buffer.from(a.buffer, a.byteOffset, a.byteLength)));
  const manifest: Manifest = {
    format: "autoencoders-checkpoint/1",
    weights: weights.map((w) => ({ name: w.name, shape: w.tensor.shape, dtype: "float32" })),
    metadata: { savedAt: new Date().toISOString(), ...metadata },
  };
  const tmp = `${dir}.tmp-${process.pid}`;
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.mkdirSync(tmp, { recursive: true });
  fs.writeFileSync(path.join(tmp, "weights.bin"), bin);
  fs.writeFileSync(path.join(tmp, "weights.json"), JSON.stringify(manifest, null, 2));
  const old = `${dir}.old-${process.pid}`;
  if (fs.existsSync(dir)) fs.renameSync(dir, old);
  fs.renameSync(tmp, dir);
  fs.rmSync(old, { recursive: true, force: true });
}

/** Loads weights into `target` by name, checking every name and shape first; returns the metadata. */
export function loadCheckpoint(dir: string, target: Weighted): Record<string, unknown> {
  const manifestFile = path.join(dir, "weights.json");
  if (!fs.existsSync(manifestFile)) throw new Error(`loadCheckpoint: ${manifestFile} not found; is ${dir} a checkpoint saved by saveCheckpoint?`);
  const manifest = JSON.parse(fs.readFileSync(manifestFile, "utf8")) as Manifest;
  if (manifest.format !== "autoencoders-checkpoint/1") throw new Error(`loadCheckpoint: ${manifestFile} has unknown format '${manifest.format}'`);
  const bin = fs.readFileSync(path.join(dir, "weights.bin"));
  const needed = manifest.weights.reduce((a, w) => a + 4 * w.shape.reduce((x, y) => x * y, 1), 0);
  if (bin.length !== needed) throw new Error(`loadCheckpoint: ${path.join(dir, "weights.bin")} has ${bin.length} bytes, the manifest needs ${needed}; the checkpoint is truncated or corrupt`);

  const stored = new Map<string, Float32Array>();
  let offset = 0;
  for (const w of manifest.weights) {
    const n = w.shape.reduce((x, y) => x * y, 1);
    stored.set(w.name, new Float32Array(bin.buffer.slice(bin.byteOffset + offset, bin.byteOffset + offset + 4 * n)));
    offset += 4 * n;
  }
  let targets = namedTensors(target);
  const shapes = new Map(manifest.weights.map((w) => [w.name, w.shape]));
  // tfjs numbers auto-named layers per process (dense_Dense1, then dense_Dense5 when the cell that builds
  // the model runs again), so a rebuilt model matches by position when none of its names match and the
  // count and every shape agree.
  if (target instanceof tf.LayersModel && targets.every((t) => !shapes.has(t.name)) && targets.length === manifest.weights.length &&
    targets.every((t, i) => t.tensor.shape.join(",") === manifest.weights[i].shape.join(","))) {
    targets = targets.map((t, i) => ({ ...t, name: manifest.weights[i].name }));
  }
  for (const t of targets) {
    const shape = shapes.get(t.name);
    if (!shape) throw new Error(`loadCheckpoint: the checkpoint has no weight '${t.name}' (it has: ${[...shapes.keys()].join(", ")}); was it saved from a different model?`);
    if (shape.join(",") !== t.tensor.shape.join(",")) throw new Error(`loadCheckpoint: weight '${t.name}' is [${shape}] in the checkpoint but [${t.tensor.shape}] in the model`);
  }
  const values = targets.map((t) => tf.tensor(stored.get(t.name)!, t.tensor.shape));
  if (target instanceof tf.LayersModel) target.setWeights(values);
  else targets.forEach((t, i) => (t.tensor as tf.Variable).assign(values[i]));
  tf.dispose(values);
  return manifest.metadata;
}
