// Results recorded by one notebook and read by another (never typed in).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import * as fs from "fs";
import * as path from "path";
import { record, recordedBy } from "../../lib/src/course";
import { tempDir } from "./helpers";

describe("record and recordedBy", () => {
  it("a notebook reads what another recorded in the same course run", () => {
    const { dir, cleanup } = tempDir("results");
    const saved = process.env.AE_RESULTS;
    try {
      process.env.AE_RESULTS = path.join(dir, "09-x.json");
      record("ssl.m2.mean", 0.7);
      record("ssl.m2.runs", [0.69, 0.71]);
      process.env.AE_RESULTS = path.join(dir, "10-y.json");
      const got = recordedBy("09-x");
      assert.ok(got);
      assert.deepEqual(got.results, { "ssl.m2.mean": 0.7, "ssl.m2.runs": [0.69, 0.71] });
      assert.equal(got.from, path.join(dir, "09-x.json"));
      assert.ok(!fs.existsSync(path.join(dir, "10-y.json")), "reading records nothing");
    } finally {
      if (saved === undefined) delete process.env.AE_RESULTS; else process.env.AE_RESULTS = saved;
      cleanup();
    }
  });

  it("returns undefined for a notebook that recorded nothing", () => {
    assert.equal(recordedBy("99-never-run-notebook"), undefined);
  });
});
