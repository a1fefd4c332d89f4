// IDX is the file format of MNIST and Fashion-MNIST: a 4-byte magic number (0, 0, type, rank), one
// big-endian uint32 per dimension, then the data. We read unsigned-byte files, gzip-compressed or not.
import * as fs from "fs";
import * as zlib from "zlib";

export interface IdxArray {
  dims: number[];
  data: Uint8Array;
}

export class DatasetFileError extends Error {
  constructor(public readonly file: string, problem: string, advice: string) {
    super(`${file}: ${problem}. ${advice}`);
    this.name = "DatasetFileError";
  }
}

const REPAIR = "Restore the file (git checkout -- datasets/) and retry.";

/** Parses an uncompressed IDX buffer of unsigned bytes; `file` names it in errors. */
export function parseIdx(buf: Uint8Array, file: string): IdxArray {
  if (buf.length < 4) throw new DatasetFileError(file, `truncated: only ${buf.length} bytes, not even an IDX header`, REPAIR);
  if (buf[0] !== 0 || buf[1] !== 0) {
    throw new DatasetFileError(file, `wrong magic number 0x${Buffer.from(buf.subarray(0, 4)).toString("hex")} (an IDX file starts with 0x0000)`, REPAIR);
  }
  if (buf[2] !== 0x08) {
    throw new DatasetFileError(file, `IDX element type 0x${buf[2].toString(16)} is not unsigned byte (0x08)`, "Only unsigned-byte IDX files (MNIST-style images and labels) are supported.");
  }
  const rank = buf[3];
  const headerBytes = 4 + 4 * rank;
  if (rank === 0 || buf.length < headerBytes) throw new DatasetFileError(file, `truncated IDX header (rank ${rank}, ${buf.length} bytes)`, REPAIR);
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const dims: number[] = [];
  for (let i = 0; i < rank; i++) dims.push(view.getUint32(4 + 4 * i, false));
  const expected = dims.reduce((a, b) => a * b, 1);
  const have = buf.length - headerBytes;
  if (have < expected) {
    throw new DatasetFileError(file, `truncated: dimensions ${dims.join("×")} need ${expected} data bytes but the file has ${have}`, REPAIR);
  }
  if (have > expected) {
    throw new DatasetFileError(file, `corrupt: ${have - expected} unexpected bytes after the ${dims.join("×")} data`, REPAIR);
  }
  return { dims, data: buf.subarray(headerBytes) };
}

/** Reads an IDX file, gunzipping it when it starts with the gzip magic bytes. */
export function readIdxFile(file: string): IdxArray {
  if (!fs.existsSync(file)) throw new DatasetFileError(file, "file not found", REPAIR);
  let buf: Uint8Array = fs.readFileSync(file);
  if (buf[0] === 0x1f && buf[1] === 0x8b) {
    try {
      buf = zlib.gunzipSync(buf);
    } catch (e) {
      throw new DatasetFileError(file, `corrupt gzip data (${(e as Error).message})`, REPAIR);
    }
  }
  return parseIdx(buf, file);
}
