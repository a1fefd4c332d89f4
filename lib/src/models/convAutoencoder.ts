// A convolutional autoencoder for 28×28 greyscale images. Each stride-2 convolution halves the
// resolution (28 -> 14 -> 7); a dense layer maps the 7×7 feature maps to the code; the decoder mirrors
// this with stride-2 transposed convolutions. Inputs and outputs are flat [batch, 784] like the MLP's,
// so the same losses, training loop and metrics apply.
import * as tf from "@tensorflow/tfjs";
import { SequentialAutoencoder } from "./autoencoder";

export interface ConvAutoencoderConfig {
  imageShape?: [number, number, number];
  /** Filters of each stride-2 convolution (default [32, 64]). */
  filters?: number[];
  kernelSize?: number;
  codeSize: number;
  seed?: number;
}

export class ConvAutoencoder extends SequentialAutoencoder {
  readonly encoder: tf.Sequential;
  readonly decoder: tf.Sequential;
  readonly inputSize: number;

  constructor(readonly config: ConvAutoencoderConfig) {
    super();
    const [h, w, c] = config.imageShape ?? [28, 28, 1];
    const filters = config.filters ?? [32, 64];
    const kernelSize = config.kernelSize ?? 3;
    const seed = config.seed ?? 0;
    const scale = 2 ** filters.length;
    if (h % scale || w % scale) throw new Error(`ConvAutoencoder: ${h}×${w} images cannot be halved ${filters.length} times`);
    const [fh, fw, fc] = [h / scale, w / scale, filters[filters.length - 1]];
    const init = (i: number) => tf.initializers.glorotUniform({ seed: seed + i });
    this.inputSize = h * w * c;

    this.encoder = tf.sequential({ name: "conv_encoder" });
    this.encoder.add(tf.layers.reshape({ targetShape: [h, w, c], inputShape: [this.inputSize] }));
    filters.forEach((f, i) => this.encoder.add(tf.layers.conv2d({ filters: f, kernelSize, strides: 2, padding: "same", activation: "relu", kernelInitializer: init(i) })));
    this.encoder.add(tf.layers.flatten());
    this.encoder.add(tf.layers.dense({ units: config.codeSize, kernelInitializer: init(10) }));

    this.decoder = tf.sequential({ name: "conv_decoder" });
    this.decoder.add(tf.layers.dense({ units: fh * fw * fc, activation: "relu", inputShape: [config.codeSize], kernelInitializer: init(20) }));
    this.decoder.add(tf.layers.reshape({ targetShape: [fh, fw, fc] }));
    const back = [...filters.slice(0, -1)].reverse();
    back.forEach((f, i) => this.decoder.add(tf.layers.conv2dTranspose({ filters: f, kernelSize, strides: 2, padding: "same", activation: "relu", kernelInitializer: init(30 + i) })));
    this.decoder.add(tf.layers.conv2dTranspose({ filters: c, kernelSize, strides: 2, padding: "same", kernelInitializer: init(40) }));
    this.decoder.add(tf.layers.flatten());
  }
}
