// Retrieval with binary codes: pack each code into 32-bit words, rank a database by Hamming distance
// to a query (XOR and count the differing bits), and score the ranking by precision@k and mean
// average precision, an item being relevant when it has the query's label.

/** Binary codes packed 32 bits to a word: row r's bits are words [r·wordsPerCode, (r+1)·wordsPerCode). */
export interface PackedCodes {
  words: Uint32Array;
  count: number;
  bits: number;
  wordsPerCode: number;
}

/** Packs row-major codes (`count × bits` values, anything > 0 is a 1 bit) into words. */
export function packBits(values: ArrayLike<number>, bits: number): PackedCodes {
  if (!(Number.isInteger(bits) && bits >= 1)) throw new RangeError(`packBits: bits must be a positive integer, got ${bits}`);
  if (values.length % bits !== 0) throw new Error(`packBits: ${values.length} values are not whole codes of ${bits} bits`);
  const count = values.length / bits, wordsPerCode = Math.ceil(bits / 32);
  const words = new Uint32Array(count * wordsPerCode);
  for (let r = 0; r < count; r++) {
    for (let b = 0; b < bits; b++) {
      if (values[r * bits + b] > 0) words[r * wordsPerCode + (b >>> 5)] |= 1 << (b & 31);
    }
  }
  return { words, count, bits, wordsPerCode };
}

function popcount(v: number): number {
  v = v - ((v >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (((v + (v >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

/** Hamming distances from query `q` (a row of `queries`) to every database code. */
export function hammingDistances(queries: PackedCodes, q: number, database: PackedCodes): Uint16Array {
  if (queries.bits !== database.bits) throw new Error(`hammingDistances: ${queries.bits}-bit queries against ${database.bits}-bit database codes`);
  const w = database.wordsPerCode, out = new Uint16Array(database.count);
  const query = queries.words.subarray(q * w, (q + 1) * w);
  for (let r = 0; r < database.count; r++) {
    let d = 0;
    for (let j = 0; j < w; j++) d += popcount(query[j] ^ database.words[r * w + j]);
    out[r] = d;
  }
  return out;
}

/** Database rows sorted by Hamming distance to query q (a counting sort; ties keep database order). */
export function hammingRanking(queries: PackedCodes, q: number, database: PackedCodes): Int32Array {
  const dist = hammingDistances(queries, q, database);
  const starts = new Int32Array(database.bits + 2);
  for (const d of dist) starts[d + 1]++;
  for (let d = 1; d < starts.length; d++) starts[d] += starts[d - 1];
  const ranking = new Int32Array(database.count);
  for (let r = 0; r < dist.length; r++) ranking[starts[dist[r]]++] = r;
  return ranking;
}

export interface RetrievalScores {
  /** Mean over queries of the fraction of the first k retrieved items with the query's label. */
  precisionAt: Record<number, number>;
  /** Mean over queries of the average precision of the whole ranking. */
  meanAveragePrecision: number;
  /** Wall-clock time of ranking the database for one query, in milliseconds. */
  millisecondsPerQuery: number;
}

/**
 * Scores a ranking of the database for each of the queries: `rank(q)` lists database rows, best
 * first. An item is relevant when its label is the query's.
 */
export function rankingScores(
  rank: (q: number) => ArrayLike<number>, queryLabels: ArrayLike<number>, databaseLabels: ArrayLike<number>,
  ks: number[] = [10, 100],
): RetrievalScores {
  const sums: Record<number, number> = Object.fromEntries(ks.map((k) => [k, 0]));
  let apSum = 0, rankMs = 0;
  for (let q = 0; q < queryLabels.length; q++) {
    const t0 = performance.now();
    const ranking = rank(q);
    rankMs += performance.now() - t0;
    if (ranking.length !== databaseLabels.length) throw new Error(`query ${q}: a ranking of ${ranking.length} rows for a database of ${databaseLabels.length}`);
    let hits = 0, precisionSum = 0;
    for (let i = 0; i < ranking.length; i++) {
      if (databaseLabels[ranking[i]] !== queryLabels[q]) continue;
      hits++;
      precisionSum += hits / (i + 1);
    }
    apSum += hits > 0 ? precisionSum / hits : 0;
    for (const k of ks) {
      let relevant = 0;
      for (let i = 0; i < Math.min(k, ranking.length); i++) if (databaseLabels[ranking[i]] === queryLabels[q]) relevant++;
      sums[k] += relevant / k;
    }
  }
  const n = queryLabels.length;
  return {
    precisionAt: Object.fromEntries(ks.map((k) => [k, sums[k] / n])),
    meanAveragePrecision: apSum / n,
    millisecondsPerQuery: rankMs / n,
  };
}

/** Ranks the database by Hamming distance for every query and scores the rankings. */
export function hammingRetrievalScores(
  queries: PackedCodes, queryLabels: ArrayLike<number>,
  database: PackedCodes, databaseLabels: ArrayLike<number>,
  ks: number[] = [10, 100],
): RetrievalScores {
  if (queryLabels.length !== queries.count || databaseLabels.length !== database.count) {
    throw new Error(`hammingRetrievalScores: ${queries.count} queries with ${queryLabels.length} labels, ${database.count} database codes with ${databaseLabels.length} labels`);
  }
  return rankingScores((q) => hammingRanking(queries, q, database), queryLabels, databaseLabels, ks);
}
