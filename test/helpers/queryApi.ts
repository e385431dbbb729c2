import { fileURLToPath } from 'node:url';
import { vi } from 'vitest';
import { serveHttpApi } from '../../scripts/local/httpApi.js';
import type { RejectedSource, TopTalker } from '../../shared/types.js';
import type { ExactRollup } from './expectedRollups.js';

/** The repository root, wherever this clone lives. */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

type QueryApiHandler = typeof import('../../functions/queryApi.js')['handler'];

/** The environment a handler is imported with: undefined unsets a variable. */
type ApiEnv = Readonly<Record<string, string | undefined>>;

/** The real queryApi handler behind the local HTTP API stand-in. */
interface RunningApi {
  readonly handler: QueryApiHandler;
  /** `http://127.0.0.1:<port>` */
  readonly base: string;
  close(): Promise<void>;
}

/**
 * A fresh import of the real queryApi handler (it reads its configuration
 * and builds its DynamoDB client at import) with `settings` applied to
 * `process.env`. They stay applied: the SDK reads the endpoint, region and
 * credentials from the environment at the client's first call, not at
 * import.
 */
async function importQueryApi(settings: ApiEnv = {}): Promise<QueryApiHandler> {
  for (const [name, value] of Object.entries(settings)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  vi.resetModules();
  const { handler }: { handler: QueryApiHandler } = await import(
    '../../functions/queryApi.js'
  );
  return handler;
}

/** Imports queryApi under `settings` and serves it on a free 127.0.0.1 port. */
async function startQueryApi(settings: ApiEnv = {}): Promise<RunningApi> {
  const handler = await importQueryApi(settings);
  const { server, port } = await serveHttpApi(handler, 0);
  return {
    handler,
    base: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** An HTTP response, read whole. */
interface ApiResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
}

/** GET (or `init.method`) `base + path`; `path` is sent as it is. */
async function call(
  base: string,
  path: string,
  init: RequestInit = {}
): Promise<ApiResponse> {
  const response = await fetch(`${base}${path}`, init);
  return {
    status: response.status,
    headers: response.headers,
    text: await response.text(),
  };
}

/** A rollup as the API shows it: the stored counters and ids, and the window as ISO. */
type RollupRow = ExactRollup & { readonly window: string };

interface RollupsBody {
  readonly interfaceId: string;
  readonly from: string;
  readonly to: string;
  readonly limit: number;
  readonly rollups: RollupRow[];
  readonly nextToken?: string;
}

interface SummaryBody {
  readonly interfaceId: string;
  readonly from: string;
  readonly to: string;
  readonly windows: number;
  readonly totals: Readonly<Record<string, number | string>>;
  readonly topTalkers: TopTalker[];
  readonly topRejectedSources: RejectedSource[];
  readonly skipdataWindows: {
    readonly windowStart: number;
    readonly window: string;
    readonly skipdataRecords: number;
  }[];
}

interface TopBody {
  readonly windowStart: number;
  readonly window: string;
  readonly by: string;
  readonly limit: number;
  readonly membership: 'exact' | 'approximate';
  readonly enis: RollupRow[];
}

interface ErrorBody {
  readonly error: {
    readonly code: string;
    readonly message: string;
    readonly param?: string;
  };
}

/** The JSON body of a response; throws saying what came instead. */
function bodyOf<T>(response: { readonly text: string }): T {
  try {
    return JSON.parse(response.text) as T;
  } catch {
    throw new Error(`not JSON: ${response.text.slice(0, 200)}`);
  }
}

/**
 * What is wrong with an error response, as readable lines ([] when
 * nothing): it must be JSON, `{"error":{"code","message"[,"param"]}}` and
 * nothing else, with string values and no trace of the code behind it.
 */
function errorBodyProblems(response: {
  readonly headers: Headers | Readonly<Record<string, string>>;
  readonly text: string;
}): string[] {
  const problems: string[] = [];
  const contentType =
    response.headers instanceof Headers
      ? response.headers.get('content-type')
      : response.headers['content-type'];
  if (!contentType?.startsWith('application/json')) {
    problems.push(`content-type is ${contentType}`);
  }
  let body: unknown;
  try {
    body = JSON.parse(response.text);
  } catch {
    return [...problems, `body is not JSON: ${response.text.slice(0, 200)}`];
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return [...problems, 'body is not an object'];
  }
  if (Object.keys(body).join() !== 'error') {
    problems.push(`body keys are ${Object.keys(body).join()}`);
  }
  const error: unknown = 'error' in body ? body.error : undefined;
  if (typeof error !== 'object' || error === null) {
    return [...problems, 'no error object'];
  }
  for (const [key, value] of Object.entries(error)) {
    if (!['code', 'message', 'param'].includes(key)) {
      problems.push(`unexpected error.${key}`);
    }
    if (typeof value !== 'string' || value === '') {
      problems.push(`error.${key} is not a non-empty string`);
    }
  }
  if (!('code' in error) || !('message' in error)) {
    problems.push('error lacks code or message');
  }
  return problems;
}

/**
 * Traces of the code behind an answer (a stack frame, a source path, an
 * error class name), as readable lines; [] when none. For answers to
 * requests whose text cannot hold such words itself.
 */
function internalsIn(text: string): string[] {
  const patterns = [
    /\bat \S+ \(/,
    /\.ts:\d+/,
    /node_modules|node:internal/,
    /\b(?:Store|Query|Type|Range)?Error\b/,
    /ECONNREFUSED|ECONNRESET/,
    /\bstack\b|\bcause\b/,
  ];
  return patterns
    .filter((pattern) => pattern.test(text))
    .map((pattern) => `${pattern} in ${text.slice(0, 300)}`);
}

/** The records of RFC 4180 CSV text (quoted cells, CRLF or LF line ends). */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (quoted) {
      if (char === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (char === '"') {
        quoted = false;
      } else {
        cell += char;
      }
    } else if (char === '"') {
      quoted = true;
    } else if (char === ',') {
      record.push(cell);
      cell = '';
    } else if (char === '\n' || char === '\r') {
      if (char === '\r' && text[i + 1] === '\n') i++;
      record.push(cell);
      records.push(record);
      record = [];
      cell = '';
    } else {
      cell += char;
    }
  }
  if (cell !== '' || record.length > 0) {
    record.push(cell);
    records.push(record);
  }
  return records;
}

/**
 * JSON rows as the CSV of them must read: a header row of `columns`, then
 * one record per row, an absent value as an empty cell.
 */
function csvOfRows(
  columns: readonly string[],
  rows: readonly Readonly<Record<string, unknown>>[]
): string[][] {
  return [
    [...columns],
    ...rows.map((row) =>
      columns.map((column) =>
        row[column] === undefined ? '' : String(row[column])
      )
    ),
  ];
}

export type {
  ApiEnv,
  ApiResponse,
  ErrorBody,
  QueryApiHandler,
  RollupRow,
  RollupsBody,
  RunningApi,
  SummaryBody,
  TopBody,
};
export {
  bodyOf,
  call,
  csvOfRows,
  errorBodyProblems,
  importQueryApi,
  internalsIn,
  parseCsv,
  ROOT,
  startQueryApi,
};
