// Child process for wasmThreads.test.ts: selects the backend (AE_THREADS decides the thread count),
// trains a small dense and a small conv autoencoder for a few Adam steps on seeded data, and prints
// the backend description, a SHA-256 of every weight's bits and the weights themselves (base64). It must then exit on its own.
import * as crypto from "crypto";
import * as tf from "@tensorflow/tfjs";
import { describeBackend, selectBackend } from "../../lib/src/backend";
import { randomArray } from "./helpers";

function model(kind: "dense" | "conv"): tf.Sequential {
  let seed = 1;
  const init = () => tf.initializers.glorotUniform({ seed: seed++ });
  if (kind === "dense") {
    return tf.sequential({ layers: [
      tf.layers.dense({ inputShape: [784], units: 256, activation: "relu", kernelInitializer: init() }),
      tf.layers.dense({ units: 32, kernelInitializer: init() }),
      tf.layers.dense({ units: 256, activation: "relu", kernelInitializer: init() }),
      tf.layers.dense({ units: 784, activation: "sigmoid", kernelInitializer: init() }),
    ] });
  }
  const conv = { kernelSize: 3, strides: 2, padding: "same" as const };
  return tf.sequential({ layers: [
    tf.layers.conv2d({ ...conv, inputShape: [28, 28, 1], filters: 8, activation: "relu", kernelInitializer: init() }),
    tf.layers.conv2d({ ...conv, filters: 16, activation: "relu", kernelInitializer: init() }),
    tf.layers.conv2dTranspose({ ...conv, filters: 8, activation: "relu", kernelInitializer: init() }),
    tf.layers.conv2dTranspose({ ...conv, filters: 1, activation: "sigmoid", kernelInitializer: init() }),
  ] });
}

async function main(): Promise<void> {
  const info = await selectBackend({ force: "wasm" });
  const hash = crypto.createHash("sha256");
  const values: Buffer[] = [];
  for (const kind of ["dense", "conv"] as const) {
    const net = model(kind);
    const optimizer = tf.train.adam(1e-3);
    for (let step = 0; step < 4; step++) {
      const x = tf.tensor(randomArray(64 * 784, 10 + step, 0, 1), kind === "dense" ? [64, 784] : [64, 28, 28, 1]);
      tf.dispose(optimizer.minimize(() => tf.losses.meanSquaredError(x, net.apply(x) as tf.Tensor) as tf.Scalar, true) ?? []);
      x.dispose();
    }
    for (const w of net.getWeights()) {
      const bytes = Buffer.from((w.dataSync() as Float32Array).buffer);
      hash.update(bytes);
      values.push(bytes);
    }
  }
  console.log(JSON.stringify({ description: describeBackend(info), threads: info.threads, weights: hash.digest("hex"), values: Buffer.concat(values).toString("base64") }));
}

main().catch((e) => { console.error(e); process.exitCode = 1; });
