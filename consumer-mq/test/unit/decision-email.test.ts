import { describe, expect, it } from 'vitest';
import type { StoredDecision } from '../../src/domain/model';
import { decisionEmail } from '../../src/domain/send-decision-email';

function decision(overrides: Partial<StoredDecision> = {}): StoredDecision {
  return {
    userId: '01900000-0000-7000-8000-000000000001',
    outcome: 'rejected',
    reason: 'The CPF belongs to someone else',
    decidedBy: 'reviewer@regflow.test',
    decidedAt: '2026-12-02T12:00:00.000Z',
    registration: {
      id: '01900000-0000-7000-8000-000000000001',
      name: 'Ana Souza',
      email: 'ana@example.com',
      registeredAt: '2026-12-02T11:00:00.000Z',
      locale: 'pt-BR',
    },
    reasonShared: false,
    emailApplicant: true,
    ...overrides,
  };
}

describe('the email a decision owes', () => {
  it('when the reason is not shared, then the email has none; when shared, then it quotes it', () => {
    expect(decisionEmail(decision()).vars).toEqual({ name: 'Ana Souza', reason: null });
    expect(decisionEmail(decision({ reasonShared: true })).vars).toEqual({
      name: 'Ana Souza',
      reason: 'The CPF belongs to someone else',
    });
  });

  it('when a catalogue reason was chosen, then the applicant reads its text only if the catalogue shares it, and the free text only if the reviewer shared it', () => {
    const catalogue = {
      id: '01900000-0000-7000-8000-0000000000aa',
      label: 'ID',
      text: 'We could not verify your identity.',
    };
    const reasonOf = (overrides: Partial<StoredDecision>) => decisionEmail(decision(overrides)).vars.reason;
    expect(reasonOf({ catalogueReason: { ...catalogue, shared: true } })).toBe('We could not verify your identity.');
    expect(reasonOf({ catalogueReason: { ...catalogue, shared: false } })).toBeNull();
    expect(reasonOf({ catalogueReason: { ...catalogue, shared: true }, reasonShared: true })).toBe(
      'We could not verify your identity.\n\nThe CPF belongs to someone else',
    );
    expect(reasonOf({ catalogueReason: { ...catalogue, shared: false }, reasonShared: true })).toBe(
      'The CPF belongs to someone else',
    );
    expect(reasonOf({ catalogueReason: { ...catalogue, shared: true }, reason: undefined, reasonShared: true })).toBe(
      'We could not verify your identity.',
    );
  });

  it('when approved or rejected, then the kind follows, keyed by the registration, to the applicant in their language', () => {
    expect(decisionEmail(decision({ outcome: 'approved', reason: undefined }), 'corr-1')).toMatchObject({
      kind: 'decision-approved',
      requestEventId: '01900000-0000-7000-8000-000000000001',
      registrationId: '01900000-0000-7000-8000-000000000001',
      to: 'ana@example.com',
      locale: 'pt-BR',
      correlationId: 'corr-1',
    });
    expect(decisionEmail(decision()).kind).toBe('decision-rejected');
  });

  it('when the snapshot has no language, or one without templates, then the email is in English', () => {
    const { locale: _l, ...withoutLocale } = decision().registration;
    expect(decisionEmail(decision({ registration: withoutLocale })).locale).toBe('en');
    expect(
      decisionEmail(
        decision({ registration: { ...withoutLocale, locale: 'fr' } as unknown as StoredDecision['registration'] }),
      ).locale,
    ).toBe('en');
  });
});
