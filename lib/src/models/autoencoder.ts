// What every autoencoder in the course offers, so notebooks and metrics can treat them alike.
import * as tf from "@tensorflow/tfjs";

export interface Autoencoder {
  /** [batch, inputSize] pixels in [0, 1] -> [batch, codeSize]. */
  encode(x: tf.Tensor2D): tf.Tensor2D;
  /** [batch, codeSize] -> [batch, inputSize] logits (apply a sigmoid for pixels). */
  decodeLogits(z: tf.Tensor2D): tf.Tensor2D;
  /** Reconstruction in pixel space, in [0, 1]. */
  reconstruct(x: tf.Tensor2D): tf.Tensor2D;
  readonly variables: tf.Variable[];
  countParams(): number;
  dispose(): void;
}

/** The tf.Variables behind a layers model (what an optimiser updates). */
export function layerVariables(...models: tf.LayersModel[]): tf.Variable[] {
  return models.flatMap((m) => m.trainableWeights.map((w) => (w as unknown as { val: tf.Variable }).val));
}
