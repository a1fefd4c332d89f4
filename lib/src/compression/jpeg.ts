// JPEG as the baseline codec: images go through a real encoder (MozJPEG, compiled to WebAssembly by
// the @jsquash/jpeg package) and back, and we measure the bytes. For 28×28 images the headers are
// as large as the picture data, so we split the file three ways: the entropy-coded scan (the
// picture), the Huffman tables (MozJPEG optimises them for each image, so they are part of that
// image's cost) and the rest (quantisation tables, frame and scan headers), which is the same for
// every image at one quality and would be sent once for a whole collection.
import * as fs from "fs";
import * as path from "path";
import { pathToFileURL } from "url";

// Node's global, which the library's TypeScript settings (no DOM types) do not declare.
declare const WebAssembly: { compile(bytes: Uint8Array): Promise<unknown> };

export interface JpegRoundTrip {
  quality: number;
  /** Mean bytes of the entropy-coded scan, per image. */
  scanBytesPerImage: number;
  /** Mean bytes of the image's own Huffman tables. */
  huffmanTableBytesPerImage: number;
  /** Bytes that every image at this quality shares (markers, quantisation tables, frame and scan headers). */
  sharedBytes: number;
  /** The decoded images, row-major, values in [0, 1]. */
  decoded: Float32Array;
}

type Codec = {
  encode: (image: { data: Uint8ClampedArray; width: number; height: number }, options: Record<string, unknown>) => Promise<ArrayBuffer>;
  decode: (data: ArrayBuffer) => Promise<{ data: Uint8ClampedArray; width: number; height: number }>;
};
let codec: Promise<Codec> | undefined;

// The package is an ES module; TypeScript would turn `import()` into `require()` in our CommonJS
// output, so the dynamic import is built at run time.
const importEsm = new Function("specifier", "return import(specifier)") as (s: string) => Promise<any>;

function loadCodec(): Promise<Codec> {
  codec ??= (async () => {
    const root = path.dirname(require.resolve("@jsquash/jpeg/package.json"));
    const quiet = { print: () => {}, printErr: () => {} }; // libjpeg's "Caution" lines are not errors
    const enc = await importEsm(pathToFileURL(path.join(root, "encode.js")).href);
    const dec = await importEsm(pathToFileURL(path.join(root, "decode.js")).href);
    await enc.init(await WebAssembly.compile(fs.readFileSync(path.join(root, "codec/enc/mozjpeg_enc.wasm"))), quiet);
    await dec.init(await WebAssembly.compile(fs.readFileSync(path.join(root, "codec/dec/mozjpeg_dec.wasm"))), quiet);
    return { encode: enc.default, decode: dec.default };
  })();
  return codec;
}

/** Where a single-scan JPEG's bytes go: the scan, the Huffman table segments, and everything else. */
export function jpegParts(file: Uint8Array): { scanBytes: number; huffmanTableBytes: number; otherBytes: number } {
  if (file[0] !== 0xff || file[1] !== 0xd8) throw new Error("not a JPEG file: it does not start with the SOI marker");
  let huffmanTableBytes = 0;
  for (let i = 2; i + 3 < file.length;) {
    if (file[i] !== 0xff) throw new Error(`malformed JPEG: expected a marker at byte ${i}`);
    const marker = file[i + 1], length = (file[i + 2] << 8) | file[i + 3];
    if (marker === 0xc4) huffmanTableBytes += 2 + length;
    if (marker === 0xda) {
      // The scan runs from the end of its header to the end-of-image marker (2 bytes).
      const scanBytes = file.length - (i + 2 + length) - 2;
      return { scanBytes, huffmanTableBytes, otherBytes: file.length - scanBytes - huffmanTableBytes };
    }
    i += 2 + length;
  }
  throw new Error("malformed JPEG: no start-of-scan marker");
}

/**
 * Encodes greyscale images (row-major `count × height × width` values in [0, 1]) as baseline JPEG
 * (one scan) at `quality` (1–100) and decodes them again.
 */
export async function jpegRoundTrip(images: Float32Array, width: number, height: number, quality: number): Promise<JpegRoundTrip> {
  if (!(quality >= 1 && quality <= 100)) throw new RangeError(`JPEG quality must be in 1..100, got ${quality}`);
  const pixels = width * height;
  if (images.length === 0 || images.length % pixels !== 0) throw new Error(`jpegRoundTrip: ${images.length} values are not whole ${width}×${height} images`);
  const { encode, decode } = await loadCodec();
  const count = images.length / pixels;
  const decoded = new Float32Array(images.length);
  const rgba = new Uint8ClampedArray(pixels * 4);
  let scanBytes = 0, tableBytes = 0, sharedBytes = 0;
  for (let n = 0; n < count; n++) {
    for (let p = 0; p < pixels; p++) {
      const v = Math.round(images[n * pixels + p] * 255);
      rgba[4 * p] = rgba[4 * p + 1] = rgba[4 * p + 2] = v;
      rgba[4 * p + 3] = 255;
    }
    const file = new Uint8Array(await encode({ data: rgba, width, height }, {
      quality, color_space: 1 /* greyscale */, baseline: true, progressive: false,
    }));
    const parts = jpegParts(file);
    scanBytes += parts.scanBytes;
    tableBytes += parts.huffmanTableBytes;
    sharedBytes = parts.otherBytes;
    const image = await decode(file.buffer as ArrayBuffer);
    for (let p = 0; p < pixels; p++) decoded[n * pixels + p] = image.data[4 * p] / 255;
  }
  return { quality, scanBytesPerImage: scanBytes / count, huffmanTableBytesPerImage: tableBytes / count, sharedBytes, decoded };
}
