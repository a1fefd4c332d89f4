// The stop button, through a real kernel: jupyter_client starts the course's kernel, runs a training
// cell long enough to matter, interrupts it as JupyterLab's ■ does (interrupt_kernel: a SIGINT), and
// checks that the cell ends as interrupted within seconds, says where it stopped, and that the next
// cell can go on training the same model.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "child_process";
import * as path from "path";
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { jupyterEnv, pythonWith, KERNEL_NAME } = require("../../tools/jupyter-env.js");

const root = path.resolve(__dirname, "..", "..");

// The model is made in a cell of its own: tslab keeps the declarations of a cell only when the cell
// completes, so what an interrupted cell declares is gone for the cells after it. (No shorthand
// properties like `{ loss }`: tslab does not rewrite those to the previous cells' declarations.)
const SETUP_CELL = `import * as ae from "autoencoders";
const tf = ae.tf;
await ae.ready();
const data = ae.data.loadMnist().train.take(6000);
const model = new ae.models.MlpAutoencoder({ inputSize: 784, hidden: [256], codeSize: 16, seed: 1 });
const optimizer = tf.train.adam(1e-3);
const loss = (b: ae.data.Batch) => ae.losses.binaryCrossEntropyFromLogits(model.decodeLogits(model.encode(b.x)), b.x);`;

const TRAINING_CELL = `await ae.training.train({ train: data, epochs: 200, batchSize: 64, seed: 1, variables: model.variables, optimizer: optimizer, loss: loss, progress: "none" });
console.log("TRAINING FINISHED");`;

const NEXT_CELL = `const more = await ae.training.train({ train: data.take(640), epochs: 1, batchSize: 64, seed: 2, variables: model.variables, optimizer: optimizer, loss: loss, progress: "none" });
console.log(\`NEXT CELL TRAINED: loss \${more.epochs[0].loss.toFixed(4)}, \${tf.memory().numTensors} tensors\`);`;

// A long synchronous computation after an await, where tslab no longer watches for SIGINT: label
// spreading told to iterate for ever.
const SPREADING_CELL = `await new Promise((resolve) => setTimeout(resolve, 10));
const pool = data.take(1000);
ae.metrics.labelSpreading({ features: pool.images.slice(0, 784 * 50), labels: pool.labels.slice(0, 50) }, pool.images.slice(784 * 50), 10, { iterations: 1e9, tolerance: -1 });
console.log("SPREADING FINISHED");`;

const AFTER_SPREADING_CELL = `const kept = tf.tidy(() => tf.add(tf.ones([3]), 1));
console.log(\`NEXT CELL RAN: \${(tf.engine().state as any).scopeStack.length} scopes open, tidy gives \${kept.dataSync().join(",")}\`);
kept.dispose();`;

// Runs the setup cell, then the training cell, interrupts it after `AFTER` seconds, waits for its
// reply, then runs the next cell.
const DRIVER = `
import json, sys, time
from jupyter_client.manager import start_new_kernel
name, setup, first, second, after = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], float(sys.argv[5])
km, kc = start_new_kernel(kernel_name=name)
def collect(msg_id, timeout):
    out, status, end = [], None, time.time() + timeout
    while True:
        msg = kc.get_iopub_msg(timeout=max(1, end - time.time()))
        if msg["parent_header"].get("msg_id") != msg_id: continue
        if msg["msg_type"] == "stream": out.append(msg["content"]["text"])
        if msg["msg_type"] == "error": out.append(msg["content"].get("evalue", ""))
        if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle": break
    while True:
        reply = kc.get_shell_msg(timeout=max(1, end - time.time()))
        if reply["parent_header"].get("msg_id") == msg_id: status = reply["content"]["status"]; break
    return status, "".join(out)
try:
    status0, out0 = collect(kc.execute(setup), 120)
    if status0 != "ok": raise SystemExit(f"the setup cell failed: {out0}")
    started = time.time()
    msg_id = kc.execute(first)
    time.sleep(after)
    km.interrupt_kernel()
    interrupted = time.time()
    status, out = collect(msg_id, 120)
    stopped = time.time()
    time.sleep(0.5)  # tslab aborts requests that arrive within 200 ms of a failed cell (a person is slower)
    status2, out2 = collect(kc.execute(second), 120)
    print(json.dumps({"status": status, "out": out, "secondsToStop": stopped - interrupted, "ranFor": interrupted - started,
                      "nextStatus": status2, "nextOut": out2}))
finally:
    km.shutdown_kernel(now=True)
`;

describe("interrupting training in a real kernel", () => {
  it("the stop button ends a training cell within seconds, says where, and the next cell trains on", (t) => {
    const py = pythonWith("jupyter_client");
    assert.ok(py, "no Python with jupyter_client (Debian: apt-get install jupyter-client python3-nbclient)");
    const r = spawnSync(py, ["-c", DRIVER, KERNEL_NAME, SETUP_CELL, TRAINING_CELL, NEXT_CELL, "12"], { encoding: "utf8", cwd: root, env: jupyterEnv({ AE_MODE: "quick" }), timeout: 300_000 });
    assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
    const run = JSON.parse(r.stdout.trim().split("\n").pop()!);
    assert.notEqual(run.status, "ok", `the cell ended "${run.status}", not as interrupted:\n${run.out}`);
    assert.doesNotMatch(run.out, /TRAINING FINISHED/, "training ran to the end");
    assert.match(run.out, /interrupted at epoch \d+, batch \d+ of 94: the weights are those of the last completed step/);
    assert.ok(run.secondsToStop < 15, `the cell took ${run.secondsToStop.toFixed(1)} s to stop`);
    t.diagnostic(`the cell ended ${run.secondsToStop.toFixed(2)} s after the interrupt`);
    assert.equal(run.nextStatus, "ok", run.nextOut);
    assert.match(run.nextOut, /NEXT CELL TRAINED: loss 0\.\d+/);
  });

  it("the stop button ends a long synchronous computation (label spreading after an await) at once, and TensorFlow.js works on", (t) => {
    const py = pythonWith("jupyter_client")!;
    const r = spawnSync(py, ["-c", DRIVER, KERNEL_NAME, SETUP_CELL, SPREADING_CELL, AFTER_SPREADING_CELL, "6"], { encoding: "utf8", cwd: root, env: jupyterEnv({ AE_MODE: "quick" }), timeout: 300_000 });
    assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
    const run = JSON.parse(r.stdout.trim().split("\n").pop()!);
    assert.notEqual(run.status, "ok", `the cell ended "${run.status}", not as interrupted:\n${run.out}`);
    assert.doesNotMatch(run.out, /SPREADING FINISHED/);
    assert.match(run.out, /label spreading interrupted: it changed nothing/);
    assert.ok(run.secondsToStop < 5, `the cell took ${run.secondsToStop.toFixed(1)} s to stop`);
    t.diagnostic(`the cell ended ${run.secondsToStop.toFixed(2)} s after the interrupt`);
    assert.equal(run.nextStatus, "ok", run.nextOut);
    assert.match(run.nextOut, /NEXT CELL RAN: 0 scopes open, tidy gives 2,2,2/);
  });
});
