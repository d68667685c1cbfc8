import { screen, waitFor, within } from '@testing-library/react';
import { beforeEach, describe, expect, it } from 'vitest';
import { json, REASONS, signedInApi } from '@/testing/fake-api';
import { FakeEventSource } from '@/testing/fake-event-source';
import { renderApp } from '@/testing/render-app';

beforeEach(() => {
  FakeEventSource.install();
});

describe('rejection reasons page', () => {
  it('when an admin adds a reason, then it is sent with its text and shared flag, and the list is reloaded', async () => {
    const { api } = signedInApi();
    let items = [
      ...REASONS,
      { id: 'old', label: 'Old rule', text: 'Gone.', shared: true, retiredAt: '2025-01-01T00:00:00.000Z' },
    ];
    api.on('GET', '/admin/reasons', (req) => {
      expect(req.query.get('include')).toBe('retired');
      return json(200, { items });
    });
    api.on('POST', '/admin/reasons', (req) => {
      const created = { id: 'new', ...(req.body as object) } as (typeof items)[number];
      items = [...items, created];
      return json(201, created);
    });
    const { user } = renderApp('/reasons');

    const list = await screen.findByRole('list', { name: 'Reasons' });
    expect(within(list).getByRole('listitem', { name: 'Old rule' })).toHaveTextContent('retired');
    expect(within(list).getByRole('listitem', { name: 'Identity not verified' })).toHaveTextContent('not shared');

    await user.type(screen.getByLabelText('Label'), 'Disposable email');
    await user.type(screen.getByLabelText('Text for the applicant'), 'Please use a lasting address.');
    await user.click(screen.getByLabelText('Shared with the applicant'));
    await user.click(screen.getByRole('button', { name: 'Add reason' }));

    await waitFor(() => expect(within(list).getByRole('listitem', { name: 'Disposable email' })).toBeInTheDocument());
    expect(api.callsTo('POST', '/admin/reasons').map((c) => c.body)).toEqual([
      { label: 'Disposable email', text: 'Please use a lasting address.', shared: false },
    ]);
    expect(screen.getByLabelText('Label')).toHaveValue('');
  });

  it('when an admin retires a reason, then the change is sent', async () => {
    const { api } = signedInApi();
    api.on('PATCH', '/admin/reasons/reason-dup', () =>
      json(200, { ...REASONS[0], retiredAt: '2025-01-01T00:00:00.000Z' }),
    );
    const { user } = renderApp('/reasons');

    const item = await screen.findByRole('listitem', { name: 'Duplicate account' });
    await user.click(within(item).getByRole('button', { name: 'Retire' }));
    await waitFor(() =>
      expect(api.callsTo('PATCH', '/admin/reasons/reason-dup').map((c) => c.body)).toEqual([{ retired: true }]),
    );
  });
});
