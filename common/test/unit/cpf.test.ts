import { describe, expect, it } from 'vitest';
import { formatCpf, isValidCpf, randomCpf, withCheckDigits } from '../../src/rules/cpf';

describe('CPF', () => {
  it('isValidCpf follows the two mod-11 check digits', () => {
    expect(isValidCpf('52998224725')).toBe(true);
    expect(isValidCpf('11144477735')).toBe(true);
    expect(isValidCpf('11144477736')).toBe(false);
    expect(isValidCpf('00000000000')).toBe(false);
  });

  it('when nine digits are given, then withCheckDigits appends the two check digits', () => {
    expect(withCheckDigits('529982247')).toBe('52998224725');
    expect(withCheckDigits('111444777')).toBe('11144477735');
    expect(() => withCheckDigits('52998224')).toThrow(RangeError);
  });

  it('when test data asks for CPFs, then every one is valid, and they differ', () => {
    const cpfs = Array.from({ length: 1000 }, () => randomCpf());
    expect(cpfs.filter((cpf) => !isValidCpf(cpf))).toEqual([]);
    expect(new Set(cpfs).size).toBeGreaterThan(990);
    // Nine equal digits would make an invalid CPF: the generator avoids them.
    expect(isValidCpf(randomCpf(() => 0.3))).toBe(true);
  });

  it('formatCpf writes it as people do', () => {
    expect(formatCpf('52998224725')).toBe('529.982.247-25');
  });
});
