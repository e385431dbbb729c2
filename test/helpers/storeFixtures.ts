import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { Contribution } from '../../shared/store/rollupStore.js';
import type { RejectedSource, Rollup, TopTalker } from '../../shared/types.js';

/** A DynamoDB item, as the SDK's commands take and give it. */
type Item = Record<string, AttributeValue>;

/** 2026-11-01T00:05:00Z */
const WINDOW = 1793491500;

/** Store options naming the test stack's rollups table. */
const OPTIONS = {
  tableName: 'flowlog-rollups-test-rollups',
  retentionDays: 30,
  concurrency: 4,
};

/** The S3 object label of every contribution `contributionOf` builds. */
const LABEL =
  's3://flow-logs/AWSLogs/123456789012/vpcflowlogs/us-east-1/2026/11/01/x.log.gz';

/** A v2 rollup of this interface and window: 3 flows, 2 accepted, 1 rejected. */
const rollupOf = (interfaceId: string, windowStart = WINDOW): Rollup => ({
  interfaceId,
  windowStart,
  flows: 3,
  packets: 30,
  bytes: 3000,
  acceptFlows: 2,
  acceptPackets: 20,
  acceptBytes: 2000,
  rejectFlows: 1,
  rejectPackets: 10,
  rejectBytes: 1000,
  nodataRecords: 0,
  skipdataRecords: 0,
});

/** The default contribution id of `contributionOf`. */
const ID = 'M9Azh3Jg2LLmCVKILSxkmH';

/** A contribution of these rollups, labelled `LABEL`. */
const contributionOf = (rollups: Rollup[], id = ID): Contribution => ({
  id,
  label: LABEL,
  rollups,
});

/** A rollup with top lists, as most rollups of traffic have. */
const withTops = (rollup: Rollup, index = 1): Rollup => ({
  ...rollup,
  topTalkers: [
    {
      peer: `10.0.${index}.5`,
      port: 443,
      protocol: 6,
      flows: 2,
      packets: 20,
      bytes: 2000,
    },
  ],
  topRejectedSources: [
    { address: `198.51.100.${index}`, flows: 1, packets: 10, bytes: 1000 },
  ],
});

/** A top talker on TCP port 443 with 10 packets a flow. */
const talker = (peer: string, bytes: number, flows = 1): TopTalker => ({
  peer,
  port: 443,
  protocol: 6,
  flows,
  packets: flows * 10,
  bytes,
});

/** A rejected source with one packet and 40 bytes a flow. */
const rejected = (address: string, flows: number): RejectedSource => ({
  address,
  flows,
  packets: flows,
  bytes: flows * 40,
});

/** The v2 counters of 3 flows (2 accepted, 1 rejected), times `scale`. */
const counters = (scale: number) => ({
  flows: 3 * scale,
  packets: 30 * scale,
  bytes: 3000 * scale,
  acceptFlows: 2 * scale,
  acceptPackets: 20 * scale,
  acceptBytes: 2000 * scale,
  rejectFlows: 1 * scale,
  rejectPackets: 10 * scale,
  rejectBytes: 1000 * scale,
  nodataRecords: 0,
  skipdataRecords: 1 * scale,
});

/** A rollup with every field a v5 format can fill. */
const fullRollup = (): Rollup => ({
  interfaceId: 'eni-0a1b2c3d4e5f67890',
  windowStart: WINDOW,
  ...counters(1),
  ingressPackets: 12,
  ingressBytes: 1200,
  egressPackets: 18,
  egressBytes: 1800,
  tcpBytes: 2500,
  udpBytes: 400,
  icmpBytes: 100,
  otherBytes: 0,
  synOnlyFlows: 1,
  accountId: '123456789012',
  vpcId: 'vpc-0abc',
  subnetId: 'subnet-0abc',
  instanceId: 'i-0abc',
  topTalkers: [talker('10.0.1.5', 2000), talker('10.0.2.9', 1000)],
  topRejectedSources: [rejected('198.51.100.7', 1)],
});

/** A v2 rollup: no optional counters, no VPC ids, no top lists. */
const plainRollup = (): Rollup => ({
  interfaceId: 'eni-0a1b2c3d4e5f67890',
  windowStart: WINDOW,
  ...counters(2),
});

export {
  contributionOf,
  counters,
  fullRollup,
  ID,
  type Item,
  LABEL,
  OPTIONS,
  plainRollup,
  rejected,
  rollupOf,
  talker,
  WINDOW,
  withTops,
};
