import type {
  AttributeValue,
  PutItemCommandInput,
  UpdateItemCommandInput,
} from '@aws-sdk/client-dynamodb';

type Item = Record<string, AttributeValue>;

/** The condition of a write did not hold: DynamoDB would refuse it. `item` is the item as it was. */
class ConditionFailed extends Error {
  constructor(readonly item: Item | undefined) {
    super('The conditional request failed');
  }
}

interface Names {
  name(token: string): string;
  value(token: string): AttributeValue;
}

function bindings(input: {
  ExpressionAttributeNames?: Record<string, string>;
  ExpressionAttributeValues?: Record<string, AttributeValue>;
}): Names {
  return {
    name(token) {
      const name = input.ExpressionAttributeNames?.[token];
      if (name === undefined) throw new Error(`unbound name ${token}`);
      return name;
    },
    value(token) {
      const value = input.ExpressionAttributeValues?.[token];
      if (value === undefined) throw new Error(`unbound value ${token}`);
      return value;
    },
  };
}

const sameBytes = (a: Uint8Array, b: Uint8Array): boolean =>
  a.length === b.length && a.every((byte, i) => byte === b[i]);

/** -1, 0, 1 for two values of one scalar type; throws for other pairs. */
function compare(a: AttributeValue, b: AttributeValue): number {
  if (a.N !== undefined && b.N !== undefined) {
    return Math.sign(Number(a.N) - Number(b.N));
  }
  if (a.S !== undefined && b.S !== undefined) {
    return a.S < b.S ? -1 : a.S > b.S ? 1 : 0;
  }
  if (a.B !== undefined && b.B !== undefined) {
    return sameBytes(a.B, b.B) ? 0 : 1;
  }
  throw new Error(
    `cannot compare ${JSON.stringify(a)} with ${JSON.stringify(b)}`
  );
}

/**
 * Evaluates a condition expression the way DynamoDB does, for the forms
 * the store writes: AND, OR, NOT, parentheses, `contains(#a, :v)` on a
 * string set, `attribute_exists(#a)`, `attribute_not_exists(#a)`, and
 * `#a <op> :v` (a missing attribute compares false). Anything else throws.
 */
