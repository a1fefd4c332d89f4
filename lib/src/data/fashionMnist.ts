import * as path from "path";
import { readIdxFile, DatasetFileError } from "./idx";
import { loadShippedDataset } from "./shipped";
import { ImageDataset } from "./dataset";
import { projectRoot } from "../paths";

export const FASHION_MNIST_CLASSES = [
  "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
];

export const IDX_FILES = {
  trainImages: "train-images-idx3-ubyte.gz",
  trainLabels: "train-labels-idx1-ubyte.gz",
  testImages: "t10k-images-idx3-ubyte.gz",
  testLabels: "t10k-labels-idx1-ubyte.gz",
};

/** Turns an IDX image file and label file into a dataset with pixels scaled to [0, 1]. */
export function datasetFromIdx(imagesFile: string, labelsFile: string, classNames: string[], name: string): ImageDataset {
  const images = readIdxFile(imagesFile);
  const labels = readIdxFile(labelsFile);
  if (images.dims.length !== 3) throw new DatasetFileError(imagesFile, `expected a 3-D image array, found dimensions ${images.dims.join("×")}`, "Is this a labels file given as images?");
  if (labels.dims.length !== 1) throw new DatasetFileError(labelsFile, `expected a 1-D label array, found dimensions ${labels.dims.join("×")}`, "Is this an images file given as labels?");
  if (images.dims[0] !== labels.dims[0]) {
    throw new DatasetFileError(labelsFile, `${labels.dims[0]} labels for ${images.dims[0]} images in ${path.basename(imagesFile)}`, "The image and label files do not belong together.");
  }
  const pixels = new Float32Array(images.data.length);
  for (let i = 0; i < pixels.length; i++) pixels[i] = images.data[i] / 255;
  const y = new Int32Array(labels.data.length);
  for (let i = 0; i < y.length; i++) {
    if (labels.data[i] >= classNames.length) throw new DatasetFileError(labelsFile, `label ${labels.data[i]} at row ${i} is not a class 0..${classNames.length - 1}`, "The label file is corrupt.");
    y[i] = labels.data[i];
  }
  return new ImageDataset(pixels, y, [images.dims[1], images.dims[2], 1], classNames, name);
}

export interface TrainTest {
  train: ImageDataset;
  test: ImageDataset;
}

/** Loads the Fashion-MNIST copy shipped in datasets/fashion-mnist, verifying its SHA-256 checksums. */
export function loadFashionMnist(options: { dir?: string; verify?: boolean } = {}): TrainTest {
  return loadShippedDataset({
    dir: options.dir ?? path.join(projectRoot(), "datasets", "fashion-mnist"),
    classNames: FASHION_MNIST_CLASSES,
    name: "Fashion-MNIST",
    advice: "Restore it with `git checkout -- datasets/fashion-mnist` (or copy it from Debian's dataset-fashion-mnist package).",
    verify: options.verify,
  });
}
