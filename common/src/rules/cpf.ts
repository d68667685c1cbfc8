/**
 * CPF, the Brazilian taxpayer number: eleven digits, the last two being mod-11 check digits of the first
 * nine and ten. The one definition of the rule: the access API validates with it, and test data
 * builders and the benchmark make valid CPFs with it.
 */

/** Whether eleven digits form a CPF. Eleven equal digits pass the check digits but are no CPF. */
export function isValidCpf(digits: string): boolean {
  if (!/^\d{11}$/.test(digits) || /^(\d)\1{10}$/.test(digits)) return false;
  return withCheckDigits(digits.slice(0, 9)) === digits;
}

/** The eleven-digit CPF whose first nine digits are `stem`. */
export function withCheckDigits(stem: string): string {
  if (!/^\d{9}$/.test(stem)) throw new RangeError(`a CPF stem is nine digits, not ${JSON.stringify(stem)}`);
  const d = [...stem].map(Number);
  for (const length of [9, 10]) {
    let sum = 0;
    for (let i = 0; i < length; i++) sum += d[i]! * (length + 1 - i);
    d.push(((sum * 10) % 11) % 10);
  }
  return d.join('');
}

/** A valid CPF for test data: nine random digits (not all equal) and their check digits. */
export function randomCpf(random: () => number = Math.random): string {
  const stem = Array.from({ length: 9 }, () => Math.floor(random() * 10));
  if (stem.every((x) => x === stem[0])) stem[0] = (stem[0]! + 1) % 10;
  return withCheckDigits(stem.join(''));
}

/** `52998224725` → `529.982.247-25`, as people write it. */
export function formatCpf(digits: string): string {
  return `${digits.slice(0, 3)}.${digits.slice(3, 6)}.${digits.slice(6, 9)}-${digits.slice(9)}`;
}
