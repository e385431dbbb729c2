import { describe, expect, it } from 'vitest';
import { generateFlowLogLines } from '../../../shared/generate/generateFlowLogLines.js';
import { resolveFormat } from '../../../shared/parse/flowLogFormat.js';
import { parseFlowLogLine } from '../../../shared/parse/parseFlowLogLine.js';

const generate = (format: string, records: number, seed: number) => [
  ...generateFlowLogLines({
    format: resolveFormat(format),
    records,
    enis: 30,
    seed,
    startSeconds: 1_793_491_200,
  }),
];

describe('generateFlowLogLines', () => {
  it('is deterministic for a seed and differs across seeds', () => {
    // Act
    const first = generate('v5', 500, 42);
    const again = generate('v5', 500, 42);
    const other = generate('v5', 500, 43);
    // Assess
    expect(again).toEqual(first);
    expect(other).not.toEqual(first);
  });

  it.each(['v2', 'v5', 'v11'])('writes only valid %s records', (name) => {
    // Prepare
    const format = resolveFormat(name);
    // Act
    const lines = generate(name, 3000, 7);
    const parsed = lines.map((line, i) =>
      parseFlowLogLine(line, format, i + 1)
    );
    // Assess
    expect(parsed.every((result) => result.success)).toBe(true);
    const version = Math.max(...format.fields.map((field) => field.version));
    const records = parsed.flatMap((result) =>
      result.success ? [result.data] : []
    );
    expect(new Set(records.map((record) => record.version))).toEqual(
      new Set([version])
    );
  });

  it('leaves traffic fields absent on NODATA and SKIPDATA records', () => {
    // Prepare
    const format = resolveFormat('v5');
    // Act
    const records = generate('v5', 20_000, 9).flatMap((line, i) => {
      const result = parseFlowLogLine(line, format, i + 1);
      return result.success ? [result.data] : [];
    });
    // Assess
    const quiet = records.filter((r) => r.logStatus !== 'OK');
    expect(quiet.length).toBeGreaterThan(20);
    for (const record of quiet) {
      expect([
        record.bytes,
        record.packets,
        record.srcaddr,
        record.action,
      ]).toEqual([null, null, null, null]);
      expect(record.interfaceId).toMatch(/^eni-[0-9a-f]{17}$/);
      expect(typeof record.start).toBe('number');
    }
  });
});
