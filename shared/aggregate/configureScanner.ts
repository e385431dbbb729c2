import type { FlowLogFormat } from '../types.js';
import type { RollupOptions } from './rollupRecords.js';
import type { RollupShape } from './rollupShape.js';
import type { ScannerExports } from './scannerMemory.js';

// Mirrors of the constants in wasm/scannerLayout.ts: the kinds of columns,
// the roles of fields and the shape flags.
const KIND_TEXT = 0;
const KIND_INTEGER = 1;
const KIND_HASHED = 2;
const KIND_KEY = 3;
const HASHED_FIELDS = ['srcaddr', 'dstaddr'];
const KEY_FIELDS = ['interface-id', 'resource-id'];
/** The fields a rollup reads: every other text field may be anything. */
const ROLE_FIELDS: readonly string[] = [
  'interface-id',
  'resource-id',
  'srcaddr',
  'dstaddr',
  'srcport',
  'dstport',
  'protocol',
  'packets',
  'bytes',
  'start',
  'end',
  'action',
  'log-status',
  'tcp-flags',
  'flow-direction',
  'account-id',
  'vpc-id',
  'subnet-id',
  'instance-id',
];
const CHECKED_FIELDS = new Set(['action', 'log-status', 'flow-direction']);
const SHAPE_FLAGS: readonly [keyof RollupShape, number][] = [
  ['hasTalkers', 1],
  ['hasRejected', 2],
  ['hasAccountId', 4],
  ['hasVpcId', 8],
  ['hasSubnetId', 16],
  ['hasInstanceId', 32],
];

/**
 * Sets up a fresh scanner instance to roll up text of a flow-log format.
 * It gives the instance the window mode, the rollup shape, the sample
 * limit, the kind of each column (and which ones are checked), the column
 * of each role (one past the last for a field the format lacks), the
 * header and the default ENI; the last two go through the input buffer,
 * from which the instance copies them. The format must be one that
 * `assertRollupFormat` accepted: nothing here checks it again.
 */
function configureScanner(
  wasm: ScannerExports,
  format: FlowLogFormat,
  shape: RollupShape,
  options: RollupOptions,
  sampleLimit: number
): void {
  const { fields } = format;
  const shapeFlags = SHAPE_FLAGS.reduce(
    (flags, [name, flag]) => (shape[name] ? flags | flag : flags),
    0
  );
  wasm.init(
    fields.length,
    options.windowMode === 'prorate',
    shapeFlags,
    sampleLimit
  );
  fields.forEach((field, column) => {
    const kind =
      field.type === 'integer'
        ? KIND_INTEGER
        : HASHED_FIELDS.includes(field.name)
          ? KIND_HASHED
          : KEY_FIELDS.includes(field.name)
            ? KIND_KEY
            : KIND_TEXT;
    wasm.setColumn(
      column,
      kind,
      kind === KIND_INTEGER || CHECKED_FIELDS.has(field.name)
    );
  });
  ROLE_FIELDS.forEach((name, role) => {
    const column = fields.findIndex((field) => field.name === name);
    wasm.setRole(role, column < 0 ? fields.length : column);
  });
  const input = wasm.inputPointer();
  /** Copies bytes to the start of the input buffer; returns their length. */
  const write = (bytes: Uint8Array): number => {
    new Uint8Array(wasm.memory.buffer).set(bytes, input);
    return bytes.length;
  };
  wasm.setHeader(write(new TextEncoder().encode(format.header)));
  if (options.interfaceId !== undefined) {
    wasm.setDefaultEni(write(new TextEncoder().encode(options.interfaceId)));
  }
}

export { configureScanner, ROLE_FIELDS };
