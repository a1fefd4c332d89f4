// The IDX reader, checksums and the shipped Fashion-MNIST: correct files load, every kind of damage
// is a DatasetFileError that names the file and the problem.
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import * as zlib from "zlib";
import {
  DatasetFileError, FASHION_MNIST_CLASSES, IDX_FILES, datasetFromIdx, loadFashionMnist, parseIdx, readIdxFile,
  readSha256Sums, verifyChecksum,
} from "../../lib/src/data";
import { projectRoot } from "../../lib/src/paths";
import { idxBuffer, tempDir, throwsForFile } from "./helpers";

const tmp = tempDir("idx");
after(tmp.cleanup);

function write(name: string, content: Buffer): string {
  const file = path.join(tmp.dir, name);
  fs.writeFileSync(file, content);
  return file;
}

/** Asserts that fn throws a DatasetFileError for `file` whose message matches `problem`. */

// Three 2x3 "images" with pixel values 0..17 and their labels.
const pixels = Array.from({ length: 18 }, (_, i) => i * 15);
const imagesIdx = idxBuffer([3, 2, 3], pixels);
const labelsIdx = idxBuffer([3], [2, 0, 1]);

describe("parseIdx and readIdxFile", () => {
  it("parse dimensions and data of a well-formed buffer", () => {
    const parsed = parseIdx(imagesIdx, "mem");
    assert.deepEqual(parsed.dims, [3, 2, 3]);
    assert.deepEqual(Array.from(parsed.data), pixels);
  });

  it("read plain and gzip-compressed files alike", () => {
    const plain = readIdxFile(write("plain-idx3-ubyte", imagesIdx));
    const gz = readIdxFile(write("gz-idx3-ubyte.gz", zlib.gzipSync(imagesIdx)));
    for (const parsed of [plain, gz]) {
      assert.deepEqual(parsed.dims, [3, 2, 3]);
      assert.deepEqual(Array.from(parsed.data), pixels);
    }
  });

  const damaged: [string, Buffer, RegExp][] = [
    ["fewer data bytes than the dimensions need", imagesIdx.subarray(0, imagesIdx.length - 5), /truncated: dimensions 3×2×3 need 18 data bytes but the file has 13/],
    ["a file shorter than the magic number", Buffer.from([0, 0]), /truncated: only 2 bytes/],
    ["a header cut inside the dimensions", imagesIdx.subarray(0, 9), /truncated IDX header \(rank 3, 9 bytes\)/],
    ["a wrong magic number", Buffer.concat([Buffer.from([0x50, 0x4b]), imagesIdx.subarray(2)]), /wrong magic number 0x504b0803/],
    ["a float element type", idxBuffer([2], [0, 0, 0, 0, 0, 0, 0, 0], 0x0d), /element type 0xd is not unsigned byte/],
    ["extra bytes after the data", Buffer.concat([labelsIdx, Buffer.from([7, 7])]), /2 unexpected bytes after the 3 data/],
  ];
  for (const [what, content, problem] of damaged) {
    it(`reject ${what}, naming the file`, () => {
      const file = write(`damaged-${what.replace(/\W+/g, "-")}`, content);
      throwsForFile(() => readIdxFile(file), file, problem);
      // parseIdx names whatever it is told the buffer is.
      throwsForFile(() => parseIdx(content, "in-memory buffer"), "in-memory buffer", problem);
    });
  }

  it("reject gzip data that is cut short or fails its CRC", () => {
    const gz = zlib.gzipSync(imagesIdx);
    const cut = write("cut.gz", gz.subarray(0, gz.length - 12));
    throwsForFile(() => readIdxFile(cut), cut, /corrupt gzip data/);
    const badCrc = Buffer.from(gz);
    badCrc[badCrc.length - 8] ^= 0xff; // the CRC-32 of the uncompressed data
    const crcFile = write("crc.gz", badCrc);
    throwsForFile(() => readIdxFile(crcFile), crcFile, /corrupt gzip data/);
  });

  it("report a missing file", () => {
    const missing = path.join(tmp.dir, "no-such-file.gz");
    throwsForFile(() => readIdxFile(missing), missing, /file not found/);
  });
});

