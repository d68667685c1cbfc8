import { render, screen, waitFor, within } from '@testing-library/react';
import { beforeEach, describe, expect, it } from 'vitest';
import { json, signedInApi } from '@/testing/fake-api';
import { FakeEventSource } from '@/testing/fake-event-source';
import { renderApp } from '@/testing/render-app';
import { Highlighted, highlightCpf, highlightValue, parseHighlight } from './highlight';

describe('highlight fragments', () => {
  it('when a fragment has <em> around matches, then they become <mark> and the rest stays text', () => {
    const { container } = render(
      <Highlighted segments={highlightValue('Ana Souza', ['<em>Ana</em> <em>Souza</em>'])} />,
    );
    expect(Array.from(container.querySelectorAll('mark')).map((m) => m.textContent)).toEqual(['Ana', 'Souza']);
    expect(container.textContent).toBe('Ana Souza');
  });

  it('when the server text contains markup, then it is shown literally and never parsed as HTML', () => {
    const evil = '<img src=x onerror="alert(1)"><em>Ana</em><script>alert(2)</script>';
    const { container } = render(<Highlighted segments={parseHighlight(evil)} />);
    expect(container.querySelector('img')).toBeNull();
    expect(container.querySelector('script')).toBeNull();
    expect(container.querySelector('mark')?.textContent).toBe('Ana');
    expect(container.textContent).toContain('<img src=x onerror="alert(1)">');
  });

  it('when the highlighter HTML-escaped the text, then entities are shown as characters', () => {
    expect(parseHighlight('Smith &amp; <em>Sons</em>')).toEqual([
      { text: 'Smith & ', marked: false },
      { text: 'Sons', marked: true },
    ]);
  });

  it('when the fragment is only an excerpt, then matched terms are marked within the full value', () => {
    const segments = highlightValue('Maria Ana de Souza Lima', ['de <em>Souza</em>']);
    expect(segments.filter((s) => s.marked).map((s) => s.text)).toEqual(['Souza']);
    expect(segments.map((s) => s.text).join('')).toBe('Maria Ana de Souza Lima');
  });

  it('when the CPF matched, then the formatted CPF is marked digit by digit', () => {
    expect(highlightCpf('12345678901', ['<em>12345678901</em>'])).toEqual([{ text: '123.456.789-01', marked: true }]);
    expect(highlightCpf('12345678901', ['123<em>456</em>78901'])).toEqual([
      { text: '123.', marked: false },
      { text: '456', marked: true },
      { text: '.789-01', marked: false },
    ]);
  });
});

describe('search page', () => {
  beforeEach(() => {
    FakeEventSource.install();
  });

  const hit = (overrides: Record<string, unknown> = {}) => ({
    id: 'user-1',
    name: 'Mariana Oliveira',
    email: 'mariana@example.com',
    cpf: '12345678901',
    status: 'rejected',
    registeredAt: '2025-11-20T09:00:00.000Z',
    decidedAt: '2025-11-20T10:00:00.000Z',
    decidedBy: 'bob@regflow.test',
    reason: 'Could not verify identity',
    highlight: { name: ['<em>Mariana</em> Oliveira'] },
    ...overrides,
  });

  it('when searching, then the count, highlighted matches and rejected registrations with their reason are shown', async () => {
    const { api } = signedInApi();
    api.on('GET', '/admin/search', () =>
      json(200, {
        total: 2,
        items: [
          hit(),
          hit({
            id: 'user-2',
            name: 'Mariano Silva',
            status: 'approved',
            reason: undefined,
            highlight: { name: ['<em>Mariano</em> Silva'] },
          }),
        ],
      }),
    );

    renderApp('/search?q=Mariana');

    expect(await screen.findByText('2 results')).toBeInTheDocument();
    const table = screen.getByRole('table');
    const firstRow = within(table).getAllByRole('row')[1] as HTMLElement;
    expect(within(firstRow).getByRole('link', { name: 'Mariana Oliveira' })).toHaveAttribute('href', '/users/user-1');
    expect(firstRow.querySelector('mark')?.textContent).toBe('Mariana');
    expect(firstRow).toHaveTextContent('Rejected');
    expect(firstRow).toHaveTextContent('123.456.789-01');
    expect(firstRow).toHaveTextContent('Reason: Could not verify identity');
    expect(api.callsTo('GET', '/admin/search')[0]?.query.get('q')).toBe('Mariana');
  });

  it('when filtering by status and paging, then the request carries status, from and size', async () => {
    const { api } = signedInApi();
    api.on('GET', '/admin/search', (req) => {
      const from = Number(req.query.get('from'));
      return json(200, { total: 45, items: [hit({ id: `user-${from}`, name: `Result ${from}` })] });
    });
    const { user } = renderApp('/search?q=ana');
    expect(await screen.findByText('45 results, showing 1–20')).toBeInTheDocument();

    await user.selectOptions(screen.getByLabelText('Status'), 'rejected');
    await waitFor(() => expect(api.calls.at(-1)?.query.get('status')).toBe('rejected'));

    await user.click(await screen.findByRole('button', { name: 'Next page' }));
    await waitFor(() => expect(api.calls.at(-1)?.query.get('from')).toBe('20'));
    expect(api.calls.at(-1)?.query.get('size')).toBe('20');
    expect(await screen.findByText('Page 2 of 3')).toBeInTheDocument();
    expect(window.location.search).toBe('?q=ana&status=rejected&page=2');
  });

  it('when typing a CPF with punctuation, then the digits are searched', async () => {
    const { api } = signedInApi();
    api.on('GET', '/admin/search', () => json(200, { total: 0, items: [] }));
    const { user } = renderApp('/search');
    await screen.findByText('No results');

    await user.type(screen.getByRole('searchbox', { name: 'Name, email or CPF' }), '123.456.789-01');
    await waitFor(() => expect(api.calls.at(-1)?.query.get('q')).toBe('12345678901'));
    expect(await screen.findByText('Nothing matches “123.456.789-01”')).toBeInTheDocument();
  });

  it('when search fails, then an error with retry is shown', async () => {
    const { api } = signedInApi();
    api.on('GET', '/admin/search', () =>
      json(503, { title: 'Search is unavailable', status: 503, code: 'SEARCH.UNAVAILABLE' }),
    );
    renderApp('/search?q=x');
    expect(await screen.findByText('Search failed')).toBeInTheDocument();
    expect(screen.getByText('Search is unavailable.')).toBeInTheDocument();
  });
});
