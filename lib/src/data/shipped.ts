// The datasets shipped in datasets/: four gzip-compressed IDX files and a SHA256SUMS file per folder,
// verified on every load (a few hundred milliseconds) so that a damaged copy never trains a model.
import * as path from "path";
import { DatasetFileError } from "./idx";
import { readSha256Sums, verifyChecksum } from "./checksum";
import { datasetFromIdx, IDX_FILES, TrainTest } from "./fashionMnist";

export interface ShippedDataset {
  /** The folder that holds the four IDX files and SHA256SUMS. */
  dir: string;
  classNames: string[];
  /** Shown in dataset names and errors, e.g. "MNIST". */
  name: string;
  /** What to do when a file is missing or damaged. */
  advice: string;
  verify?: boolean;
}

/** Verifies the folder's checksums (unless verify is false), then reads its train and test splits. */
export function loadShippedDataset({ dir, classNames, name, advice, verify }: ShippedDataset): TrainTest {
  if (verify !== false) {
    const sumsFile = path.join(dir, "SHA256SUMS");
    let sums;
    try {
      sums = readSha256Sums(sumsFile);
    } catch (e) {
      throw new DatasetFileError(sumsFile, `cannot read the checksum list (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, advice);
    }
    for (const f of Object.values(IDX_FILES)) {
      const sum = sums.get(f);
      if (!sum) throw new DatasetFileError(sumsFile, `no checksum listed for ${f}`, advice);
      verifyChecksum(path.join(dir, f), sum, advice);
    }
  }
  const p = (f: string) => path.join(dir, f);
  return {
    train: datasetFromIdx(p(IDX_FILES.trainImages), p(IDX_FILES.trainLabels), classNames, `${name} train`),
    test: datasetFromIdx(p(IDX_FILES.testImages), p(IDX_FILES.testLabels), classNames, `${name} test`),
  };
}
