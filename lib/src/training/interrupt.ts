// Stopping a long loop from outside: JupyterLab's ■ (and jupyter_client's interrupt_kernel) send the
// kernel a SIGINT, as Ctrl-C does to a script. Node runs a signal's listeners only when JavaScript
// gives the event loop a turn, and a training loop that never awaits never gives it one: the
// interrupt used to wait for the last epoch. A loop therefore calls `await check(where)` after each
// completed step: every 100 ms it yields a turn, and once a SIGINT has come it throws, so the model
// keeps the weights of its last completed step and the next cell can use or train it further.

import * as tf from "@tensorflow/tfjs";
import * as vm from "vm";

/** Thrown by `check` after an interrupt; its message says where the loop stopped. */
export class TrainingInterruptedError extends Error {
  constructor(readonly where: string) {
    super(`interrupted at ${where}: the weights are those of the last completed step`);
    this.name = "TrainingInterruptedError";
  }
}

const YIELD_EVERY_MS = 100;

export interface InterruptListener {
  /** After each completed step: `where` is that step ("epoch 3, batch 120 of 469"). Throws once interrupted. */
  check(where: string): Promise<void>;
  /** Removes the SIGINT listener (call it in a `finally`). */
  stop(): void;
}

/**
 * Listens for SIGINT while a loop runs. In a kernel (tslab listens too and ends the cell as
 * interrupted) the loop stops at its next check; in a script, where nothing else listens, the process
 * ends with code 130 as Ctrl-C would, after saying where it stopped.
 */
export function listenForInterrupt(): InterruptListener {
  let interrupted = false;
  let listening = false;
  let where = "the start, before the first step";
  let lastYield = Date.now();
  const onSigint = () => {
    interrupted = true;
    // Said now, while the cell is still the one running: the error thrown at the next check may
    // arrive after the kernel has already reported the cell as interrupted.
    console.error(new TrainingInterruptedError(where).message);
    // In a script nothing else listens: end as Ctrl-C would, having said where.
    if (process.listenerCount("SIGINT") === 1) process.exit(130);
  };
  return {
    async check(step: string) {
      where = step;
      if (!listening || Date.now() - lastYield >= YIELD_EVERY_MS) {
        // A timer turn. Also why the listener is added only after the first one: a tslab cell's
        // first synchronous part runs inside vm's breakOnSigint, and a SIGINT listener added there
        // left the process with the default action (measured: the next interrupt killed the kernel).
        await new Promise((resolve) => setTimeout(resolve, 0));
        lastYield = Date.now();
        if (!listening) {
          process.on("SIGINT", onSigint);
          listening = true;
        }
      }
      if (interrupted) throw new TrainingInterruptedError(where);
    },
    stop() {
      if (listening) process.removeListener("SIGINT", onSigint);
      listening = false;
    },
  };
}

/** Thrown by `interruptibly` when a long computation was stopped; it changed nothing. */
export class ComputationInterruptedError extends Error {
  constructor(readonly what: string) {
    super(`${what} interrupted: it changed nothing, so run the cell again to start it over`);
    this.name = "ComputationInterruptedError";
  }
}

let workSlot = 0;

/**
 * Runs a long synchronous computation (k-means, label spreading, an IWAE bound, an embedding) so that
 * a SIGINT stops it at once. A loop that never yields never lets a SIGINT listener run, and after a
 * cell's first `await` tslab no longer watches for one; vm's `breakOnSigint` does, for exactly the
 * duration of a script, so the work runs as that script. The interrupt terminates the script without
 * running its `finally` blocks, tf.tidy's among them, so TensorFlow.js's bookkeeping is put back as it
 * was (open scopes ended, freeing their tensors). Nothing is half-done: the function returns its
 * result or throws, and the caller's inputs are unchanged.
 */
export function interruptibly<T>(what: string, work: () => T): T {
  // The script reaches the work through a global slot of its own, removed at once.
  const slot = `__aeInterruptibleWork${++workSlot}`;
  const g = globalThis as Record<string, unknown>;
  const state = tf.engine().state as unknown as { scopeStack: unknown[]; kernelDepth: number; gradientDepth: number; activeTape: unknown; numDataMovesStack: number[] };
  const saved = { scopes: state.scopeStack.length, kernelDepth: state.kernelDepth, gradientDepth: state.gradientDepth, activeTape: state.activeTape, moves: state.numDataMovesStack.length };
  g[slot] = work;
  try {
    return new vm.Script(`globalThis.${slot}()`).runInThisContext({ breakOnSigint: true }) as T;
  } catch (e) {
    if (!(e instanceof Error && /Script execution was interrupted by `SIGINT`/.test(e.message))) throw e;
    while (state.scopeStack.length > saved.scopes) tf.engine().endScope();
    Object.assign(state, { kernelDepth: saved.kernelDepth, gradientDepth: saved.gradientDepth, activeTape: saved.activeTape });
    state.numDataMovesStack.length = Math.min(state.numDataMovesStack.length, saved.moves);
    throw new ComputationInterruptedError(what);
  } finally {
    delete g[slot];
  }
}
