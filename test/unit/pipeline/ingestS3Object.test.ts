import { describe, expect, it } from 'vitest';
import { MIN_PART_ITEMS } from '../../../shared/config.js';
import {
  itemsWithinTime,
  itemWriteMsAt,
} from '../../../shared/pipeline/ingestS3Object.js';

describe('itemWriteMsAt', () => {
  it('takes longer below a whole vCPU (1,769 MB), and no less above it (one JavaScript thread)', () => {
    // Prepare
    const memories = [1024, 1769, 3008, 10_240];

    // Act
    const [small, whole, large, largest] = memories.map(itemWriteMsAt);

    // Assess
    expect((small as number) / (whole as number)).toBeCloseTo(1769 / 1024, 6);
    expect(large).toBe(whole);
    expect(largest).toBe(whole);
  });
});

describe('itemsWithinTime', () => {
  it('gives a part the items whose writes take half the time left', () => {
    // Prepare
    const cases = [
      { memoryMb: 1024, remainingMs: 300_000 },
      { memoryMb: 3008, remainingMs: 300_000 },
      { memoryMb: 10_240, remainingMs: 900_000 },
    ];

    // Act
    const parts = cases.map(({ memoryMb, remainingMs }) => {
      const items = itemsWithinTime(remainingMs, itemWriteMsAt(memoryMb));
      return { items, writeMs: items * itemWriteMsAt(memoryMb), remainingMs };
    });

    // Assess
    for (const { writeMs, remainingMs } of parts) {
      expect(writeMs).toBeLessThanOrEqual(remainingMs / 2);
      expect(writeMs).toBeGreaterThan(remainingMs / 2 - 10);
    }
    // The default function (1024 MB, 300 s) still writes the 65,733 items
    // of 2M records over 20,000 ENIs in one part; 3008 MB at 300 s is cut
    // by time before its memory (211,000 items or more).
    expect(parts[0]?.items).toBeGreaterThan(65_733);
    expect(parts[1]?.items).toBeLessThan(211_000);
  });

  it('never cuts below MIN_PART_ITEMS, however little time is left', () => {
    // Prepare
    const itemWriteMs = itemWriteMsAt(128);

    // Act
    const items = [0, 1, 1000, 20_000].map((ms) =>
      itemsWithinTime(ms, itemWriteMs)
    );

    // Assess
    expect(items).toEqual([
      MIN_PART_ITEMS,
      MIN_PART_ITEMS,
      MIN_PART_ITEMS,
      MIN_PART_ITEMS,
    ]);
  });
});
