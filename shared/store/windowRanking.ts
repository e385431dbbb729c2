import type { Rollup } from '../types.js';
import { ByteReader, ByteWriter } from './byteCodec.js';

/** The counters a window's ENIs are ranked by (`GET /windows/{w}/top?by=`). */
const RANKING_METRICS = ['bytes', 'packets', 'flows', 'rejectFlows'] as const;
type RankingMetric = (typeof RANKING_METRICS)[number];

/**
 * How many ENIs each contribution keeps per metric in a window's ranking:
 * the top 100 by bytes, by packets, by flows and by rejectFlows (their
 * union, at most 400 ENIs, about 6 KB).
 */
const RANKING_SIZE = 100;

/** One ENI in a contribution's ranking: what the contribution added to it. */
interface RankingEntry {
  readonly interfaceId: string;
  readonly bytes: number;
  readonly packets: number;
  readonly flows: number;
  readonly rejectFlows: number;
}

/**
 * What one contribution (one S3 object, one CloudWatch batch) added to
 * one window, for ranking: its top `size` ENIs by each metric, with their
 * values. `enis` counts every ENI it touched in the window: when it is
 * more than `entries`, the ranking is cut, and an ENI missing from it got
 * at most the `size`-th largest value of each metric.
 */
interface WindowRanking {
  readonly windowStart: number;
  readonly enis: number;
  readonly size: number;
  /** Sorted by interfaceId. */
  readonly entries: readonly RankingEntry[];
}

const FORMAT_VERSION = 1;
const ENI_LONG = 0;
const ENI_SHORT = 1;
const ENI_TEXT = 2;
const LONG_ENI = /^eni-[0-9a-f]{17}$/;
const SHORT_ENI = /^eni-[0-9a-f]{8}$/;

const compareIds = (a: string, b: string): number =>
  a < b ? -1 : a > b ? 1 : 0;

/** Larger `metric` first, ties by interface id: the order rankings cut in. */
const byMetric =
  (metric: RankingMetric) =>
  (a: RankingEntry, b: RankingEntry): number =>
    b[metric] - a[metric] || compareIds(a.interfaceId, b.interfaceId);

const entryOf = (rollup: Rollup): RankingEntry => ({
  interfaceId: rollup.interfaceId,
  bytes: rollup.bytes,
  packets: rollup.packets,
  flows: rollup.flows,
  rejectFlows: rollup.rejectFlows,
});

/**
 * The rankings of a contribution's rollups, one per window it touches,
 * oldest window first. Deterministic: the same rollups in any order give
 * the same rankings, so writing them again is idempotent.
 * Throws `RangeError` when an ENI appears twice in one window.
 * @example rankingsOf(contribution.rollups)
 */
function rankingsOf(
  rollups: readonly Rollup[],
  size = RANKING_SIZE
): WindowRanking[] {
  const byWindow = new Map<number, RankingEntry[]>();
  for (const rollup of rollups) {
    const entries = byWindow.get(rollup.windowStart) ?? [];
    entries.push(entryOf(rollup));
    byWindow.set(rollup.windowStart, entries);
  }
  const rankings: WindowRanking[] = [];
  for (const [windowStart, all] of byWindow) {
    let kept = all;
    if (all.length > size) {
      const union = new Map<string, RankingEntry>();
      for (const metric of RANKING_METRICS) {
        for (const entry of [...all].sort(byMetric(metric)).slice(0, size)) {
          union.set(entry.interfaceId, entry);
        }
      }
      kept = [...union.values()];
    }
    const entries = [...kept].sort((a, b) =>
      compareIds(a.interfaceId, b.interfaceId)
    );
    for (let i = 1; i < entries.length; i++) {
      if (entries[i]?.interfaceId === entries[i - 1]?.interfaceId) {
        throw new RangeError(
          `${entries[i]?.interfaceId} twice in window ${windowStart}`
        );
      }
    }
    rankings.push({ windowStart, enis: all.length, size, entries });
  }
  return rankings.sort((a, b) => a.windowStart - b.windowStart);
}

function writeInterfaceId(out: ByteWriter, id: string): void {
  if (LONG_ENI.test(id) || SHORT_ENI.test(id)) {
    const hex = id.slice(4);
    out.byte(hex.length === 17 ? ENI_LONG : ENI_SHORT);
    const even = hex.length % 2 === 0 ? hex : `0${hex}`;
    for (let i = 0; i < even.length; i += 2) {
      out.byte(Number.parseInt(even.slice(i, i + 2), 16));
    }
    return;
  }
  out.byte(ENI_TEXT);
  out.text(id);
}

function readInterfaceId(input: ByteReader): string {
  const kind = input.byte();
  if (kind === ENI_TEXT) return input.text();
  if (kind !== ENI_LONG && kind !== ENI_SHORT) {
    throw new RangeError(`unknown interface id kind ${kind}`);
  }
  const bytes = input.bytes(kind === ENI_LONG ? 9 : 4);
  const hex = Array.from(bytes, (byte) =>
    byte.toString(16).padStart(2, '0')
  ).join('');
  return `eni-${kind === ENI_LONG ? hex.slice(1) : hex}`;
}

