export { meanSquaredError, squaredErrorPerExample } from "./reconstruction";
export { binaryCrossEntropyFromLogits } from "./binaryCrossEntropy";
