import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hashBytes, TopSketch } from '../../../shared/aggregate/topSketch.js';
import { encode } from '../../helpers/flowLogInput.js';

function add(sketch: TopSketch, key: string, weight: number): void {
  const bytes = encode(key);
  const slot = sketch.add(
    hashBytes(bytes, 0, bytes.length),
    weight,
    1,
    1,
    weight
  );
  if (slot >= 0) sketch.appendLabel(slot, bytes, 0, bytes.length);
}

const decode = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);

describe('TopSketch', () => {
  it('counts exactly while the keys fit', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(
            fc.integer({ min: 0, max: 9 }),
            fc.integer({ min: 0, max: 1000 })
          )
        ),
        (observations) => {
          // Prepare
          const sketch = new TopSketch(10);
          const exact = new Map<string, number>();
          // Act
          for (const [key, weight] of observations) {
            add(sketch, `10.0.0.${key}`, weight);
            exact.set(
              `10.0.0.${key}`,
              (exact.get(`10.0.0.${key}`) ?? 0) + weight
            );
          }
          // Assess
          const entries = sketch.entries();
          expect(new Map(entries.map((e) => [decode(e.key), e.bytes]))).toEqual(
            exact
          );
          expect(entries.map((e) => e.weight)).toEqual(
            [...entries.map((e) => e.weight)].sort((a, b) => b - a)
          );
        }
      )
    );
  });

  it('keeps the heavy hitters among many light keys', () => {
    // Prepare
    const sketch = new TopSketch(20);
    // Act
    for (let i = 0; i < 20_000; i++) {
      add(sketch, `198.51.100.${i % 5}`, 1000);
      add(sketch, `203.0.113.${i}`, 10);
    }
    // Assess
    const top = sketch
      .entries()
      .slice(0, 5)
      .map((e) => decode(e.key))
      .sort();
    expect(top).toEqual([
      '198.51.100.0',
      '198.51.100.1',
      '198.51.100.2',
      '198.51.100.3',
      '198.51.100.4',
    ]);
    expect(sketch.entries().length).toBe(20);
  });

  it('is deterministic for the same input', () => {
    // Prepare
    const run = () => {
      const sketch = new TopSketch(8);
      for (let i = 0; i < 5000; i++)
        add(sketch, `k${(i * 7919) % 503}`, (i % 13) + 1);
      return sketch.entries();
    };
    // Act and Assess
    expect(run()).toEqual(run());
  });

  it('cuts labels at the given limit', () => {
    // Prepare
    const sketch = new TopSketch(4);
    const bytes = encode('x'.repeat(200));
    // Act
    const slot = sketch.add(1, 1, 1, 1, 1);
    sketch.appendLabel(slot, bytes, 0, bytes.length, 50);
    sketch.appendLabel(slot, bytes, 0, bytes.length);
    // Assess
    expect(sketch.entries()[0]?.key.length).toBe(96);
  });
});
