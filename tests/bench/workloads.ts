// The three benchmark workloads in TensorFlow.js, mirrored layer for layer by epoch_torch.py (PyTorch):
//   mlp  : MLP autoencoder 784-512-256-32-256-512-784, ReLU, sigmoid output, MSE
//   vae  : the course VAE (lib/src/models/vae.ts): encoder 784-512-256 -> (mean, log-variance) of 32, decoder 32-256-512-784 (logits),
//          Bernoulli reconstruction + closed-form KL, summed per image and averaged over the batch
//   conv : conv AE 28x28x1 -> 14x14x16 -> 7x7x32 -> 14x14x16 -> 28x28x1 (3x3, stride 2, 'same')
// Every workload is Adam(1e-3), batch 128, synthetic uniform images with a fixed seed.
import * as tf from "@tensorflow/tfjs";
import { ImageDataset } from "../../lib/src/data";
import { meanSquaredError, negativeElbo } from "../../lib/src/losses";
import { VariationalAutoencoder } from "../../lib/src/models/vae";
import { seededRandom } from "../../lib/src/random";

export type Workload = "mlp" | "vae" | "conv";
export const WORKLOADS: Workload[] = ["mlp", "vae", "conv"];
export const LABEL: Record<Workload, string> = {
  mlp: "MLP AE 784-512-256-32-256-512-784",
  vae: "VAE 784-512-256-(32)-256-512-784",
  conv: "conv AE 16-32 filters, 2 conv + 2 conv-transpose",
};
export const BATCH = 128;

export function syntheticImages(n: number, seed: number): ImageDataset {
  const rand = seededRandom(seed);
  const images = new Float32Array(n * 784);
  for (let i = 0; i < images.length; i++) images[i] = rand();
  return new ImageDataset(images, new Int32Array(n), [28, 28, 1], ["synthetic"], "synthetic");
}

function dense(units: number, activation: "relu" | "sigmoid" | "linear", seed: number, inputDim?: number): tf.layers.Layer {
  return tf.layers.dense({ units, activation, kernelInitializer: tf.initializers.glorotUniform({ seed }), ...(inputDim ? { inputShape: [inputDim] } : {}) });
}

/** The workload's model and its batch loss (a scalar, inside the caller's gradient tape). */
export function buildWorkload(workload: Workload): { variables: tf.Variable[]; loss: (x: tf.Tensor2D) => tf.Scalar } {
  if (workload === "mlp") {
    const net = tf.sequential({ layers: [
      dense(512, "relu", 1, 784), dense(256, "relu", 2), dense(32, "linear", 3),
      dense(256, "relu", 4), dense(512, "relu", 5), dense(784, "sigmoid", 6),
    ] });
    return { variables: weightsOf(net), loss: (x) => tf.tidy(() => meanSquaredError(net.apply(x) as tf.Tensor, x)) };
  }
  if (workload === "vae") {
    // The course's own VAE (notebook 08) and its loss: same layers as workloads.py.
    const vae = new VariationalAutoencoder({ inputSize: 784, hidden: [512, 256], latentSize: 32, seed: 1 });
    return { variables: vae.variables, loss: (x) => tf.tidy(() => negativeElbo(vae, x).loss) };
  }
  const conv = (filters: number, seed: number, activation: "relu" | "sigmoid", transpose: boolean, first = false) => {
    const config = { filters, kernelSize: 3, strides: 2, padding: "same" as const, activation,
      kernelInitializer: tf.initializers.glorotUniform({ seed }), ...(first ? { inputShape: [28, 28, 1] } : {}) };
    return transpose ? tf.layers.conv2dTranspose(config) : tf.layers.conv2d(config);
  };
  const net = tf.sequential({ layers: [conv(16, 1, "relu", false, true), conv(32, 2, "relu", false), conv(16, 3, "relu", true), conv(1, 4, "sigmoid", true)] });
  return {
    variables: weightsOf(net),
    loss: (x) => tf.tidy(() => {
      const images = x.reshape([-1, 28, 28, 1]);
      return meanSquaredError(net.apply(images) as tf.Tensor, images);
    }),
  };
}

function weightsOf(model: tf.LayersModel): tf.Variable[] {
  return model.trainableWeights.map((w) => w.read() as tf.Variable);
}
