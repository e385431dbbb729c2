import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hashBytes, TopSketch } from '../../../shared/aggregate/topSketch.js';
import { encode } from '../../helpers/flowLogInput.js';

function add(sketch: TopSketch, key: string, weight: number): void {
  const bytes = encode(key);
  const entry = sketch.add(
    hashBytes(bytes, 0, bytes.length),
    weight,
    1,
    1,
    weight
  );
  if (entry >= 0) sketch.appendLabel(entry, bytes, 0, bytes.length);
}

const decode = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);

describe('TopSketch', () => {
  it('counts exactly while no set holds more keys than it has ways', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(
            fc.integer({ min: 0, max: 63 }),
            fc.integer({ min: 0, max: 1000 })
          )
        ),
        (observations) => {
          // Prepare: hashes 0..63 fill the 32 sets two by two.
          const sketch = new TopSketch();
          const exact = new Map<string, number>();
          // Act
          for (const [hash, weight] of observations) {
            const label = encode(`k${hash}`);
            const entry = sketch.add(hash, weight, 1, 1, weight);
            if (entry >= 0) sketch.appendLabel(entry, label, 0, label.length);
            exact.set(`k${hash}`, (exact.get(`k${hash}`) ?? 0) + weight);
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
    const sketch = new TopSketch();
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
    expect(sketch.entries().length).toBe(64);
  });

  it('grows from its first sets without losing keys', () => {
    // Prepare: 4 first sets of 2 ways hold 8 keys; hashes 0..11 need more.
    const sketch = new TopSketch();
    // Act
    for (let hash = 0; hash < 12; hash++)
      sketch.add(hash, hash + 1, 1, 1, hash + 1);
    // Assess
    expect(sketch.entries().map((e) => e.weight)).toEqual([
      12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1,
    ]);
  });

  it('is deterministic for the same input', () => {
    // Prepare
    const run = () => {
      const sketch = new TopSketch();
      for (let i = 0; i < 5000; i++)
        add(sketch, `k${(i * 7919) % 503}`, (i % 13) + 1);
      return sketch.entries();
    };
    // Act and Assess
    expect(run()).toEqual(run());
  });

  it('cuts labels at the given limit', () => {
    // Prepare
    const sketch = new TopSketch();
    const bytes = encode('x'.repeat(200));
    // Act
    const entry = sketch.add(1, 1, 1, 1, 1);
    sketch.appendLabel(entry, bytes, 0, bytes.length, 50);
    sketch.appendLabel(entry, bytes, 0, bytes.length);
    // Assess
    expect(sketch.entries()[0]?.key.length).toBe(96);
  });
});
