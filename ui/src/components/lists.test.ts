// The two long lists as components: the conversation list draws only the rows in view
// (a blank placeholder for one not loaded yet), the timeline only the latest messages
// until the agent scrolls up.
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { cleanup, fireEvent, render, screen } from '@testing-library/svelte';
import { tick } from 'svelte';
import type { InboxRow, MessageView } from '../lib/bindings';
import ConversationList from './ConversationList.svelte';
import Timeline from './Timeline.svelte';

afterEach(cleanup);

// What jsdom lacks and the components use: measuring (nothing to measure here) and CSS.escape.
globalThis.ResizeObserver ??= class {
  observe() {}
  unobserve() {}
  disconnect() {}
} as unknown as typeof ResizeObserver;
globalThis.CSS ??= { escape: (s: string) => s } as unknown as typeof CSS;
Element.prototype.scrollIntoView ??= function () {};

const row = (i: number): InboxRow =>
  ({
    id: `c${i}`,
    channel: 'whatsapp',
    contactName: `Customer ${i}`,
    preview: { kind: 'text', text: `message ${i}` },
    lastMessageAt: 1_700_000_000_000,
    unread: 0,
    status: 'open',
    priority: 'normal',
    labels: [],
    assigneeName: null,
    replyWindow: 'open',
  }) as unknown as InboxRow;

const message = (i: number): MessageView =>
  ({
    id: `m${i}`,
    direction: i % 2 ? 'inbound' : 'outbound',
    origin: 'human',
    kind: 'text',
    text: `text ${i}`,
    author: null,
    subject: null,
    status: 'sent',
    createdAt: 1_700_000_000_000 + i * 1000,
    reactions: [],
    replyTo: null,
    attachment: null,
    card: null,
    local: false,
    error: null,
  }) as unknown as MessageView;

describe('conversation list', () => {
  // A list 594 px high (jsdom lays nothing out): nine rows in view.
  beforeAll(() => Object.defineProperty(HTMLDivElement.prototype, 'clientHeight', { configurable: true, get: () => 594 }));
  afterAll(() => delete (HTMLDivElement.prototype as { clientHeight?: number }).clientHeight);

  it('draws the rows in view out of the whole list, and placeholders for rows not loaded', async () => {
    const onrange = vi.fn();
    render(ConversationList, {
      rows: [0, 1, 2].map(row),
      offset: 0,
      total: 10_000,
      selected: 'c1',
      reveal: null,
      onopen: () => {},
      onrange,
      empty: 'none',
    });
    await tick();
    const list = screen.getByTestId('conversation-list');
    expect(list.dataset.count).toBe('10000');
    const drawn = screen.getAllByTestId('conversation-row');
    expect(drawn.map((b) => b.dataset.id)).toEqual(['c0', 'c1', 'c2']);
    expect(drawn[1]?.getAttribute('aria-selected')).toBe('true');
    // The rest of the rows in view are on their way.
    const [first, last] = onrange.mock.lastCall ?? [];
    expect(first).toBe(0);
    expect(last).toBeGreaterThan(3);
    expect(last).toBeLessThan(100);
    expect(screen.getAllByTestId('row-placeholder')).toHaveLength(last - 3);
  });

  it('draws the rows in view first, and the margin below them once those are painted', async () => {
    const onrange = vi.fn();
    render(ConversationList, {
      rows: Array.from({ length: 40 }, (_, i) => row(i)),
      offset: 0,
      total: 40,
      selected: null,
      reveal: null,
      onopen: () => {},
      onrange,
      empty: 'none',
    });
    await tick();
    const inView = screen.getAllByTestId('conversation-row').length;
    expect(inView).toBe(9);
    expect(onrange.mock.lastCall).toEqual([0, inView]);
    // Painted (two frames on), the list adds its margin of rows beyond the view.
    await vi.waitFor(() => expect(screen.getAllByTestId('conversation-row')).toHaveLength(inView + 8));
    expect(onrange.mock.lastCall).toEqual([0, inView + 8]);
  });

  it('says so when the list is empty', async () => {
    render(ConversationList, { rows: [], offset: 0, total: 0, selected: null, reveal: null, onopen: () => {}, onrange: () => {}, empty: 'Nothing here' });
    expect(await screen.findByText('Nothing here')).toBeTruthy();
  });
});

describe('timeline', () => {
  const many = Array.from({ length: 500 }, (_, i) => message(i));
  const props = { focus: null, onretry: () => {}, ondiscard: () => {}, onreply: () => {} };

  it('opens with the latest messages drawn and draws more when scrolled to the top', async () => {
    const onolder = vi.fn();
    render(Timeline, { messages: many, onolder, ...props });
    await tick();
    const ids = () => screen.getAllByTestId('message').map((m) => m.dataset.id);
    // A screenful is painted first, then the rest of the first step above it.
    expect(ids()).toHaveLength(24);
    expect(ids().at(-1)).toBe('m499');
    await vi.waitFor(() => expect(ids()).toHaveLength(80));
    expect(ids().at(-1)).toBe('m499');
    expect(ids()[0]).toBe('m420');

    await fireEvent.scroll(screen.getByTestId('timeline'));
    await tick();
    expect(ids()).toHaveLength(160);
    expect(ids()[0]).toBe('m340');
    expect(onolder).not.toHaveBeenCalled();
  });

  it('asks for older history only once everything cached is drawn', async () => {
    const onolder = vi.fn();
    render(Timeline, { messages: many.slice(0, 50), onolder, ...props });
    await vi.waitFor(() => expect(screen.getAllByTestId('message')).toHaveLength(50));
    await fireEvent.scroll(screen.getByTestId('timeline'));
    expect(onolder).toHaveBeenCalledOnce();
  });

  it('draws older messages that come while the agent waits at the top', async () => {
    const onolder = vi.fn();
    const newest = many.slice(450);
    const { rerender } = render(Timeline, { messages: newest, onolder, ...props });
    await vi.waitFor(() => expect(screen.getAllByTestId('message')).toHaveLength(50));
    const box = screen.getByTestId('timeline');
    // Scrolled up to the very top of a long timeline (jsdom lays nothing out).
    Object.defineProperty(box, 'scrollHeight', { configurable: true, value: 5000 });
    Object.defineProperty(box, 'clientHeight', { configurable: true, value: 500 });
    box.scrollTop = 0;
    await fireEvent.scroll(box);
    expect(onolder).toHaveBeenCalledOnce();

    await rerender({ messages: many.slice(250), onolder, ...props });
    await tick();
    await tick();
    const ids = screen.getAllByTestId('message').map((m) => m.dataset.id);
    expect(ids).toHaveLength(160);
    expect(ids.at(-1)).toBe('m499');
    expect(onolder).toHaveBeenCalledOnce();
  });

  it('draws a message a search result points at, however old', async () => {
    render(Timeline, { messages: many, onolder: () => {}, ...props, focus: 'm12' });
    await tick();
    const ids = screen.getAllByTestId('message').map((m) => m.dataset.id);
    expect(ids).toContain('m12');
    expect(ids[0]).toBe('m2');
  });
});
