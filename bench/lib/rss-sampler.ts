/**
 * Samples the process's resident set size on a timer and keeps the peak. The timer shares the event
 * loop with the code under test, so a loop blocked by a synchronous driver call delays a sample (the
 * peak of a short spike can be missed); the sample taken at `stop()` bounds what is reported from below.
 */
export interface RssReport {
  /** RSS when sampling started, bytes. */
  startBytes: number;
  /** Highest sample, bytes. */
  peakBytes: number;
  /** RSS at `stop()`, bytes. */
  endBytes: number;
  samples: number;
}

export interface RssSampler {
  stop(): RssReport;
}

export function startRssSampler(intervalMs = 50): RssSampler {
  const startBytes = process.memoryUsage.rss();
  let peakBytes = startBytes;
  let samples = 1;
  const sample = () => {
    const rss = process.memoryUsage.rss();
    samples += 1;
    if (rss > peakBytes) peakBytes = rss;
    return rss;
  };
  const timer = setInterval(sample, intervalMs);
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
      const endBytes = sample();
      return { startBytes, peakBytes, endBytes, samples };
    },
  };
}
