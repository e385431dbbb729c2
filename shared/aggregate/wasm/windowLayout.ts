// AssemblyScript: the layout of a window struct, the (ENI, window) item
// the scanner accumulates (flowLogScannerCore.ts) and the host reads
// (../windowReader.ts mirrors these offsets).

// Window struct: four cache lines; the key and both sketch headers fill the first.
export const W_START = 0; // f64
export const W_ENI = 8; // i32 ENI index
export const W_TALKER_SKETCH = 16; // sketch header
export const W_REJECTED_SKETCH = 40; // sketch header
export const W_IDS = 64; // 4 x (pointer u32, length i32; -1 = none)
export const W_COUNTERS = 96; // 20 x f64
export const W_REJECTED_FLOW_SKETCH = 256; // sketch header (source, port, protocol)
export const W_REJECTED_PORT_SKETCH = 280; // sketch header (port, protocol)
export const W_SIZE = 320;
export const C_FLOWS = 0;
export const C_PACKETS = 1;
export const C_BYTES = 2;
export const C_ACCEPT_FLOWS = 3;
export const C_ACCEPT_PACKETS = 4;
export const C_ACCEPT_BYTES = 5;
export const C_REJECT_FLOWS = 6;
export const C_REJECT_PACKETS = 7;
export const C_REJECT_BYTES = 8;
export const C_NODATA = 9;
export const C_SKIPDATA = 10;
export const C_INGRESS_PACKETS = 11;
export const C_INGRESS_BYTES = 12;
export const C_EGRESS_PACKETS = 13;
export const C_EGRESS_BYTES = 14;
export const C_TCP_BYTES = 15;
export const C_UDP_BYTES = 16;
export const C_ICMP_BYTES = 17;
export const C_OTHER_BYTES = 18;
export const C_SYN_ONLY = 19;
