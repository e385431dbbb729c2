import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FlowLogScanner } from '../../../shared/aggregate/flowLogScanner.js';
import {
  COUNTERS,
  OPTIONAL_COUNTERS,
} from '../../../shared/aggregate/mergeRollups.js';
import { generateFlowLogLines } from '../../../shared/generate/generateFlowLogLines.js';
import { resolveFormat } from '../../../shared/parse/flowLogFormat.js';
import {
  ROLLUP_BYTES_PER_ITEM,
  type ScannedPart,
  SMALL_INPUT_ITEMS,
  scanInParts,
} from '../../../shared/pipeline/scanInParts.js';
import type { RecordedPart } from '../../../shared/store/partCheckpoints.js';
import type { Rollup } from '../../../shared/types.js';
import { chunked, encode } from '../../helpers/flowLogInput.js';

const FORMAT = resolveFormat('v5');
const NAMES = [...COUNTERS, ...OPTIONAL_COUNTERS];

/** Flow-log text of `records` records over `enis` ENIs (no header). */
function fleetText(records: number, enis: number, seed: number): Uint8Array {
  const lines = [
    ...generateFlowLogLines({
      format: FORMAT,
      records,
      enis,
      seed,
      startSeconds: 1_793_491_200,
    }),
  ];
  // A bad line and a blank line: counted once, in whichever part holds them.
  lines.splice(records >> 1, 0, 'not a flow log line', '');
  return encode(`${lines.join('\n')}\n`);
}

type Counters = Record<string, number>;
const keyOf = (rollup: Rollup) => `${rollup.interfaceId} ${rollup.windowStart}`;

/** The counters of one pass over the whole text, by (ENI, window). */
function wholeCounters(text: Uint8Array): Map<string, Counters> {
  const scanner = new FlowLogScanner(FORMAT, { windowMode: 'prorate' });
  scanner.push(text);
  const totals = new Map<string, Counters>();
  for (const rollup of scanner.finish().rollups) {
    totals.set(keyOf(rollup), countersOf(rollup));
  }
  return totals;
}

function countersOf(rollup: Rollup): Counters {
  const counters: Counters = {};
  for (const name of NAMES) counters[name] = rollup[name] ?? 0;
  return counters;
}

/** A crash: thrown by the fakes where a process could die. */
class Crash extends Error {}

/**
 * The store and checkpoints as DynamoDB keeps them: items add a
 * contribution once (the conditional write), part ends are kept
 * if_not_exists. `crashAfter` writes (of any kind), the next write dies.
 */
class FakeTable {
  readonly items = new Map<string, { counters: Counters; ids: Set<string> }>();
  readonly parts = new Map<
    string,
    { endLine: number | null; isDone: boolean }[]
  >();
  crashAfter = Number.POSITIVE_INFINITY;

  private write(): void {
    if (this.crashAfter <= 0) throw new Crash('killed');
    this.crashAfter--;
  }

  apply(id: string, rollups: Iterable<Rollup>): void {
    for (const rollup of rollups) {
      this.write();
      const key = keyOf(rollup);
      const item = this.items.get(key) ?? { counters: {}, ids: new Set() };
      if (item.ids.has(id)) continue;
      item.ids.add(id);
      for (const [name, value] of Object.entries(countersOf(rollup))) {
        item.counters[name] = (item.counters[name] ?? 0) + value;
      }
      this.items.set(key, item);
    }
  }

  recordEnd(id: string, index: number, endLine: number | null) {
    this.write();
    const parts = this.parts.get(id) ?? [];
    parts[index] ??= { endLine, isDone: false };
    this.parts.set(id, parts);
    return (parts[index] as RecordedPart).endLine;
  }

  markDone(id: string, index: number): void {
    this.write();
    const part = this.parts.get(id)?.[index];
    if (part) part.isDone = true;
  }
}

/** One attempt at ingesting the text, as the pipeline does it. */
async function attempt(
  table: FakeTable,
  text: Uint8Array,
  maxPartItems: number,
  sizes: number[],
  maxPartBytes?: number
) {
  const id = 's3:object';
  const scanner = new FlowLogScanner(FORMAT, { windowMode: 'prorate' });
  const applied: ScannedPart[] = [];
  const outcome = await scanInParts(scanner, chunked(text, sizes), {
    recorded: structuredClone(table.parts.get(id) ?? []),
    maxPartItems,
    maxPartBytes,
    recordEnd: async (index, endLine) => table.recordEnd(id, index, endLine),
    applyPart: async (part) => {
      applied.push(part);
      table.apply(part.isWhole ? id : `${id}#p${part.index}`, part.rollups);
      if (part.isRecorded) table.markDone(id, part.index);
    },
  });
  return { outcome, applied };
}

