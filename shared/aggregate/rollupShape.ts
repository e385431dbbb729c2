import type { FlowLogFormat } from '../types.js';

/** Which optional parts a rollup has, decided once from the format. */
interface RollupShape {
  readonly hasDirection: boolean;
  readonly hasProtocol: boolean;
  readonly hasTcpFlags: boolean;
  readonly hasTalkers: boolean;
  readonly hasRejected: boolean;
  readonly hasAccountId: boolean;
  readonly hasVpcId: boolean;
  readonly hasSubnetId: boolean;
  readonly hasInstanceId: boolean;
}

/** Derives the rollup shape from the fields a format carries. */
function rollupShapeOf(format: FlowLogFormat): RollupShape {
  const names = new Set(format.fields.map((field) => field.name));
  const hasAddresses = names.has('srcaddr') && names.has('dstaddr');
  return {
    hasDirection: names.has('flow-direction'),
    hasProtocol: names.has('protocol'),
    hasTcpFlags: names.has('tcp-flags'),
    hasTalkers: hasAddresses,
    hasRejected: names.has('srcaddr') && names.has('action'),
    hasAccountId: names.has('account-id'),
    hasVpcId: names.has('vpc-id'),
    hasSubnetId: names.has('subnet-id'),
    hasInstanceId: names.has('instance-id'),
  };
}

export type { RollupShape };
export { rollupShapeOf };
