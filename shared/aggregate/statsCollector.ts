import type { ParseError } from '../errors.js';
import type { IngestStats } from '../types.js';

/** Default number of bad-record samples kept per input. */
const DEFAULT_SAMPLE_LIMIT = 10;

/** Statistics of no line at all. */
const emptyStats = (): IngestStats => ({
  lines: 0,
  records: 0,
  nodataRecords: 0,
  skipdataRecords: 0,
  badRecords: 0,
  badRecordsByReason: {},
  badRecordSamples: [],
});

/**
 * Counts lines, good records and bad records by reason for one input, and
 * keeps the first `sampleLimit` bad records as samples.
 */
class StatsCollector {
  readonly stats: IngestStats = emptyStats();
  private readonly sampleLimit: number;

  constructor(sampleLimit = DEFAULT_SAMPLE_LIMIT) {
    this.sampleLimit = sampleLimit;
  }

  bad(error: ParseError): void {
    const { stats } = this;
    stats.badRecords++;
    stats.badRecordsByReason[error.reason] =
      (stats.badRecordsByReason[error.reason] ?? 0) + 1;
    if (stats.badRecordSamples.length < this.sampleLimit) {
      stats.badRecordSamples.push({
        lineNumber: error.lineNumber,
        reason: error.reason,
        message: error.message,
      });
    }
  }
}

/**
 * The statistics of the lines between two snapshots of the running totals.
 * `base` must be an earlier snapshot of the same totals as `total`: a
 * reason whose count did not grow since is left out, and the samples are
 * those kept after `base`'s.
 */
function subtractStats(total: IngestStats, base: IngestStats): IngestStats {
  const badRecordsByReason: Record<string, number> = {};
  for (const [reason, count] of Object.entries(total.badRecordsByReason)) {
    const part = count - (base.badRecordsByReason[reason] ?? 0);
    if (part > 0) badRecordsByReason[reason] = part;
  }
  return {
    lines: total.lines - base.lines,
    records: total.records - base.records,
    nodataRecords: total.nodataRecords - base.nodataRecords,
    skipdataRecords: total.skipdataRecords - base.skipdataRecords,
    badRecords: total.badRecords - base.badRecords,
    badRecordsByReason,
    badRecordSamples: total.badRecordSamples.slice(
      base.badRecordSamples.length
    ),
  };
}

export { DEFAULT_SAMPLE_LIMIT, emptyStats, StatsCollector, subtractStats };
