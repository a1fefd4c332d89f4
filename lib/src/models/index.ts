export { LinearAutoencoder } from "./linearAutoencoder";
export { MlpAutoencoder, MlpAutoencoderConfig } from "./mlpAutoencoder";
