import { screen, waitFor, within } from '@testing-library/react';
import { beforeEach, describe, expect, it } from 'vitest';
import { json, makePendingUsers, signedInApi } from '@/testing/fake-api';
import { FakeEventSource } from '@/testing/fake-event-source';
import { renderApp } from '@/testing/render-app';

beforeEach(() => {
  FakeEventSource.install();
});

const rejected = (id: string) =>
  json(200, { id, status: 'rejected', decidedBy: 'reviewer@regflow.test', decidedAt: new Date().toISOString() });

async function openQueue() {
  const setup = signedInApi({ pending: makePendingUsers(4) });
  const app = renderApp('/');
  const list = await screen.findByRole('list', { name: 'Pending registrations' });
  return { ...setup, ...app, list };
}

const shareBox = (dialog: HTMLElement) =>
  within(dialog).getByRole('checkbox', { name: 'Share the reason with the applicant' });

describe('sharing a rejection reason with the applicant', () => {
  it('when the dialog opens, then sharing is off, and it cannot be ticked until there is a reason', async () => {
    const { user } = await openQueue();
    await user.click(screen.getByRole('button', { name: 'Reject Person 1' }));
    const dialog = await screen.findByRole('dialog', { name: 'Reject Person 1' });

    expect(shareBox(dialog)).not.toBeChecked();
    expect(shareBox(dialog)).toBeDisabled();
    expect(shareBox(dialog)).toHaveAccessibleDescription(/email about the decision; it quotes your words only when/);
    await user.type(within(dialog).getByRole('textbox', { name: /Reason/ }), 'Email bounces');
    expect(shareBox(dialog)).toBeEnabled();
  });

  it('when the reason is shared, then the rejection is sent with shareReason, and the reason travels as typed', async () => {
    const { user, api, list } = await openQueue();
    api.on('POST', '/admin/users/user-00001/reject', () => rejected('user-00001'));

    await user.click(screen.getByRole('button', { name: 'Reject Person 1' }));
    const dialog = await screen.findByRole('dialog', { name: 'Reject Person 1' });
    await user.type(within(dialog).getByRole('textbox', { name: /Reason/ }), '  CPF does not match  ');
    await user.click(shareBox(dialog));
    await user.click(within(dialog).getByRole('button', { name: 'Reject' }));

    await waitFor(() => expect(list).not.toHaveTextContent('Person 1'));
    await waitFor(() =>
      expect(api.callsTo('POST', '/admin/users/user-00001/reject')[0]?.body).toEqual({
        reason: 'CPF does not match',
        shareReason: true,
      }),
    );
  });

  it('when sharing is ticked and the reason then cleared, then nothing is shared', async () => {
    const { user, api, list } = await openQueue();
    api.on('POST', '/admin/users/user-00002/reject', () => rejected('user-00002'));

    await user.click(screen.getByRole('button', { name: 'Reject Person 2' }));
    const dialog = await screen.findByRole('dialog', { name: 'Reject Person 2' });
    const reason = within(dialog).getByRole('textbox', { name: /Reason/ });
    await user.type(reason, 'Typo');
    await user.click(shareBox(dialog));
    await user.clear(reason);
    await user.click(within(dialog).getByRole('button', { name: 'Reject' }));

    await waitFor(() => expect(list).not.toHaveTextContent('Person 2'));
    await waitFor(() => expect(api.callsTo('POST', '/admin/users/user-00002/reject')[0]?.body).toEqual({}));
  });

  it('when a selection is rejected with a catalogue reason and a shared reason, then the batch carries reasonId and shareReason for each', async () => {
    const { user, api, list } = await openQueue();
    api.on('POST', '/admin/decisions', (req) => {
      const body = req.body as { ids: string[] };
      return json(200, { results: body.ids.map((id) => ({ id, ok: true, status: 'rejected' })) });
    });

    await user.click(screen.getByRole('checkbox', { name: 'Select Person 0' }));
    await user.click(screen.getByRole('checkbox', { name: 'Select Person 3' }));
    await user.click(screen.getByRole('button', { name: 'Reject 2 selected' }));
    const dialog = await screen.findByRole('dialog', { name: 'Reject 2 registrations' });
    expect(shareBox(dialog)).toHaveAccessibleDescription(/^Each applicant gets an email/);
    const catalogue = within(dialog).getByRole('combobox', { name: /Catalogue reason/ });
    await within(catalogue).findByRole('option', { name: 'Duplicate account' });
    await user.selectOptions(catalogue, 'Duplicate account');
    expect(catalogue).toHaveAccessibleDescription('The applicant reads: “You already have an account with us.”');
    await user.type(within(dialog).getByRole('textbox', { name: /Reason/ }), 'Same CPF as user-00001');
    await user.click(shareBox(dialog));
    await user.click(within(dialog).getByRole('button', { name: 'Reject 2' }));

    await waitFor(() => expect(list).not.toHaveTextContent('Person 3'));
    expect(api.callsTo('POST', '/admin/decisions')[0]?.body).toEqual({
      ids: ['user-00000', 'user-00003'],
      outcome: 'rejected',
      reasonId: 'reason-dup',
      reason: 'Same CPF as user-00001',
      shareReason: true,
    });
  });
});
