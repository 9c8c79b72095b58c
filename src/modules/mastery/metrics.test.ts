import { describe, expect, it } from 'vitest';
import { auc, rmse } from './metrics.ts';

describe('AUC', () => {
  it('is the share of (correct, wrong) pairs ranked the right way', () => {
    expect(auc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1])).toBeCloseTo(0.75, 12);
    expect(auc([0.9, 0.8, 0.2, 0.1], [1, 1, 0, 0])).toBe(1);
    expect(auc([0.9, 0.8, 0.2, 0.1], [0, 0, 1, 1])).toBe(0);
  });

  it('counts ties as one half', () => {
    expect(auc([0.5, 0.5, 0.5, 0.5], [0, 1, 0, 1])).toBe(0.5);
    // pairs: .5 vs .2 → 1, .5 vs .5 → ½, .9 vs both → 2; 3.5 of 4
    expect(auc([0.2, 0.5, 0.5, 0.9], [0, 0, 1, 1])).toBeCloseTo(0.875, 12);
  });

  it('is undefined (null) when every answer is of one kind', () => {
    expect(auc([0.2, 0.7], [1, 1])).toBeNull();
    expect(auc([], [])).toBeNull();
    expect(() => auc([0.1], [1, 0])).toThrow(RangeError);
  });
});

describe('RMSE', () => {
  it('is the root mean squared error', () => {
    expect(rmse([0.5, 0.5], [0, 1])).toBe(0.5);
    expect(rmse([0.9, 0.2, 0.6], [1, 0, 0])).toBeCloseTo(Math.sqrt((0.01 + 0.04 + 0.36) / 3), 12);
    expect(rmse([], [])).toBeNull();
  });
});
