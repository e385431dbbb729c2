import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mergeRollups } from '../../../shared/aggregate/mergeRollups.js';
import {
  DEFAULT_FORMAT,
  resolveFormat,
} from '../../../shared/parse/flowLogFormat.js';
import { rollupFlowLog } from '../../../shared/pipeline/rollupFlowLog.js';
import type { Rollup } from '../../../shared/types.js';
import { chunked, encode, sampleLines } from '../../helpers/flowLogInput.js';

const count = fc.integer({ min: 0, max: 1e12 });
const talker = fc.record({
  peer: fc.constantFrom('10.0.0.1', '10.0.0.2', '198.51.100.9', '2001:db8::1'),
  port: fc.constantFrom(22, 443, null),
  protocol: fc.constantFrom(6, 17, null),
  flows: count,
  packets: count,
  bytes: count,
});
const partial = fc.record({
  interfaceId: fc.constant('eni-1'),
  windowStart: fc.constant(1793491200),
  flows: count,
  packets: count,
  bytes: count,
  acceptFlows: count,
  acceptPackets: count,
  acceptBytes: count,
  rejectFlows: count,
  rejectPackets: count,
  rejectBytes: count,
  nodataRecords: count,
  skipdataRecords: count,
  tcpBytes: fc.option(count, { nil: undefined }),
  accountId: fc.option(fc.constantFrom('111', '222'), { nil: undefined }),
  topTalkers: fc.array(talker, { maxLength: 3 }),
});

const counters = ({
  topTalkers: _t,
  topRejectedSources: _r,
  topRejectedFlows: _f,
  topRejectedPorts: _p,
  ...rest
}: Rollup) => rest;
const clean = (rollup: Rollup): Rollup =>
  JSON.parse(JSON.stringify(rollup)) as Rollup;

describe('mergeRollups', () => {
  it('is commutative', () => {
    fc.assert(
      fc.property(partial, partial, (a, b) => {
        // Act and Assess
        expect(clean(mergeRollups(a, b))).toEqual(clean(mergeRollups(b, a)));
      })
    );
  });

  it('is associative (top lists too while they stay under the cut)', () => {
    fc.assert(
      fc.property(partial, partial, partial, (a, b, c) => {
        // Act
        const left = mergeRollups(mergeRollups(a, b), c);
        const right = mergeRollups(a, mergeRollups(b, c));
        // Assess
        expect(clean(left)).toEqual(clean(right));
      })
    );
  });

  it('adds the counters of two files to what one file of both gives', async () => {
    // Prepare
    const format = resolveFormat('v5');
    const lines = sampleLines(format, 2000, 11, 4);
    const run = async (part: string[]) => {
      const outcome = await rollupFlowLog(
        { chunks: chunked(encode(`${part.join('\n')}\n`)), label: 't', format },
        { windowMode: 'prorate' }
      );
      if (outcome.kind !== 'rollups') throw new Error('expected rollups');
      return new Map(
        outcome.rollups.map((r) => [`${r.interfaceId} ${r.windowStart}`, r])
      );
    };
    const whole = await run(lines);
    const first = await run(lines.slice(0, 1234));
    const second = await run(lines.slice(1234));
    // Act
    const merged = new Map(first);
    for (const [key, rollup] of second) {
      const seen = merged.get(key);
      merged.set(key, seen ? mergeRollups(seen, rollup) : rollup);
    }
    // Assess
    expect([...merged.keys()].sort()).toEqual([...whole.keys()].sort());
    for (const [key, rollup] of whole) {
      const other = merged.get(key);
      expect(other && counters(other)).toEqual(counters(rollup));
    }
  });

  it('refuses rollups of different keys', () => {
    // Prepare
    const a = { interfaceId: 'eni-1', windowStart: 0 } as Rollup;
    const b = { interfaceId: 'eni-1', windowStart: 300 } as Rollup;
    // Act and Assess
    expect(() => mergeRollups(a, b)).toThrow(RangeError);
    expect(DEFAULT_FORMAT.fields).toHaveLength(14);
  });
});
