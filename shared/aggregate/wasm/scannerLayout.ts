// AssemblyScript: what the host (../configureScanner.ts,
// ../scannerStats.ts) and the scanner (flowLogScannerCore.ts) agree on
// besides the window struct (windowLayout.ts): the kinds of columns, the
// roles of fields, the reasons for bad records, the shape flags and the
// struct of a sample.

export const KIND_TEXT: i32 = 0;
export const KIND_INTEGER: i32 = 1;
export const KIND_HASHED: i32 = 2;
export const KIND_KEY: i32 = 3;

// Roles: indexes into the role -> column table.
export const R_ENI = 0;
export const R_RESOURCE = 1;
export const R_SRC = 2;
export const R_DST = 3;
export const R_SRCPORT = 4;
export const R_DSTPORT = 5;
export const R_PROTOCOL = 6;
export const R_PACKETS = 7;
export const R_BYTES = 8;
export const R_START = 9;
export const R_END = 10;
export const R_ACTION = 11;
export const R_STATUS = 12;
export const R_TCPFLAGS = 13;
export const R_DIRECTION = 14;
export const R_ACCOUNT = 15;
export const R_VPC = 16;
export const R_SUBNET = 17;
export const R_INSTANCE = 18;
export const ROLES = 19;

// Bad-record reasons (same order as REASONS in ../scannerStats.ts).
export const BAD_FIELD_COUNT = 0;
export const BAD_INTEGER = 1;
export const BAD_ACTION = 2;
export const BAD_LOG_STATUS = 3;
export const BAD_END_BEFORE_START = 4;
export const BAD_MISSING_ENI = 5;
export const BAD_MISSING_TIME = 6;
export const BAD_SPAN = 7;
export const BAD_LINE_TOO_LONG = 8;
export const REASONS = 9;

// Shape flags.
export const HAS_TALKERS = 1;
export const HAS_REJECTED = 2;
export const HAS_ACCOUNT = 4;
export const HAS_VPC = 8;
export const HAS_SUBNET = 16;
export const HAS_INSTANCE = 32;

// Sample struct (a bad record the caller turns into a ParseError).
export const B_LINE = 0;
export const B_REASON = 4;
export const B_COLUMN = 8;
export const B_VALUE = 12;
export const B_VALUE_LENGTH = 16;
export const B_A = 24;
export const B_B = 32;
export const B_SIZE = 40;
