import { describe, expect, it } from 'vitest';
import { backoff } from '../../src/kafka/consumer';
import { maskDigits, maskEmail } from '../../src/logger';

describe('retry backoff', () => {
  it('when attempts grow, then the delay stays within [ceiling/2, ceiling] and never passes the cap', () => {
    for (let attempt = 1; attempt <= 12; attempt++) {
      const ceiling = Math.min(10_000, 100 * 2 ** (attempt - 1));
      for (let i = 0; i < 50; i++) {
        const d = backoff(attempt, 100, 10_000);
        expect(d).toBeGreaterThanOrEqual(ceiling / 2);
        expect(d).toBeLessThanOrEqual(ceiling);
      }
    }
  });
});

describe('masking personal data for logs', () => {
  it('when an email or number is masked, then only a hint of it remains', () => {
    expect(maskEmail('maria.silva@example.com')).toBe('ma***@example.com');
    expect(maskEmail('broken')).toBe('***');
    expect(maskDigits('52998224725')).toBe('*********25');
  });
});
