// Greedy layer-wise pretraining (Hinton & Salakhutdinov 2006; Bengio et al. 2007; Vincent et al. 2010):
// train each encoder layer as the encoder of a one-hidden-layer autoencoder on the codes of the layers
// below it, then copy its weights (and its helper decoder's) into the deep model before fine-tuning.
// With `corrupt`, each shallow autoencoder is a denoising one: a stacked denoising autoencoder.
import * as tf from "@tensorflow/tfjs";
import { ImageDataset } from "../data/dataset";
import { binaryCrossEntropyFromLogits } from "../losses/binaryCrossEntropy";
import { meanSquaredError } from "../losses/reconstruction";
import { train, cosineDecay } from "../training/train";
import { EpochLog } from "../training/history";
import { layerVariables } from "./autoencoder";
import { MlpAutoencoder } from "./mlpAutoencoder";

export interface PretrainOptions {
  epochs: number;
  batchSize?: number;
  learningRate?: number;
  /** Corruption applied to each layer's input during its pretraining (stacked DAE). */
  corrupt?: (x: tf.Tensor2D) => tf.Tensor2D;
  seed?: number;
  progress?: "auto" | "text" | "none";
}

/** Pretrains `model` in place, layer by layer; returns each layer's epoch logs. */
export async function pretrainLayerwise(model: MlpAutoencoder, data: ImageDataset, options: PretrainOptions): Promise<EpochLog[][]> {
  const encoderLayers = model.encoder.layers;
  const decoderLayers = model.decoder.layers;
  const depth = encoderLayers.length;
  const lr = options.learningRate ?? 2e-3;
  const logs: EpochLog[][] = [];
  let features = data;

  for (let i = 0; i < depth; i++) {
    const layer = encoderLayers[i];
    const mirror = decoderLayers[depth - 1 - i]; // maps layer i's output back to its input
    const inputSize = features.featureSize;
    // A throw-away copy of the mirror layer, so the encoder layer learns with its future decoder.
    const helper = tf.sequential({ layers: [tf.layers.dense({ units: inputSize, inputShape: [layer.outputShape[1] as number], activation: i === 0 ? "linear" : (mirror.getConfig().activation as any), kernelInitializer: tf.initializers.glorotUniform({ seed: (options.seed ?? 0) + 500 + i }) })] });
    const variables = layerVariables(layer, helper);
    const loss = (x: tf.Tensor2D) => {
      const input = options.corrupt ? options.corrupt(x) : x;
      const out = helper.apply(layer.apply(input) as tf.Tensor) as tf.Tensor2D;
      // The first layer reconstructs pixels (Bernoulli); deeper layers reconstruct real-valued codes.
      return i === 0 ? binaryCrossEntropyFromLogits(out, x) : meanSquaredError(out, x);
    };
    const optimizer = tf.train.adam(lr);
    let history;
    try {
      history = await train({
        train: features, loss: (b) => loss(b.x), variables, epochs: options.epochs,
        batchSize: options.batchSize ?? 128, optimizer, learningRate: cosineDecay(lr, options.epochs),
        seed: options.seed, progress: options.progress, title: `pretraining layer ${i + 1} of ${depth}`,
      });
    } finally {
      optimizer.dispose(); // its moment estimates would otherwise stay in memory, out of the caller's reach
    }
    logs.push(history.epochs);
    mirror.setWeights(helper.getWeights());
    helper.dispose();
    if (i < depth - 1) features = featuresOf(layer, features, `${data.name} layer ${i + 1} codes`);
  }
  return logs;
}

/** The outputs of one layer on every row of a dataset, as a dataset (labels kept). */
function featuresOf(layer: tf.layers.Layer, data: ImageDataset, name: string): ImageDataset {
  const width = layer.outputShape[1] as number;
  const out = new Float32Array(data.size * width);
  let row = 0;
  for (const batch of data.batches(1000)) {
    const h = tf.tidy(() => layer.apply(batch.x) as tf.Tensor);
    out.set(h.dataSync() as Float32Array, row * width);
    row += batch.labels.length;
    tf.dispose([h, batch.x]);
  }
  return new ImageDataset(out, data.labels, [1, width, 1], data.classNames, name);
}
