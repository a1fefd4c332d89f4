// A fully connected autoencoder of any depth: 784 -> hidden... -> code -> ...hidden reversed -> 784.
// The decoder outputs logits; `reconstruct` applies the sigmoid so pixels land in [0, 1], and the
// Bernoulli loss is computed from the logits for numerical stability.
import * as tf from "@tensorflow/tfjs";
import { Autoencoder, layerVariables } from "./autoencoder";

export interface MlpAutoencoderConfig {
  inputSize: number;
  /** Hidden layer widths of the encoder; the decoder mirrors them. */
  hidden: number[];
  codeSize: number;
  activation?: "relu" | "elu" | "tanh" | "sigmoid";
  /** Activation of the code layer (default linear). */
  codeActivation?: "linear" | "sigmoid" | "tanh" | "relu";
  seed?: number;
}

function denseStack(sizes: number[], inputSize: number, activations: string[], seed: number, name: string): tf.Sequential {
  const model = tf.sequential({ name });
  sizes.forEach((units, i) => {
    model.add(tf.layers.dense({
      units, inputShape: i === 0 ? [inputSize] : undefined, activation: activations[i] as any,
      kernelInitializer: tf.initializers.glorotUniform({ seed: seed + i }),
    }));
  });
  return model;
}

export class MlpAutoencoder implements Autoencoder {
  readonly encoder: tf.Sequential;
  readonly decoder: tf.Sequential;

  constructor(readonly config: MlpAutoencoderConfig) {
    const { inputSize, hidden, codeSize } = config;
    const act = config.activation ?? "relu";
    const seed = config.seed ?? 0;
    this.encoder = denseStack([...hidden, codeSize], inputSize, [...hidden.map(() => act), config.codeActivation ?? "linear"], seed, "encoder");
    const back = [...hidden].reverse();
    this.decoder = denseStack([...back, inputSize], codeSize, [...back.map(() => act), "linear"], seed + 100, "decoder");
  }

  get variables(): tf.Variable[] {
    return layerVariables(this.encoder, this.decoder);
  }

  private check(x: tf.Tensor2D, size: number, what: string) {
    if (x.rank !== 2 || x.shape[1] !== size) throw new Error(`MlpAutoencoder: ${what} has shape [${x.shape}], expected [batch, ${size}]`);
  }

  encode(x: tf.Tensor2D): tf.Tensor2D {
    this.check(x, this.config.inputSize, "input");
    return tf.tidy(() => this.encoder.apply(x) as tf.Tensor2D);
  }

  decodeLogits(z: tf.Tensor2D): tf.Tensor2D {
    this.check(z, this.config.codeSize, "code");
    return tf.tidy(() => this.decoder.apply(z) as tf.Tensor2D);
  }

  /** Reconstruction in pixel space, in [0, 1]. */
  reconstruct(x: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => tf.sigmoid(this.decodeLogits(this.encode(x))));
  }

  countParams(): number {
    return this.encoder.countParams() + this.decoder.countParams();
  }

  dispose(): void {
    this.encoder.dispose();
    this.decoder.dispose();
  }
}