describe("datasetFromIdx", () => {
  const classes = ["a", "b", "c"];

  it("scales pixels to [0, 1] and keeps labels and the image shape", () => {
    const ds = datasetFromIdx(write("ok-images", imagesIdx), write("ok-labels", labelsIdx), classes, "tiny");
    assert.equal(ds.size, 3);
    assert.deepEqual(ds.imageShape, [2, 3, 1]);
    assert.deepEqual(Array.from(ds.labels), [2, 0, 1]);
    pixels.forEach((p, i) => assert.ok(Math.abs(ds.images[i] - p / 255) < 1e-7));
  });

  it("rejects image and label files of different lengths, naming the labels file", () => {
    const images = write("four-images", idxBuffer([4, 2, 3], new Array(24).fill(1)));
    const labels = write("three-labels", labelsIdx);
    throwsForFile(() => datasetFromIdx(images, labels, classes, "x"), labels, /3 labels for 4 images in four-images/);
  });

  it("rejects files given the wrong way round", () => {
    const images = write("swap-images", imagesIdx);
    const labels = write("swap-labels", labelsIdx);
    throwsForFile(() => datasetFromIdx(labels, images, classes, "x"), labels, /expected a 3-D image array, found dimensions 3/);
  });

  it("rejects a label outside the classes", () => {
    const labels = write("bad-label", idxBuffer([3], [0, 1, 3]));
    throwsForFile(() => datasetFromIdx(write("img", imagesIdx), labels, classes, "x"), labels, /label 3 at row 2 is not a class 0..2/);
  });
});

describe("checksums", () => {
  it("verifyChecksum passes on the right digest and names the file on a mismatch", () => {
    const file = write("sum-me", Buffer.from("hello"));
    const sha = crypto.createHash("sha256").update("hello").digest("hex");
    verifyChecksum(file, { algorithm: "sha256", hex: sha.toUpperCase() }, "advice");
    const other = crypto.createHash("sha256").update("hullo").digest("hex");
    throwsForFile(() => verifyChecksum(file, { algorithm: "sha256", hex: other }, "Fetch it again."), file,
      new RegExp(`sha256 checksum mismatch \\(expected ${other}, got ${sha}\\).*Fetch it again\\.`));
  });

  it("readSha256Sums reads sha256sum output, text and binary mode", () => {
    const a = "a".repeat(64);
    const b = "0123456789abcdef".repeat(4);
    const sums = readSha256Sums(write("SUMS", Buffer.from(`${a}  one.gz\n${b} *two.gz\nnot a line\n`)));
    assert.deepEqual([...sums.keys()], ["one.gz", "two.gz"]);
    assert.deepEqual(sums.get("two.gz"), { algorithm: "sha256", hex: b });
  });
});

describe("loadFashionMnist", () => {
  it("loads the shipped copy: 60 000 + 10 000 images of 28×28, 10 balanced classes, pixels in [0, 1]", () => {
    const { train, test } = loadFashionMnist();
    assert.equal(train.size, 60000);
    assert.equal(test.size, 10000);
    for (const ds of [train, test]) {
      assert.deepEqual(ds.imageShape, [28, 28, 1]);
      assert.equal(ds.images.length, ds.size * 784);
      assert.deepEqual(ds.classNames, FASHION_MNIST_CLASSES);
      assert.equal(ds.numClasses, 10);
      let lo = Infinity;
      let hi = -Infinity;
      for (const v of ds.images) { if (v < lo) lo = v; if (v > hi) hi = v; }
      assert.equal(lo, 0);
      assert.equal(hi, 1);
    }
    // Fashion-MNIST is balanced by construction: 6000 training and 1000 test images per class.
    assert.deepEqual(train.classCounts(), new Array(10).fill(6000));
    assert.deepEqual(test.classCounts(), new Array(10).fill(1000));
  });

  function copyShipped(name: string): string {
    const dir = path.join(tmp.dir, name);
    fs.mkdirSync(dir);
    const shipped = path.join(projectRoot(), "datasets", "fashion-mnist");
    for (const f of [...Object.values(IDX_FILES), "SHA256SUMS"]) fs.copyFileSync(path.join(shipped, f), path.join(dir, f));
    return dir;
  }

  it("names the damaged file when one byte of a copy is flipped", () => {
    const dir = copyShipped("flipped");
    const damaged = path.join(dir, IDX_FILES.testImages);
    const bytes = fs.readFileSync(damaged);
    bytes[bytes.length >> 1] ^= 0x01;
    fs.writeFileSync(damaged, bytes);
    throwsForFile(() => loadFashionMnist({ dir }), damaged, /sha256 checksum mismatch.*git checkout -- datasets\/fashion-mnist/);
  });

  it("names SHA256SUMS when a file has no checksum listed", () => {
    const dir = copyShipped("unlisted");
    const sumsFile = path.join(dir, "SHA256SUMS");
    const kept = fs.readFileSync(sumsFile, "utf8").split("\n").filter((l) => !l.includes(IDX_FILES.trainLabels));
    fs.writeFileSync(sumsFile, kept.join("\n"));
    throwsForFile(() => loadFashionMnist({ dir }), sumsFile, new RegExp(`no checksum listed for ${IDX_FILES.trainLabels}`));
  });
});
