/** A query's answer: the JSON body, and the same data as CSV rows. */
interface QueryResult {
  readonly statusCode: number;
  /** Extra response headers (the next page's token, for CSV clients). */
  readonly headers?: Readonly<Record<string, string>>;
  readonly body: Readonly<Record<string, unknown>>;
  readonly table: {
    readonly columns: readonly string[];
    readonly rows: readonly Readonly<Record<string, unknown>>[];
  };
}

export type { QueryResult };
