import * as crypto from "crypto";
import * as fs from "fs";
import { DatasetFileError } from "./idx";

export interface Checksum {
  algorithm: "sha256" | "md5";
  hex: string;
}

export function fileDigest(file: string, algorithm: Checksum["algorithm"]): string {
  return crypto.createHash(algorithm).update(fs.readFileSync(file)).digest("hex");
}

/** Throws a DatasetFileError naming the file when its digest differs from the expected one. */
export function verifyChecksum(file: string, expected: Checksum, advice: string): void {
  if (!fs.existsSync(file)) throw new DatasetFileError(file, "file not found", advice);
  const actual = fileDigest(file, expected.algorithm);
  if (actual !== expected.hex.toLowerCase()) {
    throw new DatasetFileError(file, `${expected.algorithm} checksum mismatch (expected ${expected.hex}, got ${actual}): the file is corrupt or was replaced`, advice);
  }
}

/** Reads a `sha256sum`-style file: "<hex>  <name>" per line. */
export function readSha256Sums(file: string): Map<string, Checksum> {
  const sums = new Map<string, Checksum>();
  for (const line of fs.readFileSync(file, "utf8").split("\n")) {
    const m = line.trim().match(/^([0-9a-f]{64})\s+\*?(.+)$/i);
    if (m) sums.set(m[2], { algorithm: "sha256", hex: m[1] });
  }
  return sums;
}
