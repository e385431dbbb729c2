/** A parsed JSON object (not null, not an array). */
type JsonObject = Readonly<Record<string, unknown>>;

/** True for a JSON object: not null, not an array, not a primitive. */
const isJsonObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export type { JsonObject };
export { isJsonObject };
