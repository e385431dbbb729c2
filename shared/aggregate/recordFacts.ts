import { DIRECTION_UNKNOWN } from './topLists.js';

/** `RecordFacts.action`: none (`-` or no action field), ACCEPT, REJECT. */
const ACTION_NONE = 0;
const ACTION_ACCEPT = 1;
const ACTION_REJECT = 2;
/** `RecordFacts.status`: OK (also `-` or no log-status field), NODATA, SKIPDATA. */
const STATUS_OK = 0;
const STATUS_NODATA = 1;
const STATUS_SKIPDATA = 2;

/**
 * The numbers one record contributes, filled in place by either ingest path
 * (typed records or the byte scanner) and reused for every record. Absent
 * integers are -1; absent packets/bytes are 0.
 */
class RecordFacts {
  start = 0;
  end = 0;
  packets = 0;
  bytes = 0;
  action = ACTION_NONE;
  status = STATUS_OK;
  protocol = -1;
  tcpFlags = -1;
  direction = DIRECTION_UNKNOWN;
  srcport = -1;
  dstport = -1;
}

export {
  ACTION_ACCEPT,
  ACTION_NONE,
  ACTION_REJECT,
  RecordFacts,
  STATUS_NODATA,
  STATUS_OK,
  STATUS_SKIPDATA,
};
