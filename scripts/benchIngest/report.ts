/**
 * The bench's report: a table of each object's figures, what its writes
 * cost at on-demand prices next to CloudWatch Logs' ingestion, and the
 * WRU-per-item target met or MISSED.
 */

/** USD per write request unit, DynamoDB on demand, us-east-1. */
const DYNAMODB_WRU_USD = 0.625 / 1e6;
/** USD per GB ingested, CloudWatch Logs vended logs, us-east-1, first 10 TB. */
const CLOUDWATCH_LOGS_GB_USD = 0.5;
/** The target of issue #13: write units per (ENI, window) item, index writes included. */
const TARGET_WRU_PER_ITEM = 1.5;
const GB = 1024 ** 3;

interface ObjectFigures {
  fleet: string;
  object: string;
  records: number;
  enis: number;
  /** Distinct (ENI, window) items the object added to. */
  items: number;
  /** Items per part summed (the same item in two parts of an object counts twice). */
  itemWrites: number;
  parts: number;
  textBytes: number;
  gzipMiB: number;
  writeRequests: number;
  tableWriteUnits: number;
  /** Write units the ingest summed from the responses it got, when its summary has them. */
  storeWriteUnits: number | null;
  conditionFailures: number;
  unreportedWrites: number;
  indexWriteUnits: number;
  ingestSeconds: number;
  cpuSeconds: number;
  maxRssMiB: number;
}

const usd = (value: number) =>
  value >= 1 ? `$${value.toFixed(2)}` : `$${value.toFixed(4)}`;

function report(results: readonly ObjectFigures[]): void {
  const columns: [string, number, (r: ObjectFigures) => string][] = [
    ['object', 36, (r) => r.object],
    ['records', 9, (r) => r.records.toLocaleString('en-US')],
    ['ENIs', 7, (r) => r.enis.toLocaleString('en-US')],
    ['items', 7, (r) => r.items.toLocaleString('en-US')],
    ['parts', 5, (r) => String(r.parts)],
    ['write req', 9, (r) => r.writeRequests.toLocaleString('en-US')],
    ['table WRU', 9, (r) => r.tableWriteUnits.toLocaleString('en-US')],
    ['index WRU', 9, (r) => String(r.indexWriteUnits)],
    [
      'WRU/item',
      8,
      (r) => ((r.tableWriteUnits + r.indexWriteUnits) / r.items).toFixed(3),
    ],
    ['ingest s', 8, (r) => r.ingestSeconds.toFixed(1)],
    ['items/s', 7, (r) => Math.round(r.items / r.ingestSeconds).toString()],
    ['CPU s', 6, (r) => r.cpuSeconds.toFixed(1)],
    ['CPU ms/item', 11, (r) => ((r.cpuSeconds * 1000) / r.items).toFixed(2)],
    ['RSS MiB', 7, (r) => r.maxRssMiB.toFixed(0)],
  ];
  console.log(
    `\n${columns.map(([name, width], i) => (i === 0 ? name.padEnd(width) : name.padStart(width))).join(' ')}`
  );
  for (const r of results) {
    console.log(
      columns
        .map(([, width, cell], i) =>
          i === 0 ? cell(r).padEnd(width) : cell(r).padStart(width)
        )
        .join(' ')
    );
  }
  console.log(
    "\nindex WRU: 0, no rollup item is in an index (the one index, catalog, is sparse; a window's top ENIs come from ranking items, written once per window and object)."
  );
  for (const r of results) {
    const units = r.tableWriteUnits + r.indexWriteUnits;
    const cost = units * DYNAMODB_WRU_USD;
    const textGB = r.textBytes / GB;
    console.log(
      `${r.object}: ${units.toLocaleString('en-US')} WRU = ${usd(cost)}; ` +
        `${usd((cost / r.records) * 1e6)} per million records, ` +
        `${usd(cost / textGB)} per GB of flow-log text (${textGB.toFixed(3)} GB; ` +
        `CloudWatch Logs would charge ${usd(CLOUDWATCH_LOGS_GB_USD * textGB)} = ${usd(CLOUDWATCH_LOGS_GB_USD)} per GB to ingest it)` +
        (r.conditionFailures
          ? `; ${r.conditionFailures} failed conditions counted at 1 WRU`
          : '') +
        (r.unreportedWrites
          ? `; ${r.unreportedWrites} part-checkpoint writes counted at 1 WRU`
          : '') +
        (r.parts > 1
          ? `; ${r.parts} parts wrote ${r.itemWrites.toLocaleString('en-US')} item updates for ${r.items.toLocaleString('en-US')} items`
          : '') +
        (r.storeWriteUnits === null ||
        r.storeWriteUnits ===
          r.tableWriteUnits - r.conditionFailures - r.unreportedWrites
          ? ''
          : `; MISMATCH: the store summed ${r.storeWriteUnits} WRU`)
    );
  }
  const items = results.reduce((sum, r) => sum + r.items, 0);
  const units = results.reduce(
    (sum, r) => sum + r.tableWriteUnits + r.indexWriteUnits,
    0
  );
  console.log('');
  for (const r of results) {
    const perItem = (r.tableWriteUnits + r.indexWriteUnits) / r.items;
    console.log(
      `target <= ${TARGET_WRU_PER_ITEM} WRU per item (index writes included), ${r.object}: ${perItem.toFixed(3)} ${perItem <= TARGET_WRU_PER_ITEM ? 'met' : 'MISSED'}`
    );
  }
  const overall = units / items;
  console.log(
    `target <= ${TARGET_WRU_PER_ITEM} WRU per item (index writes included), all objects: ${overall.toFixed(3)} ${overall <= TARGET_WRU_PER_ITEM ? 'met' : 'MISSED'}`
  );
}

export { type ObjectFigures, report };
