export { LinearAutoencoder } from "./linearAutoencoder";