describe('scanInParts', () => {
  it('cuts a fleet-sized input into parts within the budget that add up to one pass', async () => {
    // Prepare
    const text = fleetText(80_000, 40_000, 7);
    const whole = wholeCounters(text);
    const table = new FakeTable();
    const maxPartItems = SMALL_INPUT_ITEMS + 2000;

    // Act
    const { outcome, applied } = await attempt(
      table,
      text,
      maxPartItems,
      [100_000]
    );

    // Assess
    expect(whole.size).toBeGreaterThan(3 * maxPartItems);
    expect(outcome.parts).toBeGreaterThan(3);
    expect(applied.every((part) => !part.isWhole && part.isRecorded)).toBe(
      true
    );
    // A part holds its budget plus at most one scan slice of items.
    for (const part of applied)
      expect(part.items).toBeLessThan(maxPartItems * 2);
    expect(outcome.stats.records).toBe(80_000);
    expect(outcome.stats.badRecords).toBe(1);
    const stored = new Map(
      [...table.items].map(([key, item]) => [key, item.counters])
    );
    expect(stored).toEqual(whole);
  });

  it('cuts a part when its memory would pass the byte budget, whatever its items', async () => {
    // Prepare
    const text = fleetText(80_000, 40_000, 9);
    const whole = wholeCounters(text);
    const table = new FakeTable();
    const budget = 24 * 1024 * 1024;

    // Act
    const { outcome, applied } = await attempt(
      table,
      text,
      Number.POSITIVE_INFINITY,
      [200_000],
      budget
    );

    // Assess
    expect(outcome.parts).toBeGreaterThan(2);
    // Each part but the last reached the budget within one scan slice.
    for (const part of applied.slice(0, -1)) {
      const bytes = part.items * ROLLUP_BYTES_PER_ITEM;
      expect(bytes).toBeLessThan(budget);
      expect(part.items).toBeGreaterThan(SMALL_INPUT_ITEMS);
    }
    const stored = new Map(
      [...table.items].map(([key, item]) => [key, item.counters])
    );
    expect(stored).toEqual(whole);
  });

  it('takes a small input whole, with no checkpoint and the input id', async () => {
    // Prepare
    const text = fleetText(2000, 50, 3);
    const table = new FakeTable();

    // Act
    const { outcome, applied } = await attempt(table, text, 50_000, [4096]);

    // Assess
    expect(outcome.parts).toBe(1);
    expect(applied[0]?.isWhole).toBe(true);
    expect(table.parts.size).toBe(0);
    expect(
      [...table.items.values()].every((item) => item.ids.has('s3:object'))
    ).toBe(true);
  });

  it('skips every part of an input an earlier attempt finished', async () => {
    // Prepare
    const text = fleetText(40_000, 20_000, 5);
    const table = new FakeTable();
    await attempt(table, text, SMALL_INPUT_ITEMS + 1000, [65_536]);
    const writes = table.items.size;

    // Act
    const { outcome, applied } = await attempt(table, text, 10 ** 6, [1 << 20]);

    // Assess
    expect(outcome.skippedParts).toBe(outcome.parts);
    expect(applied).toEqual([]);
    expect(table.items.size).toBe(writes);
  });

  it('gives exact totals when killed at any write and retried with another budget and chunking', async () => {
    const text = fleetText(30_000, 20_000, 11);
    const whole = wholeCounters(text);
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            crashAfter: fc.nat({ max: 20_000 }),
            extraItems: fc.nat({ max: 4000 }),
            chunk: fc.integer({ min: 1000, max: 300_000 }),
          }),
          { minLength: 1, maxLength: 4 }
        ),
        async (attempts) => {
          // Prepare
          const table = new FakeTable();

          // Act: attempts that die, then one that is let finish.
          for (const { crashAfter, extraItems, chunk } of attempts) {
            table.crashAfter = crashAfter;
            await attempt(table, text, SMALL_INPUT_ITEMS + 1 + extraItems, [
              chunk,
            ]).catch((error: unknown) => {
              if (!(error instanceof Crash)) throw error;
            });
          }
          table.crashAfter = Number.POSITIVE_INFINITY;
          await attempt(table, text, SMALL_INPUT_ITEMS + 1500, [77_777]);

          // Assess
          const stored = new Map(
            [...table.items].map(([key, item]) => [key, item.counters])
          );
          expect(stored).toEqual(whole);
        }
      ),
      { numRuns: 8 }
    );
  });
});
