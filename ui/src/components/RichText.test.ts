// Message text: links as buttons that ask first, and a very long message shown in part until
// the agent asks for the rest.
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, fireEvent, render, screen } from '@testing-library/svelte';
import { inbox } from '../lib/inbox.svelte';
import RichText from './RichText.svelte';

afterEach(() => {
  cleanup();
  inbox.pendingLink = null;
});

describe('rich text', () => {
  it('makes web links buttons that ask before opening, without the full stop after them', async () => {
    render(RichText, { text: 'تتبّع طلبك: https://noor.ae/track?o=A-1042. شكرًا' });
    const link = screen.getByTestId('link');
    expect(link.textContent).toBe('https://noor.ae/track?o=A-1042');
    await fireEvent.click(link);
    expect(inbox.pendingLink).toBe('https://noor.ae/track?o=A-1042');
    expect(screen.queryByTestId('show-whole')).toBeNull();
  });

  it('shows the beginning of a very long message, and the rest when asked', async () => {
    const text = `${'كلمة '.repeat(400)}https://noor.ae/x\n`.repeat(15);
    const { container } = render(RichText, { text });
    const shown = container.querySelector('p')?.textContent ?? '';
    expect(shown.length).toBeLessThanOrEqual(20_000);
    expect(shown.length).toBeGreaterThan(19_000);
    expect(text.startsWith(shown)).toBe(true);
    const more = screen.getByTestId('show-whole');
    expect(more.textContent).toBe('Show the whole message');
    await fireEvent.click(more);
    expect(container.querySelector('p')?.textContent).toBe(text);
    expect(screen.getAllByTestId('link')).toHaveLength(15);
    expect(screen.queryByTestId('show-whole')).toBeNull();
  });
});
