// AssemblyScript: a split line's checks and its record (flowLogScannerCore.ts):
// action, log-status, times and the first problem from the left, as the
// typed path finds them; then the record's ENI and window, its counters
// (windowCounters.ts), ids and top-list update (topListUpdates.ts).

import { bad } from './badRecords';
import {
  ABSENT,
  ACTION_NONE,
  ACTION_REJECT,
  DIRECTION_EGRESS,
  DIRECTION_UNKNOWN,
  MAX_SAFE,
  matchAction,
  matchDirection,
  matchStatus,
  STATUS_NODATA,
  STATUS_OK,
  STATUS_SKIPDATA,
} from './bytes';
import { alloc } from './heap';
import { lookupEni, windowOf } from './itemTables';
import {
  checkedColumns,
  checkedCount,
  endOf,
  hasBadInteger,
  hashes,
  isDash,
  kinds,
  role,
  shape,
  startOf,
  valueAt,
  values,
} from './lineFields';
import { windowStartOf } from './prorate';
import {
  BAD_ACTION,
  BAD_END_BEFORE_START,
  BAD_INTEGER,
  BAD_LOG_STATUS,
  BAD_MISSING_ENI,
  BAD_MISSING_TIME,
  BAD_SPAN,
  HAS_ACCOUNT,
  HAS_INSTANCE,
  HAS_REJECTED,
  HAS_SUBNET,
  HAS_TALKERS,
  HAS_VPC,
  KIND_INTEGER,
  R_ACCOUNT,
  R_ACTION,
  R_BYTES,
  R_DIRECTION,
  R_DST,
  R_DSTPORT,
  R_END,
  R_ENI,
  R_INSTANCE,
  R_PACKETS,
  R_PROTOCOL,
  R_RESOURCE,
  R_SRC,
  R_SRCPORT,
  R_START,
  R_STATUS,
  R_SUBNET,
  R_TCPFLAGS,
  R_VPC,
} from './scannerLayout';
import {
  rejectedFlowHash,
  rejectedFlowTail,
  rejectedPortHash,
  talkerHash,
  talkerTail,
} from './topListKeys';
import {
  commitUpdate,
  nextUpdate,
  U_BYTES,
  U_DST_FROM,
  U_DST_TO,
  U_FLOW_HASH,
  U_FLOW_TAIL,
  U_IS_REJECTED,
  U_IS_TALKER,
  U_PACKETS,
  U_PORT_HASH,
  U_SRC_FROM,
  U_SRC_HASH,
  U_SRC_TO,
  U_TAIL,
  U_TALKER,
  U_WINDOW,
} from './topListUpdates';
import { addRecord } from './windowCounters';
import { W_IDS } from './windowLayout';

const MILLISECONDS_FROM: f64 = 1e12;
const MAX_RECORD_SECONDS: f64 = 86400;

// Statistics.
export let records: i32 = 0;
export let nodataRecords: i32 = 0;
export let skipdataRecords: i32 = 0;
/** The ENI of records without one (a CloudWatch stream's), or 0. */
let defaultEni: usize = 0;

// The facts of the line checked, for its record.
let fPackets: f64 = 0;
let fBytes: f64 = 0;
let fAction: i32 = 0;
let fStatus: i32 = 0;
let fProtocol: f64 = -1;
let fTcpFlags: f64 = -1;
let fDirection: i32 = 0;
let fSrcport: f64 = -1;
let fDstport: f64 = -1;

/** The ENI of records without one, for the part's rollups (or 0). */
export function setDefaultEniItem(eni: usize): void {
  defaultEni = eni;
}

export function check(): void {
  let isValid = !hasBadInteger;
  fAction = ACTION_NONE;
  fStatus = STATUS_OK;
  fDirection = DIRECTION_UNKNOWN;
  const cAction = role(R_ACTION);
  const cStatus = role(R_STATUS);
  const cDirection = role(R_DIRECTION);
  if (!isDash(cAction)) {
    fAction = matchAction(startOf(cAction), endOf(cAction));
    if (fAction < 0) isValid = false;
  }
  if (!isDash(cStatus)) {
    fStatus = matchStatus(startOf(cStatus), endOf(cStatus));
    if (fStatus < 0) isValid = false;
  }
  if (!isDash(cDirection)) {
    fDirection = matchDirection(startOf(cDirection), endOf(cDirection));
  }
  if (!isValid) {
    firstProblem(cAction, cStatus);
    return;
  }
  const cStart = role(R_START);
  const cEnd = role(R_END);
  if (valueAt(cStart) >= MILLISECONDS_FROM) {
    store<f64>(values + cStart * 8, Math.floor(valueAt(cStart) / 1000));
  }
  if (valueAt(cEnd) >= MILLISECONDS_FROM) {
    store<f64>(values + cEnd * 8, Math.floor(valueAt(cEnd) / 1000));
  }
  const start = valueAt(cStart);
  const end = valueAt(cEnd);
  if (start !== ABSENT && end !== ABSENT && end < start) {
    bad(BAD_END_BEFORE_START, -1, start, end);
    return;
  }
  record();
}

