/**
 * A fixed-size latency histogram (log-linear buckets, like HdrHistogram with ~1.6% precision): memory
 * does not grow with the number of samples, so recording a million latencies does not itself move the
 * RSS a benchmark reports. Values are recorded in milliseconds and kept internally in microseconds;
 * count, sum, min and max are exact, percentiles are the middle of their bucket (within 0.8% above 128 µs,
 * exact below).
 */
const SUB_BITS = 6;
const SUB_COUNT = 1 << SUB_BITS; // 64 sub-buckets per power of two
const LINEAR_LIMIT = SUB_COUNT * 2; // values below 128 µs get a bucket each
const MAX_EXPONENT = 40; // 2^40 µs is about 12 days

export interface LatencySummary {
  count: number;
  meanMs: number;
  minMs: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  p999Ms: number;
  maxMs: number;
}

export class LatencyHistogram {
  readonly #counts = new Float64Array(LINEAR_LIMIT + (MAX_EXPONENT - SUB_BITS) * SUB_COUNT);
  #count = 0;
  #sumUs = 0;
  #minUs = Number.POSITIVE_INFINITY;
  #maxUs = 0;

  get count(): number {
    return this.#count;
  }

  record(ms: number): void {
    const us = Math.max(0, Math.round(ms * 1_000));
    this.#counts[bucketOf(us)]! += 1;
    this.#count += 1;
    this.#sumUs += us;
    if (us < this.#minUs) this.#minUs = us;
    if (us > this.#maxUs) this.#maxUs = us;
  }

  /** Adds every sample of `other` to this histogram. */
  merge(other: LatencyHistogram): void {
    const counts = other.#counts;
    for (let i = 0; i < counts.length; i++) this.#counts[i]! += counts[i]!;
    this.#count += other.#count;
    this.#sumUs += other.#sumUs;
    this.#minUs = Math.min(this.#minUs, other.#minUs);
    this.#maxUs = Math.max(this.#maxUs, other.#maxUs);
  }

  /** The value at percentile `p` (0-100), ms: the first bucket that holds at least p% of the samples. */
  percentile(p: number): number {
    if (this.#count === 0) return 0;
    if (p >= 100) return this.#maxUs / 1_000;
    const rank = Math.max(1, Math.ceil((p / 100) * this.#count));
    let seen = 0;
    for (let i = 0; i < this.#counts.length; i++) {
      seen += this.#counts[i]!;
      if (seen >= rank) return Math.min(Math.max(midOf(i), this.#minUs), this.#maxUs) / 1_000;
    }
    return this.#maxUs / 1_000;
  }

  summary(): LatencySummary {
    const empty = this.#count === 0;
    return {
      count: this.#count,
      meanMs: empty ? 0 : this.#sumUs / this.#count / 1_000,
      minMs: empty ? 0 : this.#minUs / 1_000,
      p50Ms: this.percentile(50),
      p90Ms: this.percentile(90),
      p99Ms: this.percentile(99),
      p999Ms: this.percentile(99.9),
      maxMs: this.#maxUs / 1_000,
    };
  }
}

function bucketOf(us: number): number {
  if (us < LINEAR_LIMIT) return us;
  const exponent = Math.min(Math.floor(Math.log2(us)), MAX_EXPONENT - 1);
  const sub = Math.min(Math.floor(us / 2 ** (exponent - SUB_BITS)), 2 * SUB_COUNT - 1);
  return LINEAR_LIMIT + (exponent - SUB_BITS - 1) * SUB_COUNT + (sub - SUB_COUNT);
}

/** The middle of the values (µs) that fall into bucket `index`. */
function midOf(index: number): number {
  if (index < LINEAR_LIMIT) return index;
  const offset = index - LINEAR_LIMIT;
  const exponent = Math.floor(offset / SUB_COUNT) + SUB_BITS + 1;
  const sub = (offset % SUB_COUNT) + SUB_COUNT;
  const width = 2 ** (exponent - SUB_BITS);
  return sub * width + (width - 1) / 2;
}
