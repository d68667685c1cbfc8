import { describe, expect, it } from 'vitest';
import { alreadyDecidedMessage, formatCpf, formatPhone, formatWaited } from './format';

describe('formatCpf', () => {
  it('when given 11 digits, then it shows 000.000.000-00', () => {
    expect(formatCpf('12345678901')).toBe('123.456.789-01');
    expect(formatCpf('00000000191')).toBe('000.000.001-91');
  });
  it('when given something that is not a CPF, then it is shown unchanged', () => {
    expect(formatCpf('1234')).toBe('1234');
    expect(formatCpf(undefined)).toBe('');
  });
});

describe('formatPhone', () => {
  it('when the number is a Brazilian mobile, then it reads +55 (11) 98765-4321', () => {
    expect(formatPhone('+5511987654321')).toBe('+55 (11) 98765-4321');
  });
  it('when the number is a Brazilian landline, then the local part has 4+4 digits', () => {
    expect(formatPhone('+551134567890')).toBe('+55 (11) 3456-7890');
  });
  it('when the number is North American, then it reads +1 (415) 555-0100', () => {
    expect(formatPhone('+14155550100')).toBe('+1 (415) 555-0100');
  });
  it('when the country is another one, then E.164 is kept', () => {
    expect(formatPhone('+442071838750')).toBe('+442071838750');
  });
});

describe('formatWaited', () => {
  it('when durations grow, then units stay readable', () => {
    expect(formatWaited(20_000)).toBe('less than 1 min');
    expect(formatWaited(3 * 60_000 + 59_000)).toBe('3 min');
    expect(formatWaited(2 * 3_600_000 + 5 * 60_000)).toBe('2 h 5 min');
    expect(formatWaited(3 * 86_400_000 + 4 * 3_600_000)).toBe('3 d 4 h');
    expect(formatWaited(-5)).toBe('less than 1 min');
  });
});

describe('alreadyDecidedMessage', () => {
  it('when another reviewer approved first, then the message says who and when', () => {
    const message = alreadyDecidedMessage({
      outcome: 'approved',
      decidedBy: 'bob@regflow.test',
      decidedAt: '2025-11-20T10:05:00.000Z',
    });
    expect(message).toMatch(/^Already approved by bob@regflow\.test at 20 Nov 2025, \d{2}:05$/);
  });
});
