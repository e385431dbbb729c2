/**
 * The dashboard's calls to the query API (same origin: the API serves the
 * page). Every failure is an `ApiError` with the HTTP status, so a view
 * can tell "the table is unavailable" (503) from a bad request.
 */

/** A failed API call: the status (0 when the network failed) and the API's message. */
class ApiError extends Error {
  readonly status: number;

  constructor(status: number, message: string) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
  }
}

type Params = Record<string, string | number | undefined>;

/** `path?query`, leaving out undefined parameters. */
function urlOf(path: string, params: Params = {}): string {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined) query.set(name, String(value));
  }
  const text = query.toString();
  return text ? `${path}?${text}` : path;
}

/** GET a JSON body; throws `ApiError` on any failure. */
async function getJson<T>(path: string, params: Params = {}): Promise<T> {
  let response: Response;
  try {
    response = await fetch(urlOf(path, params), {
      headers: { accept: 'application/json' },
    });
  } catch (error) {
    throw new ApiError(0, `the API did not answer (${String(error)})`);
  }
  const body = (await response.json().catch(() => null)) as {
    error?: { message?: string };
  } | null;
  if (!response.ok) {
    throw new ApiError(
      response.status,
      body?.error?.message ?? `HTTP ${response.status}`
    );
  }
  return body as T;
}

/** One step of a series as the API answers it. */
interface SeriesRow {
  readonly windowStart: number;
  readonly [counter: string]: number | string | undefined;
}

/** Every page of a series (`rollups` of `/…/rollups`), oldest first. */
async function getSeries(path: string, params: Params): Promise<SeriesRow[]> {
  const rows: SeriesRow[] = [];
  let nextToken: string | undefined;
  do {
    const page = await getJson<{ rollups: SeriesRow[]; nextToken?: string }>(
      path,
      {
        ...params,
        nextToken,
        ...(nextToken ? { from: undefined, to: undefined } : {}),
      }
    );
    rows.push(...page.rollups);
    nextToken = page.nextToken;
  } while (nextToken);
  return rows;
}

export type { Params, SeriesRow };
export { ApiError, getJson, getSeries, urlOf };
