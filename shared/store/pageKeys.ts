import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { ATTR } from './rollupLayout.js';
import type { PageKey } from './rollupStore.js';

type Item = Record<string, AttributeValue>;

/** The table key (pk, sk) of an item, as a page key. */
const pageKeyOf = (item: Item): PageKey => ({
  [ATTR.pk]: item[ATTR.pk]?.S ?? '',
  [ATTR.sk]: item[ATTR.sk]?.S ?? '',
});

/**
 * Throws `RangeError` unless `key` is a key of partition `pk` with its
 * sort key in [low, high]: the end of a page of that query.
 */
function checkPageKey(
  key: PageKey,
  pk: string,
  low: string,
  high: string
): void {
  const { sk } = key;
  if (
    Object.keys(key).length !== 2 ||
    key.pk !== pk ||
    sk === undefined ||
    sk < low ||
    sk > high
  ) {
    throw new RangeError('page end outside the query');
  }
}

/** A checked page key (pk, sk: strings) as a DynamoDB key. */
const fromPageKey = (key: PageKey): Item =>
  Object.fromEntries(
    Object.entries(key).map(([name, value]) => [name, { S: value }])
  );

export { checkPageKey, fromPageKey, pageKeyOf };
