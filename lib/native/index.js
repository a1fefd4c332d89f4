// Loads the native BLAS addon if it was built and its library loads; otherwise says why not.
"use strict";
const fs = require("fs");
const path = require("path");

function load() {
  const addon = path.join(__dirname, "build", "Release", "ae_blas.node");
  if (!fs.existsSync(addon)) {
    let reason = "the native BLAS addon is not built (npm rebuild autoencoders-native)";
    try { reason = JSON.parse(fs.readFileSync(path.join(__dirname, "build", "status.json"), "utf8")).reason || reason; } catch { /* never built */ }
    return { reason };
  }
  try {
    return { blas: require(addon) };
  } catch (e) {
    const first = String(e && e.message).split("\n")[0];
    const missingLibrary = /libopenblas|libblas|cannot open shared object/.test(first);
    return { reason: missingLibrary ? `libopenblas not found at run time (${first}); apt-get install libopenblas0` : `the native BLAS addon did not load: ${first}` };
  }
}

module.exports = { load };
