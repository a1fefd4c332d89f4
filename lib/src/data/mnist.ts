// MNIST is not shipped (and not reachable offline here): it is downloaded once into a cache folder,
// verified against the published MD5 checksums, then read with the same IDX reader as Fashion-MNIST.
import * as fs from "fs";
import * as http from "http";
import * as https from "https";
import * as path from "path";
import { Checksum, verifyChecksum } from "./checksum";
import { datasetFromIdx, IDX_FILES, TrainTest } from "./fashionMnist";
import { projectRoot } from "../paths";

export const MNIST_CLASSES = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"];

/** Mirrors tried in order (the original site is often unavailable). */
export const MNIST_URLS = ["https://ossci-datasets.s3.amazonaws.com/mnist/", "https://yann.lecun.com/exdb/mnist/"];

/** The checksums published with the official files. */
export const MNIST_CHECKSUMS: Record<string, Checksum> = {
  [IDX_FILES.trainImages]: { algorithm: "md5", hex: "f68b3c2dcbeaaa9fbdd348bbdeb94873" },
  [IDX_FILES.trainLabels]: { algorithm: "md5", hex: "d53e105ee54ea40749a09fcbcd1e9432" },
  [IDX_FILES.testImages]: { algorithm: "md5", hex: "9fb629c4189551a2d022fa330f9573f3" },
  [IDX_FILES.testLabels]: { algorithm: "md5", hex: "ec29112dd5afa0611ce80d1b7f02629c" },
};

function get(url: string, redirects = 5, timeoutMs = 30000): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const client = url.startsWith("https:") ? https : http;
    const req = client.get(url, (res) => {
      const status = res.statusCode ?? 0;
      if (status >= 300 && status < 400 && res.headers.location && redirects > 0) {
        res.resume();
        resolve(get(new URL(res.headers.location, url).toString(), redirects - 1, timeoutMs));
        return;
      }
      if (status !== 200) {
        res.resume();
        reject(new Error(`HTTP ${status} for ${url}`));
        return;
      }
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve(Buffer.concat(chunks)));
      res.on("error", reject);
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`timed out after ${timeoutMs / 1000} s fetching ${url}`)));
    req.on("error", reject);
  });
}

export interface MnistOptions {
  cacheDir?: string;
  baseUrls?: string[];
  checksums?: Record<string, Checksum>;
  timeoutMs?: number;
}

/** Downloads (once) and verifies one file; a corrupt download is never left in the cache. */
async function ensureFile(name: string, opts: Required<MnistOptions>): Promise<string> {
  const target = path.join(opts.cacheDir, name);
  const expected = opts.checksums[name];
  const advice = `Delete ${target} and run again to download it afresh.`;
  if (fs.existsSync(target)) {
    verifyChecksum(target, expected, advice);
    return target;
  }
  fs.mkdirSync(opts.cacheDir, { recursive: true });
  const failures: string[] = [];
  for (const base of opts.baseUrls) {
    const url = base.replace(/\/?$/, "/") + name;
    let body: Buffer;
    try {
      body = await get(url, 5, opts.timeoutMs);
    } catch (e) {
      failures.push(`${url}: ${(e as Error).message}`);
      continue;
    }
    const partial = `${target}.part`;
    fs.writeFileSync(partial, body);
    try {
      verifyChecksum(partial, expected, "The mirror served a damaged file.");
    } catch (e) {
      fs.rmSync(partial, { force: true });
      failures.push(`${url}: ${(e as Error).message}`);
      continue;
    }
    fs.renameSync(partial, target);
    return target;
  }
  throw new Error(
    `Could not download MNIST file ${name}:\n  ${failures.join("\n  ")}\n` +
    `MNIST needs a network connection the first time (files are cached in ${opts.cacheDir}). ` +
    `Offline, use the shipped Fashion-MNIST (loadFashionMnist()), or copy the four official .gz files into that folder.`);
}

/** Loads MNIST, downloading the official files into the cache on first use. */
export async function loadMnist(options: MnistOptions = {}): Promise<TrainTest> {
  const opts: Required<MnistOptions> = {
    cacheDir: options.cacheDir ?? path.join(process.env.AE_DATA_CACHE ?? path.join(projectRoot(), ".cache"), "mnist"),
    baseUrls: options.baseUrls ?? MNIST_URLS,
    checksums: options.checksums ?? MNIST_CHECKSUMS,
    timeoutMs: options.timeoutMs ?? 30000,
  };
  const files: Record<string, string> = {};
  for (const [key, name] of Object.entries(IDX_FILES)) files[key] = await ensureFile(name, opts);
  return {
    train: datasetFromIdx(files.trainImages, files.trainLabels, MNIST_CLASSES, "MNIST train"),
    test: datasetFromIdx(files.testImages, files.testLabels, MNIST_CLASSES, "MNIST test"),
  };
}
