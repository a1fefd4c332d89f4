// The kernel's zeromq sends are chained per socket (display/jupyter.ts): tslab fires sends without
// awaiting them, and a send issued while another is in flight throws EBUSY and kills the kernel.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import * as path from "node:path";
import { serializeKernelSends } from "../../lib/src/display/jupyter";

const zmq = require(require.resolve("zeromq", { paths: [path.dirname(require.resolve("tslab/dist/jupyter"))] }));
const socketProto = Object.getPrototypeOf(zmq.Publisher.prototype);

describe("serializeKernelSends", () => {
  it("replaces the socket send of tslab's zeromq, once", () => {
    const original = socketProto.send;
    serializeKernelSends();
    const wrapped = socketProto.send;
    assert.notEqual(wrapped, original, "send is wrapped");
    serializeKernelSends();
    assert.equal(socketProto.send, wrapped, "a second call does not wrap again");
  });

  it("delivers many large unawaited sends in order", async () => {
    serializeKernelSends();
    const pub = new zmq.Publisher();
    await pub.bind("tcp://127.0.0.1:*");
    const sub = new zmq.Subscriber();
    sub.connect(pub.lastEndpoint);
    sub.subscribe();
    await new Promise((r) => setTimeout(r, 200)); // let the subscription reach the publisher
    const big = Buffer.alloc(2_000_000, 7);
    const n = 30;
    for (let i = 0; i < n; i++) pub.send([String(i), big]); // not awaited, like tslab
    const received: number[] = [];
    for await (const [key] of sub) {
      received.push(Number(key.toString()));
      if (received.length === n) break;
    }
    assert.deepEqual(received, Array.from({ length: n }, (_, i) => i));
    pub.close();
    sub.close();
  });

  it("turns a send that throws into a logged error instead of an exception in the caller", async () => {
    serializeKernelSends();
    const errors: string[] = [];
    const log = console.error;
    console.error = (m: string) => errors.push(String(m));
    try {
      // Not a socket: the native send throws; the wrapper must not throw synchronously.
      const result = socketProto.send.call({}, ["x"]);
      await result.catch(() => undefined);
    } finally {
      console.error = log;
    }
    assert.equal(errors.length, 1);
    assert.match(errors[0], /kernel message not sent/);
  });
});
