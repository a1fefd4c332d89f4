export { ImageDataset, Batch } from "./dataset";
export { parseIdx, readIdxFile, DatasetFileError, IdxArray } from "./idx";
export { verifyChecksum, fileDigest, readSha256Sums, Checksum } from "./checksum";
export { loadFashionMnist, datasetFromIdx, FASHION_MNIST_CLASSES, IDX_FILES, TrainTest } from "./fashionMnist";
export { loadMnist, MNIST_CLASSES } from "./mnist";
export { loadShippedDataset, ShippedDataset } from "./shipped";
export { gaussianNoise, maskingNoise, saltAndPepperNoise } from "./corruption";
export { binarize, binarizeDataset } from "./binarize";
export { oneHot, endlessBatches } from "./labels";
