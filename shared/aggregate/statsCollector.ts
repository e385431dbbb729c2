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

export { DEFAULT_SAMPLE_LIMIT, emptyStats, StatsCollector };
