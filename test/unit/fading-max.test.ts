import { describe, expect, it } from 'vitest';
import { FadingMax } from '../../functions/adapters/fading-max.js';

describe('a fading maximum (the load-shedding estimate)', () => {
  it('rises at once to a slow observation and falls back to its floor after quiet time, with nothing observed', () => {
    let now = 1_000_000;
    const slowest = new FadingMax(100, 10_000, () => now);
    slowest.observe(24_000);
    expect(slowest.value()).toBe(24_000);
    now += 10_000;
    expect(slowest.value()).toBe(12_000);
    now += 60_000;
    expect(slowest.value()).toBeLessThan(200);
    now += 60_000;
    expect(slowest.value()).toBe(100);
  });

  it('keeps the larger of a new observation and what is left of the old one', () => {
    let now = 0;
    const slowest = new FadingMax(100, 10_000, () => now);
    slowest.observe(8_000);
    now += 10_000;
    slowest.observe(1_000);
    expect(slowest.value()).toBe(4_000);
  });
});
