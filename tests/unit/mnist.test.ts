// loadMnist's download path against a local HTTP server: it downloads, verifies, caches, falls back
// to the next mirror, and explains network failures. No real network is used.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import * as crypto from "crypto";
import * as fs from "fs";
import * as http from "http";
import { AddressInfo } from "net";
import * as path from "path";
import * as zlib from "zlib";
import { Checksum, IDX_FILES, MNIST_CLASSES, loadMnist } from "../../lib/src/data";
import { idxBuffer, tempDir } from "./helpers";

const tmp = tempDir("mnist");
const sizes = { train: 12, test: 5 };

// Four small MNIST-style files: image i is filled with the value i, its label is i mod 10.
function imagesFile(n: number): Buffer {
  return zlib.gzipSync(idxBuffer([n, 28, 28], Uint8Array.from({ length: n * 784 }, (_, j) => Math.floor(j / 784))));
}
function labelsFile(n: number): Buffer {
  return zlib.gzipSync(idxBuffer([n], Uint8Array.from({ length: n }, (_, i) => i % 10)));
}
const files: Record<string, Buffer> = {
  [IDX_FILES.trainImages]: imagesFile(sizes.train),
  [IDX_FILES.trainLabels]: labelsFile(sizes.train),
  [IDX_FILES.testImages]: imagesFile(sizes.test),
  [IDX_FILES.testLabels]: labelsFile(sizes.test),
};
const md5 = (b: Buffer) => crypto.createHash("md5").update(b).digest("hex");
const checksums: Record<string, Checksum> = Object.fromEntries(
  Object.entries(files).map(([name, body]) => [name, { algorithm: "md5", hex: md5(body) }]));

const requests: string[] = [];
let server: http.Server;
let base = "";

before(async () => {
  server = http.createServer((req, res) => {
    requests.push(req.url ?? "");
    const m = (req.url ?? "").match(/^\/mnist\/([^/]+)$/);
    if (req.url?.startsWith("/hang/")) return; // never answers: for the timeout test
    if (m && files[m[1]]) {
      res.writeHead(200, { "Content-Type": "application/gzip" });
      res.end(files[m[1]]);
    } else {
      res.writeHead(404);
      res.end("not found");
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  tmp.cleanup();
});

const cacheDir = (name: string) => path.join(tmp.dir, name);

describe("loadMnist from a mirror", () => {
  it("downloads the four files, verifies them and builds the datasets", async () => {
    requests.length = 0;
    const { train, test } = await loadMnist({ cacheDir: cacheDir("ok"), baseUrls: [`${base}/mnist/`], checksums });
    assert.equal(requests.length, 4);
    assert.equal(train.size, sizes.train);
    assert.equal(test.size, sizes.test);
    assert.deepEqual(train.classNames, MNIST_CLASSES);
    assert.deepEqual(Array.from(test.labels), [0, 1, 2, 3, 4]);
    assert.ok(Math.abs(train.image(3)[100] - 3 / 255) < 1e-7, "pixels are scaled to [0, 1]");
    for (const name of Object.values(IDX_FILES)) assert.ok(fs.existsSync(path.join(cacheDir("ok"), name)));
  });

  it("uses the cache on the second call: no HTTP request at all", async () => {
    requests.length = 0;
    const { train } = await loadMnist({ cacheDir: cacheDir("ok"), baseUrls: [`${base}/mnist`], checksums });
    assert.equal(requests.length, 0);
    assert.equal(train.size, sizes.train);
  });

  it("falls back to the next mirror when the first answers 404", async () => {
    requests.length = 0;
    const { test } = await loadMnist({ cacheDir: cacheDir("fallback"), baseUrls: [`${base}/gone/`, `${base}/mnist/`], checksums });
    assert.equal(test.size, sizes.test);
    assert.equal(requests.filter((u) => u.startsWith("/gone/")).length, 4);
    assert.equal(requests.filter((u) => u.startsWith("/mnist/")).length, 4);
  });

  it("rejects a download with the wrong checksum and leaves nothing of it in the cache", async () => {
    const dir = cacheDir("bad-sum");
    const wrong = { ...checksums, [IDX_FILES.testImages]: { algorithm: "md5" as const, hex: md5(Buffer.from("something else")) } };
    await assert.rejects(loadMnist({ cacheDir: dir, baseUrls: [`${base}/mnist/`], checksums: wrong }), (e: Error) => {
      assert.match(e.message, new RegExp(`Could not download MNIST file ${IDX_FILES.testImages}`));
      assert.match(e.message, /md5 checksum mismatch/);
      assert.match(e.message, /The mirror served a damaged file/);
      return true;
    });
    const left = fs.readdirSync(dir);
    assert.ok(!left.some((f) => f.startsWith(IDX_FILES.testImages)), `no ${IDX_FILES.testImages}(.part) in the cache: ${left}`);
  });

  it("names a damaged cached file and says to delete it", async () => {
    const dir = cacheDir("damaged-cache");
    fs.mkdirSync(dir);
    const damaged = path.join(dir, IDX_FILES.trainImages);
    fs.writeFileSync(damaged, "not the file");
    requests.length = 0;
    await assert.rejects(loadMnist({ cacheDir: dir, baseUrls: [`${base}/mnist/`], checksums }), (e: Error) => {
      assert.ok(e.message.includes(damaged), e.message);
      assert.match(e.message, /checksum mismatch.*Delete .* and run again/);
      return true;
    });
    assert.equal(requests.length, 0);
  });
});

describe("loadMnist without a usable network", () => {
  function offlineError(e: Error): true {
    assert.match(e.message, /Could not download MNIST file/);
    assert.match(e.message, /needs a network connection/);
    assert.match(e.message, /Offline, use the shipped Fashion-MNIST \(loadFashionMnist\(\)\)/);
    return true;
  }

  it("explains a 404 on every mirror", async () => {
    await assert.rejects(loadMnist({ cacheDir: cacheDir("404"), baseUrls: [`${base}/nothing-here/`], checksums }), (e: Error) => {
      assert.match(e.message, /HTTP 404/);
      return offlineError(e);
    });
  });

  it("explains an unreachable server (a closed port)", async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    await assert.rejects(loadMnist({ cacheDir: cacheDir("refused"), baseUrls: [`http://127.0.0.1:${port}/`], checksums }), (e: Error) => {
      assert.match(e.message, /ECONNREFUSED/);
      return offlineError(e);
    });
  });

  it("gives up on a server that never answers after timeoutMs", async () => {
    await assert.rejects(loadMnist({ cacheDir: cacheDir("hang"), baseUrls: [`${base}/hang/`], checksums, timeoutMs: 300 }), (e: Error) => {
      assert.match(e.message, /timed out after 0.3 s/);
      return offlineError(e);
    });
  });
});
