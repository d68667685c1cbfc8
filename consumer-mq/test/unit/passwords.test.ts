import { describe, expect, it } from 'vitest';
import { hashPassword, passwordProblem, verifyPassword } from '../../src/domain/passwords';

describe('admin passwords', () => {
  it('when a password is hashed, then only the same password verifies and the hash names scrypt and a salt', async () => {
    const hash = await hashPassword('Correct-Horse-9');
    expect(hash).toMatch(/^scrypt\$32768\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    expect(await verifyPassword('Correct-Horse-9', hash)).toBe(true);
    expect(await verifyPassword('correct-horse-9', hash)).toBe(false);
    expect(await hashPassword('Correct-Horse-9')).not.toBe(hash);
  });

  it('when a password is short or uniform, then it is refused with the reason', () => {
    expect(passwordProblem('Short-1')).toMatch(/12 characters/);
    expect(passwordProblem('alllowercaseletters')).toMatch(/three/);
    expect(passwordProblem('Good-Password-2026')).toBeNull();
  });
});
