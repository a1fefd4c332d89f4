export { Autoencoder, SequentialAutoencoder, layerVariables } from "./autoencoder";
export { LinearAutoencoder } from "./linearAutoencoder";
export { MlpAutoencoder, MlpAutoencoderConfig } from "./mlpAutoencoder";
export { ConvAutoencoder, ConvAutoencoderConfig } from "./convAutoencoder";
export { topK } from "./kSparse";
export { pretrainLayerwise, PretrainOptions } from "./stackedPretraining";
export { VariationalAutoencoder, VaeConfig, Posterior, DecoderLikelihood, reparameterize } from "./vae";
export { SemiSupervisedVae, M2Config } from "./m2";
