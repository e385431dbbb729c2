/**
 * Building DOM from data. Text from outside (tags, names, descriptions,
 * addresses) only ever goes into `textContent` or attribute values, never
 * into markup, so it cannot inject any.
 */

type Child = Node | string | number | null | undefined | false;

/** An element with attributes (strings) and children (text is text). */
function h(
  tag: string,
  attributes: Record<string, string | undefined> = {},
  ...children: Child[]
): HTMLElement {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value !== undefined) element.setAttribute(name, value);
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    element.append(
      typeof child === 'object' ? child : document.createTextNode(String(child))
    );
  }
  return element;
}

const UNITS = ['', 'K', 'M', 'G', 'T', 'P'];

/** 1234567 -> "1.23 M": counts at a glance (the exact value in the title). */
function short(value: number): string {
  let scaled = value;
  let unit = 0;
  while (Math.abs(scaled) >= 1000 && unit < UNITS.length - 1) {
    scaled /= 1000;
    unit++;
  }
  const digits = unit === 0 ? 0 : scaled < 10 ? 2 : scaled < 100 ? 1 : 0;
  return `${scaled.toFixed(digits)}${UNITS[unit] ? ` ${UNITS[unit]}` : ''}`;
}

/** A number cell: short form, exact value on hover. */
function numberCell(value: number | undefined): HTMLElement {
  if (value === undefined) return h('td', { class: 'num' }, '–');
  return h(
    'td',
    { class: 'num', title: value.toLocaleString('en-US') },
    short(value)
  );
}

/** The flows, packets and bytes cells of a top-list entry, in that order. */
function countCells(counts: {
  readonly flows: number;
  readonly packets: number;
  readonly bytes: number;
}): HTMLElement[] {
  return [
    numberCell(counts.flows),
    numberCell(counts.packets),
    numberCell(counts.bytes),
  ];
}

/** A table with a caption, a header row and rows of cells. */
function table(
  caption: string,
  headers: readonly string[],
  rows: readonly HTMLElement[][],
  attributes: Record<string, string> = {}
): HTMLElement {
  return h(
    'table',
    attributes,
    h('caption', {}, caption),
    h(
      'thead',
      {},
      h('tr', {}, ...headers.map((name) => h('th', { scope: 'col' }, name)))
    ),
    h('tbody', {}, ...rows.map((cells) => h('tr', {}, ...cells)))
  );
}

export type { Child };
export { countCells, h, numberCell, short, table };
