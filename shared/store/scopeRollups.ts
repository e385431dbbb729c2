import {
  IDS,
  mergeRollups,
  withoutTopLists,
} from '../aggregate/mergeRollups.js';
import type { Rollup } from '../types.js';
import {
  type SeriesKind,
  type Step,
  seriesPartitionKey,
  stepStartOf,
} from './rollupLayout.js';
import type { Contribution } from './rollupStore.js';

/** The scopes rollups are kept for, beside ENIs. */
type ScopeKind = Exclude<SeriesKind, 'eni'>;
const SCOPE_KINDS: readonly ScopeKind[] = ['account', 'vpc', 'subnet'];
/** The rollup id that places an ENI's window in each scope. */
const SCOPE_ID: Readonly<
  Record<ScopeKind, 'accountId' | 'vpcId' | 'subnetId'>
> = { account: 'accountId', vpc: 'vpcId', subnet: 'subnetId' };
/** The ids a scope's rollup keeps (those that hold for the whole scope). */
const SCOPE_IDS: Readonly<Record<ScopeKind, readonly (typeof IDS)[number][]>> =
  {
    account: ['accountId'],
    vpc: ['accountId', 'vpcId'],
    subnet: ['accountId', 'vpcId', 'subnetId'],
  };

/** One scope's rollup of one window: the sum of its ENIs' rollups. */
interface ScopeRollup {
  readonly kind: ScopeKind;
  /** `pk` of the scope's items: `VPC#vpc-…`, `SUBNET#…`, `ACCOUNT#…`. */
  readonly partitionKey: string;
  /** Its counters; `interfaceId` holds the scope's id; no top lists. */
  readonly rollup: Rollup;
}

/** A coarser step of a scope that a contribution touched. */
interface TierKey {
  readonly partitionKey: string;
  readonly step: Exclude<Step, '5m'>;
  readonly start: number;
}

/** The part of a rollup that a scope sums: counters and the scope's ids. */
function scopePart(rollup: Rollup, kind: ScopeKind, id: string): Rollup {
  const part: Rollup = { ...withoutTopLists(rollup), interfaceId: id };
  for (const name of IDS) {
    if (!SCOPE_IDS[kind].includes(name)) delete part[name];
  }
  return part;
}

/** An ENI's scopes: its account, VPC and subnet, where known. */
type ScopeIds = Partial<Pick<Rollup, (typeof SCOPE_ID)[ScopeKind]>>;

/**
 * Each ENI's ids as its rollups give them, from any of its windows (the
 * smallest value where two differ). A record's ids land on the window it
 * starts in; in prorate mode its later windows get traffic but no ids.
 */
function idsByEni(rollups: readonly Rollup[]): Map<string, ScopeIds> {
  const ids = new Map<string, ScopeIds>();
  for (const rollup of rollups) {
    const known = ids.get(rollup.interfaceId) ?? {};
    for (const kind of SCOPE_KINDS) {
      const name = SCOPE_ID[kind];
      const value = rollup[name];
      const seen = known[name];
      if (value !== undefined && (seen === undefined || value < seen)) {
        known[name] = value;
      }
    }
    ids.set(rollup.interfaceId, known);
  }
  return ids;
}

/**
 * The rollups with the account, VPC and subnet that place them in scopes:
 * a window's own, else its ENI's other windows' (a flow's prorated tail,
 * see idsByEni), else `placements` (the ENI catalog's, for records
 * without VPC or subnet). Same order.
 */
function withScopeIds(
  rollups: readonly Rollup[],
  placements: Contribution['placements'] = new Map()
): Rollup[] {
  const own = idsByEni(rollups);
  return rollups.map((original) => {
    if (
      original.accountId !== undefined &&
      original.vpcId !== undefined &&
      original.subnetId !== undefined
    ) {
      return original;
    }
    const ids = own.get(original.interfaceId) ?? {};
    const placed = placements.get(original.interfaceId) ?? {};
    return {
      ...original,
      accountId: original.accountId ?? ids.accountId ?? placed.accountId,
      vpcId: original.vpcId ?? ids.vpcId ?? placed.vpcId,
      subnetId: original.subnetId ?? ids.subnetId ?? placed.subnetId,
    };
  });
}

/** The partition keys of the scopes a rollup (with its scope ids) counts in. */
function scopeKeysOf(
  rollup: Rollup
): { kind: ScopeKind; id: string; key: string }[] {
  const keys: { kind: ScopeKind; id: string; key: string }[] = [];
  for (const kind of SCOPE_KINDS) {
    const id = rollup[SCOPE_ID[kind]];
    if (id !== undefined) {
      keys.push({ kind, id, key: seriesPartitionKey(kind, id) });
    }
  }
  return keys;
}

/**
 * The rollups of every scope (account, VPC, subnet) that the ENI rollups
 * name, per window: exact sums of their counters, by the same rules as an
 * ENI's (mergeRollups). `placed` are the rollups as `withScopeIds` gives
 * them (placed once per contribution, for the scopes and their rankings);
 * a window still without a VPC counts in its account only, and so on.
 * Order: by scope key, then window.
 */
function scopeRollupsOf(placed: readonly Rollup[]): ScopeRollup[] {
  const sums = new Map<string, ScopeRollup>();
  for (const rollup of placed) {
    for (const { kind, id, key: partitionKey } of scopeKeysOf(rollup)) {
      const key = `${partitionKey} ${rollup.windowStart}`;
      const part = scopePart(rollup, kind, id);
      const seen = sums.get(key);
      sums.set(key, {
        kind,
        partitionKey,
        rollup: seen ? mergeRollups(seen.rollup, part) : part,
      });
    }
  }
  return [...sums.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, scope]) => scope);
}

/** The hours and days of each scope that these scope rollups fall in. */
function tiersOf(scopes: readonly ScopeRollup[]): {
  hours: TierKey[];
  days: TierKey[];
} {
  const hours = new Map<string, TierKey>();
  const days = new Map<string, TierKey>();
  for (const { partitionKey, rollup } of scopes) {
    const hour = stepStartOf('1h', rollup.windowStart);
    const day = stepStartOf('1d', rollup.windowStart);
    hours.set(`${partitionKey} ${hour}`, {
      partitionKey,
      step: '1h',
      start: hour,
    });
    days.set(`${partitionKey} ${day}`, {
      partitionKey,
      step: '1d',
      start: day,
    });
  }
  return { hours: [...hours.values()], days: [...days.values()] };
}

export type { ScopeIds, ScopeKind, ScopeRollup, TierKey };
export {
  idsByEni,
  SCOPE_KINDS,
  scopeKeysOf,
  scopeRollupsOf,
  tiersOf,
  withScopeIds,
};
