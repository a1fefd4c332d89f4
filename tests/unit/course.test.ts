// Results recorded by one notebook and read by another (never typed in).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import * as fs from "fs";
import * as path from "path";
import { QUICK_MODE_NOTICE, record, recordedBy, settings } from "../../lib/src/course";
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

describe("settings", () => {
  it("in quick mode, says once that the numbers are not the course's; in full mode, says nothing", () => {
    const saved = process.env.AE_MODE;
    const log = console.log;
    const printed: string[] = [];
    console.log = (...args: unknown[]) => { printed.push(args.join(" ")); };
    try {
      process.env.AE_MODE = "full";
      assert.deepEqual(settings({ full: { epochs: 20 }, quick: { epochs: 1 } }), { epochs: 20 });
      assert.deepEqual(printed, []);
      process.env.AE_MODE = "quick";
      assert.deepEqual(settings({ full: { epochs: 20, images: 60000 }, quick: { epochs: 1 } }), { epochs: 1, images: 60000 });
      settings({ full: { epochs: 20 }, quick: { epochs: 1 } });
      assert.deepEqual(printed, [QUICK_MODE_NOTICE]);
      assert.match(QUICK_MODE_NOTICE, /not the ones its text discusses/);
    } finally {
      console.log = log;
      if (saved === undefined) delete process.env.AE_MODE; else process.env.AE_MODE = saved;
    }
  });
});