function firstProblem(cAction: i32, cStatus: i32): void {
  for (let k: i32 = 0; k < checkedCount; k++) {
    const column = load<i32>(checkedColumns + k * 4);
    if (<i32>load<u8>(kinds + column) === KIND_INTEGER) {
      const value = valueAt(column);
      if (value < ABSENT || value > MAX_SAFE) {
        bad(BAD_INTEGER, column, 0, 0);
        return;
      }
    } else if (!isDash(column)) {
      if (
        column === cAction &&
        matchAction(startOf(column), endOf(column)) < 0
      ) {
        bad(BAD_ACTION, column, 0, 0);
        return;
      }
      if (
        column === cStatus &&
        matchStatus(startOf(column), endOf(column)) < 0
      ) {
        bad(BAD_LOG_STATUS, column, 0, 0);
        return;
      }
    }
  }
  unreachable();
}

// Records -------------------------------------------------------------------

function record(): void {
  let eni = defaultEni;
  const cEni = role(R_ENI);
  const cResource = role(R_RESOURCE);
  const keyColumn = !isDash(cEni) ? cEni : !isDash(cResource) ? cResource : -1;
  if (keyColumn >= 0) {
    eni = lookupEni(
      startOf(keyColumn),
      endOf(keyColumn),
      load<u32>(hashes + keyColumn * 4)
    );
  }
  if (eni === 0) {
    bad(BAD_MISSING_ENI, -1, 0, 0);
    return;
  }
  const start = valueAt(role(R_START));
  const end = valueAt(role(R_END));
  if (start === ABSENT || end === ABSENT) {
    bad(BAD_MISSING_TIME, -1, 0, 0);
    return;
  }
  if (end - start + 1 > MAX_RECORD_SECONDS) {
    bad(BAD_SPAN, -1, end - start + 1, 0);
    return;
  }
  records++;
  if (fStatus === STATUS_NODATA) nodataRecords++;
  else if (fStatus === STATUS_SKIPDATA) skipdataRecords++;
  const packets = valueAt(role(R_PACKETS));
  const bytes = valueAt(role(R_BYTES));
  fPackets = Math.max(packets, 0);
  fBytes = Math.max(bytes, 0);
  fProtocol = valueAt(role(R_PROTOCOL));
  fTcpFlags = valueAt(role(R_TCPFLAGS));
  fSrcport = valueAt(role(R_SRCPORT));
  fDstport = valueAt(role(R_DSTPORT));
  const window = windowOf(eni, windowStartOf(start));
  addRecord(
    eni,
    window,
    fStatus,
    fAction,
    fTcpFlags === 2,
    start,
    end,
    fPackets,
    fBytes,
    fDirection,
    fProtocol
  );
  if ((shape & HAS_ACCOUNT) !== 0) setId(window, 0, role(R_ACCOUNT));
  if ((shape & HAS_VPC) !== 0) setId(window, 1, role(R_VPC));
  if ((shape & HAS_SUBNET) !== 0) setId(window, 2, role(R_SUBNET));
  if ((shape & HAS_INSTANCE) !== 0) setId(window, 3, role(R_INSTANCE));
  if (fStatus !== STATUS_OK) return;
  const isTalker = (shape & HAS_TALKERS) !== 0;
  const isRejected =
    (shape & HAS_REJECTED) !== 0 &&
    fAction === ACTION_REJECT &&
    fDirection !== DIRECTION_EGRESS;
  if (!isTalker && !isRejected) return;
  const cSrc = role(R_SRC);
  const cDst = role(R_DST);
  const srcHash = load<u32>(hashes + cSrc * 4);
  const u = nextUpdate();
  store<u32>(u + U_WINDOW, <u32>window);
  store<u32>(u + U_IS_TALKER, isTalker ? 1 : 0);
  store<u32>(u + U_IS_REJECTED, isRejected ? 1 : 0);
  store<u32>(u + U_SRC_HASH, srcHash);
  store<u32>(u + U_SRC_FROM, <u32>startOf(cSrc));
  store<u32>(u + U_SRC_TO, <u32>endOf(cSrc));
  store<f64>(u + U_PACKETS, fPackets);
  store<f64>(u + U_BYTES, fBytes);
  if (isRejected) {
    store<u32>(u + U_FLOW_HASH, rejectedFlowHash(srcHash, fDstport, fProtocol));
    store<u32>(u + U_PORT_HASH, rejectedPortHash(fDstport, fProtocol));
    store<u64>(u + U_FLOW_TAIL, rejectedFlowTail(fDstport, fProtocol));
  }
  if (isTalker) {
    store<u32>(
      u + U_TALKER,
      talkerHash(
        srcHash,
        load<u32>(hashes + cDst * 4),
        fSrcport,
        fDstport,
        fDirection,
        fProtocol
      )
    );
    store<u32>(u + U_DST_FROM, <u32>startOf(cDst));
    store<u32>(u + U_DST_TO, <u32>endOf(cDst));
    store<u64>(
      u + U_TAIL,
      talkerTail(fSrcport, fDstport, fDirection, fProtocol)
    );
  }
  commitUpdate();
}

/** The first non-absent value of an id is kept, as the typed path does. */
function setId(window: usize, which: i32, column: i32): void {
  const at = window + W_IDS + which * 8;
  if (load<i32>(at + 4) >= 0 || isDash(column)) return;
  const from = startOf(column);
  const length = <i32>(endOf(column) - from);
  const copy = alloc(length);
  memory.copy(copy, from, length);
  store<u32>(at, <u32>copy);
  store<i32>(at + 4, length);
}