function holds(expression: string, item: Item, bound: Names): boolean {
  const tokens = expression.match(/[#:]\w+|[(),]|<>|<=|>=|[=<>]|\w+/g) ?? [];
  let at = 0;
  const peek = () => tokens[at];
  const take = (expected?: string) => {
    const token = tokens[at++];
    if (token === undefined || (expected && token !== expected)) {
      throw new Error(`expected ${expected ?? 'more'} in ${expression}`);
    }
    return token;
  };
  const orExpression = (): boolean => {
    let value = andExpression();
    while (peek() === 'OR') {
      take();
      value = andExpression() || value;
    }
    return value;
  };
  const andExpression = (): boolean => {
    let value = unary();
    while (peek() === 'AND') {
      take();
      value = unary() && value;
    }
    return value;
  };
  const unary = (): boolean => {
    const token = take();
    if (token === 'NOT') return !unary();
    if (token === '(') {
      const value = orExpression();
      take(')');
      return value;
    }
    if (
      ['contains', 'attribute_exists', 'attribute_not_exists'].includes(token)
    ) {
      take('(');
      const attribute = item[bound.name(take())];
      let value: boolean;
      if (token === 'contains') {
        take(',');
        const wanted = bound.value(take()).S;
        if (wanted === undefined) throw new Error('contains() needs a string');
        value = attribute?.SS?.includes(wanted) ?? false;
      } else {
        value = (attribute !== undefined) === (token === 'attribute_exists');
      }
      take(')');
      return value;
    }
    if (token.startsWith('#')) {
      const attribute = item[bound.name(token)];
      const operator = take();
      const value = bound.value(take());
      if (attribute === undefined) return false;
      const order = compare(attribute, value);
      switch (operator) {
        case '=':
          return order === 0;
        case '<>':
          return order !== 0;
        case '<':
          return order < 0;
        case '<=':
          return order <= 0;
        case '>':
          return order > 0;
        case '>=':
          return order >= 0;
      }
    }
    throw new Error(`unexpected ${token} in ${expression}`);
  };
  const value = orExpression();
  if (at !== tokens.length) throw new Error(`trailing tokens in ${expression}`);
  return value;
}

/** The SET, ADD and REMOVE sections of an update expression, in any order. */
function sectionsOf(expression: string): Map<string, string> {
  const sections = new Map<string, string>();
  const parts = expression.split(/\b(SET|ADD|REMOVE)\s/).slice(1);
  for (let i = 0; i < parts.length; i += 2) {
    const keyword = parts[i] as string;
    if (sections.has(keyword))
      throw new Error(`two ${keyword} in ${expression}`);
    sections.set(keyword, (parts[i + 1] ?? '').trim());
  }
  if (sections.size === 0) throw new Error(`unexpected update ${expression}`);
  return sections;
}

/**
 * Applies an UpdateItem input to an item the way DynamoDB would, for the
 * shapes the store builds: a condition (see `holds`), `SET #a = :v`,
 * `SET #a = if_not_exists(#a, :v)`, `ADD #a :v` (numbers and string
 * sets) and `REMOVE #a`. Anything else throws, so a change of shape fails
 * the tests that use it. Returns a new item; throws `ConditionFailed`
 * (holding the item as it was) when the condition does not hold.
 */
function applyUpdateItem(item: Item, input: UpdateItemCommandInput): Item {
  const bound = bindings(input);
  const exists = Object.keys(item).length > 0;
  if (
    input.ConditionExpression !== undefined &&
    !holds(input.ConditionExpression, item, bound)
  ) {
    throw new ConditionFailed(exists ? structuredClone(item) : undefined);
  }
  const next: Item = { ...structuredClone(item), ...input.Key };
  const sections = sectionsOf(input.UpdateExpression ?? '');
  for (const clause of (sections.get('SET') ?? '').split(/, (?![^(]*\))/)) {
    if (clause === '') continue;
    const keep = /^(#\w+) = if_not_exists\((#\w+), (:\w+)\)$/.exec(clause);
    if (keep !== null) {
      const name = bound.name(keep[1] as string);
      if (bound.name(keep[2] as string) !== name) throw new Error(clause);
      next[name] = item[name] ?? bound.value(keep[3] as string);
      continue;
    }
    const set = /^(#\w+) = (:\w+)$/.exec(clause);
    if (set === null) throw new Error(`unexpected SET clause ${clause}`);
    next[bound.name(set[1] as string)] = bound.value(set[2] as string);
  }
  for (const clause of (sections.get('ADD') ?? '').split(', ')) {
    if (clause === '') continue;
    const add = /^(#\w+) (:\w+)$/.exec(clause);
    if (add === null) throw new Error(`unexpected ADD clause ${clause}`);
    const name = bound.name(add[1] as string);
    const value = bound.value(add[2] as string);
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
  for (const clause of (sections.get('REMOVE') ?? '').split(', ')) {
    if (clause === '') continue;
    if (!/^#\w+$/.test(clause)) {
      throw new Error(`unexpected REMOVE clause ${clause}`);
    }
    delete next[bound.name(clause)];
  }
  return next;
}

/**
 * An item's size by DynamoDB's rules (what a write is billed by): each
 * attribute's name plus its value: UTF-8 bytes of a string, bytes of a
 * binary, 1 byte per 2 significant digits plus 1 of a number, the sum of
 * a set's members.
 * @see https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/CapacityUnitCalculations.html
 */
function itemBytes(item: Item): number {
  const utf8 = (text: string) => Buffer.byteLength(text, 'utf8');
  const number = (text: string) =>
    1 + Math.ceil(text.replace(/^-?0*\.?0*|[-.]|0+$/g, '').length / 2);
  let total = 0;
  for (const [name, value] of Object.entries(item)) {
    total += utf8(name);
    if (value.S !== undefined) total += utf8(value.S);
    else if (value.B !== undefined) total += value.B.length;
    else if (value.N !== undefined) total += number(value.N);
    else if (value.SS !== undefined) {
      total += value.SS.reduce((sum, member) => sum + utf8(member), 0);
    } else throw new Error(`no size rule for ${JSON.stringify(value)}`);
  }
  return total;
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
 * A DynamoDB table in memory, for the requests the store sends: an
 * unconditional PutItem replaces the whole item (so putting it again
 * changes nothing), an UpdateItem goes through `applyUpdateItem` (throws
 * `ConditionFailed` and leaves the item as it was when its condition
 * fails), GetItem returns a copy. Anything else throws.
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

  get(key: Item | undefined): Item | undefined {
    const item = this.byKey.get(itemKey(key));
    return item === undefined ? undefined : structuredClone(item);
  }

  /** Every item, in key order (as a Scan of one partition returns them). */
  items(): Item[] {
    return [...this.byKey.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, item]) => structuredClone(item));
  }
}

export { applyUpdateItem, ConditionFailed, itemBytes, MemoryTable };
