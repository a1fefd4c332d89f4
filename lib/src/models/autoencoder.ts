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

/**
 * A stack of dense layers, sizes[i] units with activations[i], Glorot-initialised from seed + i.
 * "leakyRelu" (slope 0.2 below zero, the usual choice for GAN discriminators) is a layer of its own in
 * tfjs, added after a linear dense layer.
 */
export function denseStack(sizes: number[], inputSize: number, activations: string[], seed: number, name: string): tf.Sequential {
  const model = tf.sequential({ name });
  sizes.forEach((units, i) => {
    const leaky = activations[i] === "leakyRelu";
    model.add(tf.layers.dense({
      units, inputShape: i === 0 ? [inputSize] : undefined, activation: (leaky ? "linear" : activations[i]) as any,
      kernelInitializer: tf.initializers.glorotUniform({ seed: seed + i }),
    }));
    if (leaky) model.add(tf.layers.leakyReLU({ alpha: 0.2 }));
  });
  return model;
}

/**
 * Dense → batch norm → activation for each hidden layer, then a dense output layer with `output`: the
 * DCGAN-style generator (no bias before batch norm, which would cancel it).
 */
export function batchNormStack(sizes: number[], inputSize: number, hidden: "relu" | "leakyRelu", output: string, seed: number, name: string): tf.Sequential {
  const model = tf.sequential({ name });
  sizes.forEach((units, i) => {
    const last = i === sizes.length - 1;
    model.add(tf.layers.dense({ units, inputShape: i === 0 ? [inputSize] : undefined, activation: (last ? output : "linear") as any,
      useBias: last, kernelInitializer: tf.initializers.glorotUniform({ seed: seed + i }) }));
    if (last) return;
    model.add(tf.layers.batchNormalization({ momentum: 0.9 }));
    model.add(hidden === "leakyRelu" ? tf.layers.leakyReLU({ alpha: 0.2 }) : tf.layers.reLU());
  });
  return model;
}

/** The tf.Variables behind layers models or single layers (what an optimiser updates), kernel first. */
export function layerVariables(...models: (tf.LayersModel | tf.layers.Layer)[]): tf.Variable[] {
  return models.flatMap((m) => m.trainableWeights.map((w) => (w as unknown as { val: tf.Variable }).val));
}

/**
 * An autoencoder made of two tfjs Sequential models, encoder and decoder. Subclasses only build the
 * layers; shape checks, reconstruction, parameters and disposal are shared here.
 */
export abstract class SequentialAutoencoder implements Autoencoder {
  abstract readonly encoder: tf.Sequential;
  abstract readonly decoder: tf.Sequential;

  get variables(): tf.Variable[] {
    return layerVariables(this.encoder, this.decoder);
  }

  private check(x: tf.Tensor, model: tf.Sequential, what: string) {
    const size = model.inputs[0].shape[1] as number;
    if (x.rank !== 2 || x.shape[1] !== size) throw new Error(`${this.constructor.name}: ${what} has shape [${x.shape}], expected [batch, ${size}]`);
  }

  encode(x: tf.Tensor2D): tf.Tensor2D {
    this.check(x, this.encoder, "input");
    return tf.tidy(() => this.encoder.apply(x) as tf.Tensor2D);
  }

  decodeLogits(z: tf.Tensor2D): tf.Tensor2D {
    this.check(z, this.decoder, "code");
    return tf.tidy(() => this.decoder.apply(z) as tf.Tensor2D);
  }

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