/**
 * A ranking as stored (an attribute of type B): format byte, `enis`,
 * `size`, then each entry's interface id (`eni-` and 17 hex digits as 9
 * bytes) and its four values as varints. The window is the item's key.
 * Throws `RangeError` on a value that is not a non-negative safe integer.
 */
function encodeRanking(ranking: WindowRanking): Uint8Array {
  const out = new ByteWriter();
  out.byte(FORMAT_VERSION);
  out.varint(ranking.enis);
  out.varint(ranking.size);
  out.varint(ranking.entries.length);
  for (const entry of ranking.entries) {
    writeInterfaceId(out, entry.interfaceId);
    for (const metric of RANKING_METRICS) out.varint(entry[metric]);
  }
  return out.finish();
}

/**
 * Reads a ranking written by `encodeRanking` for the window of its item.
 * Throws `RangeError` on bytes it did not write.
 */
function decodeRanking(bytes: Uint8Array, windowStart: number): WindowRanking {
  const input = new ByteReader(bytes);
  const version = input.byte();
  if (version !== FORMAT_VERSION) {
    throw new RangeError(`unknown ranking format ${version}`);
  }
  const enis = input.varint();
  const size = input.varint();
  const entries: RankingEntry[] = [];
  for (let n = input.varint(); n > 0; n--) {
    const interfaceId = readInterfaceId(input);
    const bytesValue = input.varint();
    const packets = input.varint();
    const flows = input.varint();
    const rejectFlows = input.varint();
    entries.push({
      interfaceId,
      bytes: bytesValue,
      packets,
      flows,
      rejectFlows,
    });
  }
  if (!input.isAtEnd) throw new RangeError('bytes after the ranking');
  if (entries.length > enis) {
    throw new RangeError('more entries than ENIs');
  }
  return { windowStart, enis, size, entries };
}

/** An ENI that may rank in a window, with bounds on its total `by` value. */
interface RankCandidate {
  readonly interfaceId: string;
  /** What the rankings hold for it: its total when no ranking was cut. */
  readonly atLeast: number;
  /** At most this: `atLeast` plus, for each cut ranking without it, that ranking's cut value. */
  readonly atMost: number;
}

/** The candidates of a window and the bound of any ENI none of its rankings holds. */
interface WindowCandidates {
  /** Highest `atMost` first (then `atLeast`, then interface id). */
  readonly candidates: readonly RankCandidate[];
  /** No ENI outside `candidates` has more than this (0 when no ranking was cut). */
  readonly unseenAtMost: number;
  /** Whether some ranking left ENIs out (so ENIs outside `candidates` may exist). */
  readonly isAnyCut: boolean;
}

/**
 * The ENIs a window's rankings name, with bounds on their totals by
 * `by`: a ranking that holds an ENI adds exactly its value; a cut ranking
 * that does not adds at most its `size`-th largest value (every ENI above
 * it is kept). Pure; rankings of any contributions, in any order.
 * @example candidatesOf(rankings, 'bytes')
 */
function candidatesOf(
  rankings: readonly WindowRanking[],
  by: RankingMetric
): WindowCandidates {
  const found = new Map<string, { atLeast: number; cutCredit: number }>();
  let unseenAtMost = 0;
  let isAnyCut = false;
  for (const ranking of rankings) {
    const isCut = ranking.entries.length < ranking.enis;
    isAnyCut ||= isCut;
    let cutValue = 0;
    if (isCut) {
      const values = ranking.entries.map((entry) => entry[by]);
      values.sort((a, b) => b - a);
      cutValue = values[Math.min(ranking.size, values.length) - 1] ?? 0;
      unseenAtMost += cutValue;
    }
    for (const entry of ranking.entries) {
      const seen = found.get(entry.interfaceId) ?? {
        atLeast: 0,
        cutCredit: 0,
      };
      seen.atLeast += entry[by];
      seen.cutCredit += cutValue;
      found.set(entry.interfaceId, seen);
    }
  }
  const candidates = [...found].map(([interfaceId, seen]) => ({
    interfaceId,
    atLeast: seen.atLeast,
    atMost: seen.atLeast + unseenAtMost - seen.cutCredit,
  }));
  candidates.sort(
    (a, b) =>
      b.atMost - a.atMost ||
      b.atLeast - a.atLeast ||
      compareIds(a.interfaceId, b.interfaceId)
  );
  return { candidates, unseenAtMost, isAnyCut };
}

export type {
  RankCandidate,
  RankingEntry,
  RankingMetric,
  WindowCandidates,
  WindowRanking,
};
export {
  candidatesOf,
  decodeRanking,
  encodeRanking,
  RANKING_METRICS,
  RANKING_SIZE,
  rankingsOf,
  readInterfaceId,
  writeInterfaceId,
};
