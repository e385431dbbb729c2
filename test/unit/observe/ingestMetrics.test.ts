import { describe, expect, it } from 'vitest';
import type { BadRecordReason } from '../../../shared/errors.js';
import {
  ingestMetrics,
  METRICS_NAMESPACE,
  summaryLevel,
} from '../../../shared/observe/ingestMetrics.js';
import type { ObjectSummary } from '../../../shared/pipeline/ingestS3Object.js';

const NOW = 1793492000;
const KEY =
  'AWSLogs/123456789012/vpcflowlogs/us-east-1/2026/11/01/123456789012_vpcflowlogs_us-east-1_fl-0abc_20261101T0005Z_hash.log.gz';

const ingested = (overrides: Partial<ObjectSummary> = {}): ObjectSummary => ({
  bucket: 'flow-logs',
  key: KEY,
  outcome: 'ingested',
  fileFormat: 'text',
  lines: 120,
  records: 117,
  nodataRecords: 4,
  skipdataRecords: 0,
  badRecords: 3,
  badRecordsByReason: { 'field-count': 2, 'bad-integer': 1 },
  badRecordSamples: [],
  rollupItems: 9,
  itemsWritten: 7,
  itemsAlreadyApplied: 2,
  writeCalls: 9,
  newestWindowEnd: 1793491800,
  durationMs: 41.6,
  ...overrides,
});

const skipped = (
  skipReason: NonNullable<ObjectSummary['skipReason']>
): ObjectSummary => ({
  bucket: 'flow-logs',
  key: KEY,
  outcome: 'skipped',
  skipReason,
  detail: 'why',
  rollupItems: 0,
  itemsWritten: 0,
  itemsAlreadyApplied: 0,
  writeCalls: 0,
  newestWindowEnd: null,
  durationMs: 3,
});

const REASONS: readonly [BadRecordReason, string][] = [
  ['field-count', 'BadRecordsFieldCount'],
  ['bad-integer', 'BadRecordsBadInteger'],
  ['bad-action', 'BadRecordsBadAction'],
  ['bad-log-status', 'BadRecordsBadLogStatus'],
  ['end-before-start', 'BadRecordsEndBeforeStart'],
  ['missing-interface-id', 'BadRecordsMissingInterfaceId'],
  ['missing-time', 'BadRecordsMissingTime'],
  ['span-too-long', 'BadRecordsSpanTooLong'],
  ['line-too-long', 'BadRecordsLineTooLong'],
];

describe('METRICS_NAMESPACE', () => {
  it('is FlowlogRollups', () => {
    // Assess
    expect(METRICS_NAMESPACE).toBe('FlowlogRollups');
  });
});

