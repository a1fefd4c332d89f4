// The course library. Notebooks import it once: `import * as ae from "autoencoders";`
// then `await ae.ready()` to select the backend.
export * as tf from "@tensorflow/tfjs";
export { ready, selectBackend, describeBackend, installWasmFixes, BackendInfo } from "./backend";
export { mode, settings, record, results, recordedBy, Mode } from "./course";
export { seededRandom, permutation, normalQuantile, setNoiseSeed, noiseSeed, mixSeeds } from "./random";

export * as data from "./data";
export * as models from "./models";
export * as losses from "./losses";
export * as training from "./training";
export * as metrics from "./metrics";
export * as compression from "./compression";
export * as plots from "./plots";
export * as grading from "./grading";
export * as embeddings from "./embeddings";

import { ready } from "./backend";
// Start choosing the backend as soon as the library loads; notebooks await ready() for the result.
ready().catch(() => { /* reported when ready() is awaited */ });
