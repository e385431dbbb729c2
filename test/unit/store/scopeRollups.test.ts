import { describe, expect, it } from 'vitest';
import { emptyRollup } from '../../../shared/aggregate/mergeRollups.js';
import {
  scopeRollupsOf,
  withScopeIds,
} from '../../../shared/store/scopeRollups.js';
import type { Rollup } from '../../../shared/types.js';

const ENI = 'eni-0a1b2c3d4e5f60101';
const WINDOW = 1_793_491_200;
const IDS = {
  accountId: '123456789012',
  vpcId: 'vpc-0a1b2c3d4e5f60718',
  subnetId: 'subnet-0a1b2c3d4e5f60001',
};

const rollupOf = (
  ids: Partial<Rollup>,
  windowStart = WINDOW,
  bytes = 100
): Rollup => ({ ...emptyRollup(ENI, windowStart), bytes, ...ids });

/** Bytes per scope key and window, from scopeRollupsOf. */
const bytesOf = (rollups: Rollup[], placements = new Map()) =>
  Object.fromEntries(
    scopeRollupsOf(withScopeIds(rollups, placements)).map((scope) => [
      `${scope.partitionKey} ${scope.rollup.windowStart}`,
      scope.rollup.bytes,
    ])
  );

describe('scopeRollupsOf', () => {
  it("counts a flow's prorated tail (a window without ids) in its ENI's scopes", () => {
    // Prepare: the record's ids land on its first window only.
    const rollups = [rollupOf(IDS), rollupOf({}, WINDOW + 300, 40)];
    // Act
    const bytes = bytesOf(rollups);
    // Assess
    expect(bytes).toEqual({
      [`ACCOUNT#${IDS.accountId} ${WINDOW}`]: 100,
      [`ACCOUNT#${IDS.accountId} ${WINDOW + 300}`]: 40,
      [`SUBNET#${IDS.subnetId} ${WINDOW}`]: 100,
      [`SUBNET#${IDS.subnetId} ${WINDOW + 300}`]: 40,
      [`VPC#${IDS.vpcId} ${WINDOW}`]: 100,
      [`VPC#${IDS.vpcId} ${WINDOW + 300}`]: 40,
    });
  });

  it("places a v2 ENI by the catalog, keeping the record's account", () => {
    // Prepare
    const rollups = [rollupOf({ accountId: '210987654321' })];
    const placements = new Map([[ENI, IDS]]);
    // Act
    const keys = Object.keys(bytesOf(rollups, placements)).sort();
    // Assess
    expect(keys).toEqual([
      `ACCOUNT#210987654321 ${WINDOW}`,
      `SUBNET#${IDS.subnetId} ${WINDOW}`,
      `VPC#${IDS.vpcId} ${WINDOW}`,
    ]);
  });

  it('never lets the catalog replace what the records say', () => {
    // Prepare
    const own = { vpcId: 'vpc-11111111', subnetId: 'subnet-22222222' };
    const rollups = [rollupOf(own)];
    const placements = new Map([[ENI, IDS]]);
    // Act
    const keys = Object.keys(bytesOf(rollups, placements)).sort();
    // Assess: the account, which the records lack, comes from the catalog.
    expect(keys).toEqual([
      `ACCOUNT#${IDS.accountId} ${WINDOW}`,
      `SUBNET#subnet-22222222 ${WINDOW}`,
      `VPC#vpc-11111111 ${WINDOW}`,
    ]);
  });
});
