// A fully connected autoencoder of any depth: 784 -> hidden... -> code -> ...hidden reversed -> 784.
// The decoder outputs logits; `reconstruct` applies the sigmoid so pixels land in [0, 1], and the
// Bernoulli loss is computed from the logits for numerical stability.
import * as tf from "@tensorflow/tfjs";
import { denseStack, SequentialAutoencoder } from "./autoencoder";

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

export class MlpAutoencoder extends SequentialAutoencoder {
  readonly encoder: tf.Sequential;
  readonly decoder: tf.Sequential;

  constructor(readonly config: MlpAutoencoderConfig) {
    super();
    const { inputSize, hidden, codeSize } = config;
    const act = config.activation ?? "relu";
    const seed = config.seed ?? 0;
    this.encoder = denseStack([...hidden, codeSize], inputSize, [...hidden.map(() => act), config.codeActivation ?? "linear"], seed, "encoder");
    const back = [...hidden].reverse();
    this.decoder = denseStack([...back, inputSize], codeSize, [...back.map(() => act), "linear"], seed + 100, "decoder");
  }
}
