/** Rules shared by the typed parser and the byte scanner, so both agree. */

/** Rollup window length in seconds; windows are aligned to the Unix epoch. */
const WINDOW_SECONDS = 300;

/** A record whose start..end spans more than this is a bad record (`span-too-long`). */
const MAX_RECORD_SECONDS = 86_400;

/** A line longer than this many bytes is a bad record (`line-too-long`). */
const MAX_LINE_BYTES = 65_536;

/** How many entries the bounded top lists report. */
const TOP_LIST_SIZE = 20;

/** Values at or above this are epoch milliseconds (13 digits), not seconds. */
const MILLISECONDS_FROM = 1e12;

/** Start/end in seconds: 13-digit millisecond values are floored to seconds. */
const toSeconds = (value: number): number =>
  value >= MILLISECONDS_FROM ? Math.floor(value / 1000) : value;

/** The start (epoch seconds) of the window that holds second `t`. */
const windowStartOf = (seconds: number): number =>
  seconds - (seconds % WINDOW_SECONDS);

/** `2026-11-01T00:05:00Z`: epoch seconds as ISO-8601 UTC, whole seconds. */
const isoOfSeconds = (seconds: number): string =>
  new Date(seconds * 1000).toISOString().replace('.000Z', 'Z');

export {
  isoOfSeconds,
  MAX_LINE_BYTES,
  MAX_RECORD_SECONDS,
  MILLISECONDS_FROM,
  TOP_LIST_SIZE,
  toSeconds,
  WINDOW_SECONDS,
  windowStartOf,
};
