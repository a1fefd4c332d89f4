// A small seeded generator so that shuffles, splits and subsets are reproducible across runs and
// backends (Math.random cannot be seeded).

/** mulberry32: 32-bit state, fast, good enough for shuffling. Returns floats in [0, 1). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A permutation of 0..n-1 (Fisher–Yates) drawn from the seed. */
export function permutation(n: number, seed: number): Int32Array {
  const rand = seededRandom(seed);
  const p = new Int32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    const t = p[i]; p[i] = p[j]; p[j] = t;
  }
  return p;
}

/**
 * The standard normal quantile Φ⁻¹(p) for p in (0, 1) (Acklam's rational approximation, relative
 * error below 1.2e-9): the prior's quantiles, e.g. a latent grid that covers N(0, 1) evenly.
 */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`normalQuantile: p must be in (0, 1), got ${p}`);
  const a = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
  const b = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
  const c = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
  const tail = (q: number) => (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  if (p < 0.02425) return tail(Math.sqrt(-2 * Math.log(p)));
  if (p > 1 - 0.02425) return -tail(Math.sqrt(-2 * Math.log(1 - p)));
  const q = p - 0.5, r = q * q;
  return ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q) / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
}

// The course's noise stream: every random draw a caller does not seed (a VAE's reparameterisation
// noise, a dynamic binarisation, a prior sample) takes its seed from here instead of Math.random, so
// that a notebook run top to bottom draws the same noise every time. train() restarts the stream at
// every step from (its seed, epoch, batch, phase), so a step's noise does not depend on what ran before.
let noiseStream = seededRandom(0x5eed);

/** Restarts the noise stream from a seed. */
export function setNoiseSeed(seed: number): void {
  noiseStream = seededRandom(seed);
}

// tfjs treats a seed of 0 as "no seed" and draws from Math.random: 0 is mapped to this fixed seed.
const SEED_FOR_ZERO = 0x9e3779b9;

/** The seed to draw with: `seed` when given, else the next value of the course's noise stream; never 0. */
export function noiseSeed(seed?: number): number {
  const s = seed ?? Math.floor(noiseStream() * 4294967296);
  return s === 0 ? SEED_FOR_ZERO : s;
}

/** One 32-bit seed from several whole numbers (e.g. a run's seed, epoch and batch). */
export function mixSeeds(...parts: number[]): number {
  let h = 0x811c9dc5;
  for (const p of parts) h = Math.imul(h ^ (p >>> 0), 0x01000193) ^ (h >>> 15);
  return h >>> 0;
}
