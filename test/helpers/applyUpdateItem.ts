import type {
  AttributeValue,
  PutItemCommandInput,
  UpdateItemCommandInput,
} from '@aws-sdk/client-dynamodb';

type Item = Record<string, AttributeValue>;

/** The condition of an UpdateItem input held: DynamoDB would refuse the write. */
class ConditionFailed extends Error {}

const group = (match: RegExpExecArray, index: number): string => {
  const value = match[index];
  if (value === undefined) throw new Error(`no group ${index} in ${match[0]}`);
  return value;
};

/**
 * Applies an UpdateItem input of exactly the shape `updateFor` builds
 * (`SET #n = :v, #n = if_not_exists(#n, :v) ADD #n :v` under
 * `NOT contains(#c, :c)`) to an item, the way DynamoDB would. Anything else
 * throws, so a change of shape fails the tests that use it. Returns a new
 * item; throws `ConditionFailed` when the condition is not met.
 */
function applyUpdateItem(item: Item, input: UpdateItemCommandInput): Item {
  const names = input.ExpressionAttributeNames ?? {};
  const values = input.ExpressionAttributeValues ?? {};
  const boundName = (token: string): string => {
    const name = names[token];
    if (name === undefined) throw new Error(`unbound name ${token}`);
    return name;
  };
  const boundValue = (token: string): AttributeValue => {
    const value = values[token];
    if (value === undefined) throw new Error(`unbound value ${token}`);
    return value;
  };

  const condition = /^NOT contains\((#\w+), (:\w+)\)$/.exec(
    input.ConditionExpression ?? ''
  );
  if (condition === null) {
    throw new Error(`unexpected condition ${input.ConditionExpression}`);
  }
  const held = item[boundName(group(condition, 1))]?.SS ?? [];
  const wanted = boundValue(group(condition, 2)).S;
  if (wanted === undefined) throw new Error('contains() needs a string');
  if (held.includes(wanted)) throw new ConditionFailed(wanted);

  const update = /^SET (.+) ADD (.+)$/.exec(input.UpdateExpression ?? '');
  if (update === null) {
    throw new Error(`unexpected update ${input.UpdateExpression}`);
  }
  const next: Item = { ...item, ...input.Key };
  for (const clause of group(update, 1).split(/, (?![^(]*\))/)) {
    const keep = /^(#\w+) = if_not_exists\((#\w+), (:\w+)\)$/.exec(clause);
    if (keep !== null) {
      const name = boundName(group(keep, 1));
      if (boundName(group(keep, 2)) !== name) throw new Error(clause);
      next[name] = item[name] ?? boundValue(group(keep, 3));
      continue;
    }
    const set = /^(#\w+) = (:\w+)$/.exec(clause);
    if (set === null) throw new Error(`unexpected SET clause ${clause}`);
    next[boundName(group(set, 1))] = boundValue(group(set, 2));
  }
  for (const clause of group(update, 2).split(', ')) {
    const add = /^(#\w+) (:\w+)$/.exec(clause);
    if (add === null) throw new Error(`unexpected ADD clause ${clause}`);
    const name = boundName(group(add, 1));
    const value = boundValue(group(add, 2));
    const old = item[name];
    if (value.N !== undefined && (old === undefined || old.N !== undefined)) {
      next[name] = { N: String(Number(old?.N ?? 0) + Number(value.N)) };
    } else if (
      value.SS !== undefined &&
      (old === undefined || old.SS !== undefined)
    ) {
      next[name] = { SS: [...new Set([...(old?.SS ?? []), ...value.SS])] };
    } else {
      throw new Error(`cannot ADD ${JSON.stringify(value)} to ${name}`);
    }
  }
  return next;
}

/** `pk sk` of an item or key: what identifies an item in the table. */
function itemKey(key: Item | undefined): string {
  const pk = key?.pk?.S;
  const sk = key?.sk?.S;
  if (pk === undefined || sk === undefined) {
    throw new Error(`no pk/sk in ${JSON.stringify(key)}`);
  }
  return `${pk} ${sk}`;
}

/**
 * A DynamoDB table in memory, for the writes the store sends: an
 * unconditional PutItem replaces the whole item (so putting it again
 * changes nothing), an UpdateItem goes through `applyUpdateItem` (throws
 * `ConditionFailed` and leaves the item as it was when its condition
 * fails). Anything else throws.
 */
class MemoryTable {
  private readonly byKey = new Map<string, Item>();

  put(input: PutItemCommandInput): void {
    if (input.ConditionExpression !== undefined) {
      throw new Error(
        `unexpected PutItem condition ${input.ConditionExpression}`
      );
    }
    const item = input.Item;
    if (item === undefined) throw new Error('PutItem without an Item');
    this.byKey.set(itemKey(item), structuredClone(item));
  }

  update(input: UpdateItemCommandInput): void {
    const key = itemKey(input.Key);
    this.byKey.set(key, applyUpdateItem(this.byKey.get(key) ?? {}, input));
  }

  /** Every item, in key order (as a Scan of one partition returns them). */
  items(): Item[] {
    return [...this.byKey.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, item]) => structuredClone(item));
  }
}

export { applyUpdateItem, ConditionFailed, MemoryTable };