describe('ingestMetrics', () => {
  it('returns the counts, duration, bad records by reason and lag of an ingested object', () => {
    // Prepare
    const summary = ingested();

    // Act
    const points = ingestMetrics(summary, NOW);

    // Assess
    expect(points).toEqual([
      { name: 'ObjectsIngested', unit: 'Count', value: 1 },
      { name: 'Records', unit: 'Count', value: 117 },
      { name: 'BadRecords', unit: 'Count', value: 3 },
      { name: 'NodataRecords', unit: 'Count', value: 4 },
      { name: 'SkipdataRecords', unit: 'Count', value: 0 },
      { name: 'RollupItemsWritten', unit: 'Count', value: 7 },
      { name: 'ContributionsAlreadyApplied', unit: 'Count', value: 2 },
      { name: 'ObjectDuration', unit: 'Milliseconds', value: 42 },
      { name: 'BadRecordsFieldCount', unit: 'Count', value: 2 },
      { name: 'BadRecordsBadInteger', unit: 'Count', value: 1 },
      { name: 'IngestLag', unit: 'Seconds', value: 200 },
    ]);
  });

  it('reports the write capacity units an object consumed, when the store says', () => {
    // Prepare
    const summary = { ...ingested(), writeCapacityUnits: 9 };

    // Act
    const points = ingestMetrics(summary, NOW);

    // Assess
    expect(points).toContainEqual({
      name: 'WriteCapacityUnits',
      unit: 'Count',
      value: 9,
    });
    expect(ingestMetrics(ingested(), NOW).map((p) => p.name)).not.toContain(
      'WriteCapacityUnits'
    );
  });

  it('returns only ObjectsSkipped for a skipped object', () => {
    // Prepare
    const summary = skipped('not-a-flow-log-key');

    // Act
    const points = ingestMetrics(summary, NOW);

    // Assess
    expect(points).toEqual([
      { name: 'ObjectsSkipped', unit: 'Count', value: 1 },
    ]);
  });

  it.each(REASONS)('names the %s bad records %s', (reason, name) => {
    // Prepare
    const summary = ingested({ badRecordsByReason: { [reason]: 5 } });

    // Act
    const points = ingestMetrics(summary, NOW);

    // Assess
    const byReason = points.filter(
      (point) =>
        point.name.startsWith('BadRecords') && point.name !== 'BadRecords'
    );
    expect(byReason).toEqual([{ name, unit: 'Count', value: 5 }]);
  });

  it('reads absent stats as 0 and sends no per-reason metrics', () => {
    // Prepare
    const summary: ObjectSummary = {
      bucket: 'flow-logs',
      key: KEY,
      outcome: 'ingested',
      rollupItems: 0,
      itemsWritten: 0,
      itemsAlreadyApplied: 0,
      writeCalls: 0,
      newestWindowEnd: null,
      durationMs: 0,
    };

    // Act
    const points = ingestMetrics(summary, NOW);

    // Assess
    expect(points.map((point) => [point.name, point.value])).toEqual([
      ['ObjectsIngested', 1],
      ['Records', 0],
      ['BadRecords', 0],
      ['NodataRecords', 0],
      ['SkipdataRecords', 0],
      ['RollupItemsWritten', 0],
      ['ContributionsAlreadyApplied', 0],
      ['ObjectDuration', 0],
    ]);
  });

  it('measures the ingest lag from the end of the newest window', () => {
    // Prepare
    const summary = ingested({ newestWindowEnd: NOW - 300 });

    // Act
    const points = ingestMetrics(summary, NOW + 0.5);

    // Assess
    expect(points.find((point) => point.name === 'IngestLag')).toEqual({
      name: 'IngestLag',
      unit: 'Seconds',
      value: 300.5,
    });
  });

  it('reports no negative ingest lag when the window ends after now', () => {
    // Prepare
    const summary = ingested({ newestWindowEnd: NOW + 120 });

    // Act
    const points = ingestMetrics(summary, NOW);

    // Assess
    expect(points.find((point) => point.name === 'IngestLag')?.value).toBe(0);
  });

  it('leaves out the ingest lag when the object touched no window', () => {
    // Prepare
    const summary = ingested({ newestWindowEnd: null });

    // Act
    const points = ingestMetrics(summary, NOW);

    // Assess
    expect(points.map((point) => point.name)).not.toContain('IngestLag');
    expect(points).toHaveLength(10);
  });
});

describe('summaryLevel', () => {
  it('returns error for an object that vanished', () => {
    // Act
    const level = summaryLevel(skipped('object-missing'));

    // Assess
    expect(level).toBe('error');
  });

  it('returns error when SKIPDATA records say records were lost', () => {
    // Act
    const level = summaryLevel(ingested({ skipdataRecords: 1 }));

    // Assess
    expect(level).toBe('error');
  });

  it('returns warn for bad records', () => {
    // Act
    const level = summaryLevel(ingested({ badRecords: 1, skipdataRecords: 0 }));

    // Assess
    expect(level).toBe('warn');
  });

  it('returns info for a clean object', () => {
    // Act
    const level = summaryLevel(
      ingested({ badRecords: 0, badRecordsByReason: {}, skipdataRecords: 0 })
    );

    // Assess
    expect(level).toBe('info');
  });

  it.each(['not-a-flow-log-key', 'not-per-eni'] as const)(
    'returns info for an object skipped as %s',
    (reason) => {
      // Act
      const level = summaryLevel(skipped(reason));

      // Assess
      expect(level).toBe('info');
    }
  );
});
