// The linear autoencoder of Baldi & Hornik (1989): x -> z = (x - mean) W_enc -> x_hat = z W_dec + mean.
// Under squared error its optimum spans the top-k principal subspace, although W_dec need not be
// orthogonal. The mean is fixed from the training data so that only the subspace is learned.
import * as tf from "@tensorflow/tfjs";
import { meanSquaredError } from "../losses/reconstruction";
import { seededRandom } from "../random";

let instances = 0;

export class LinearAutoencoder {
  readonly encoderWeights: tf.Variable<tf.Rank.R2>;
  readonly decoderWeights: tf.Variable<tf.Rank.R2>;
  readonly mean: tf.Tensor1D;

  constructor(readonly inputSize: number, readonly codeSize: number, mean: Float32Array, options: { seed?: number; initScale?: number } = {}) {
    if (mean.length !== inputSize) throw new Error(`LinearAutoencoder: mean has ${mean.length} entries, expected inputSize = ${inputSize}`);
    const rand = seededRandom(options.seed ?? 0);
    const id = ++instances;
    // Glorot-uniform initial weights from our own seeded generator (tfjs initialisers differ per backend).
    const limit = (options.initScale ?? 1) * Math.sqrt(6 / (inputSize + codeSize));
    const init = (rows: number, cols: number) => Float32Array.from({ length: rows * cols }, () => (2 * rand() - 1) * limit);
    // Inside tidy so the initial-value tensors are released; tidy never disposes variables.
    this.encoderWeights = tf.tidy(() => tf.variable(tf.tensor2d(init(inputSize, codeSize), [inputSize, codeSize]), true, `linearAE${id}/encoder`));
    this.decoderWeights = tf.tidy(() => tf.variable(tf.tensor2d(init(codeSize, inputSize), [codeSize, inputSize]), true, `linearAE${id}/decoder`));
    this.mean = tf.keep(tf.tensor1d(mean));
  }

  get variables(): tf.Variable[] {
    return [this.encoderWeights, this.decoderWeights];
  }

  private checkInput(x: tf.Tensor2D) {
    if (x.rank !== 2 || x.shape[1] !== this.inputSize) throw new Error(`LinearAutoencoder: input has shape [${x.shape}], expected [batch, ${this.inputSize}]`);
  }

  encode(x: tf.Tensor2D): tf.Tensor2D {
    this.checkInput(x);
    return tf.tidy(() => tf.matMul(tf.sub(x, this.mean), this.encoderWeights));
  }

  decode(z: tf.Tensor2D): tf.Tensor2D {
    if (z.rank !== 2 || z.shape[1] !== this.codeSize) throw new Error(`LinearAutoencoder: code has shape [${z.shape}], expected [batch, ${this.codeSize}]`);
    return tf.tidy(() => tf.add(tf.matMul(z, this.decoderWeights), this.mean));
  }

  reconstruct(x: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => this.decode(this.encode(x)));
  }

  /** Mean squared error per pixel. */
  loss(x: tf.Tensor2D): tf.Scalar {
    return tf.tidy(() => meanSquaredError(this.reconstruct(x), x));
  }

  /** The k basis images the decoder mixes (the rows of W_dec), each of length inputSize. */
  decoderBasis(): Float32Array[] {
    const w = this.decoderWeights.arraySync();
    return w.map((row) => Float32Array.from(row));
  }

  dispose(): void {
    tf.dispose([this.encoderWeights, this.decoderWeights, this.mean]);
  }
}
