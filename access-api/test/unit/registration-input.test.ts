import { describe, expect, it } from 'vitest';
import { registrationInputSchema } from '../../src/domain/registration-input';

const parse = (body: unknown) => registrationInputSchema.safeParse(body);
const fields = (body: unknown) => {
  const r = parse(body);
  return r.success
    ? []
    : r.error.issues.map((i) => (i.code === 'unrecognized_keys' ? i.keys.join(',') : i.path.join('.')));
};

describe('registration input', () => {
  it('when the email has capitals, spaces and full-width characters, then it is normalized to one lower-case form', () => {
    const r = parse({ name: '  Ana  ', email: ' ＡＮＡ@Example.com ' });
    expect(r.success && r.data).toEqual({ name: 'Ana', email: 'ana@example.com' });
  });

  it('when the name is in another script, then it is accepted', () => {
    expect(parse({ name: '山田 太郎', email: 'taro@example.jp' }).success).toBe(true);
    expect(parse({ name: 'Zoë O’Brien-Łukasz', email: 'z@example.com' }).success).toBe(true);
  });

  it('when the name is empty, too long or has control characters, then name is the bad field', () => {
    expect(fields({ name: '   ', email: 'a@b.co' })).toEqual(['name']);
    expect(fields({ name: 'a'.repeat(121), email: 'a@b.co' })).toEqual(['name']);
    expect(fields({ name: 'a\u0000b', email: 'a@b.co' })).toEqual(['name']);
  });

  it('when a CPF is formatted or bare, then it is kept as 11 digits; wrong check digits are refused', () => {
    const r = parse({ name: 'Ana', email: 'a@b.co', cpf: '529.982.247-25' });
    expect(r.success && r.data.cpf).toBe('52998224725');
    expect(fields({ name: 'Ana', email: 'a@b.co', cpf: '52998224726' })).toEqual(['cpf']);
    expect(fields({ name: 'Ana', email: 'a@b.co', cpf: '111.111.111-11' })).toEqual(['cpf']);
    expect(fields({ name: 'Ana', email: 'a@b.co', cpf: '5299822472' })).toEqual(['cpf']);
  });

  it('when the phone has separators, then it is stored in E.164; without a country code it is refused', () => {
    const r = parse({ name: 'Ana', email: 'a@b.co', phone: '+55 (11) 98765-4321' });
    expect(r.success && r.data.phone).toBe('+5511987654321');
    expect(fields({ name: 'Ana', email: 'a@b.co', phone: '11987654321' })).toEqual(['phone']);
  });

  it('when there are unknown fields or wrong types, then each is named', () => {
    expect(fields({ name: 'Ana', email: 'a@b.co', isAdmin: true })).toEqual(['isAdmin']);
    expect(fields({ name: 42, email: ['a@b.co'] }).sort()).toEqual(['email', 'name']);
    expect(fields({ name: 'Ana', email: 'a@b.co', note: 'x'.repeat(501) })).toEqual(['note']);
  });
});
