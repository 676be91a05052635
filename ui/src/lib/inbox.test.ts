// The inbox's state: how it starts and how list answers are applied, with the backend
// replaced at the one IPC module and answers released by the test, in any order.
import { describe, expect, it, vi } from 'vitest';
import type { ConversationView, InboxQuery, InboxRow } from './bindings';

type Pending = { cmd: string; args: unknown; resolve: (v: unknown) => void; reject: (e: unknown) => void };
const backend = vi.hoisted(() => ({
  pending: [] as Pending[],
  handlers: new Map<string, (payload: unknown) => void>(),
}));

vi.mock('./ipc', () => ({
  BackendError: class extends Error {
    code: string;
    constructor(err: { code: string; message: string }) {
      super(err.message);
      this.code = err.code;
    }
  },
  inDesktopApp: () => false,
  boot: () => null,
  on: async (event: string, handler: (payload: unknown) => void) => {
    backend.handlers.set(event, handler);
    return () => {};
  },
  call: (cmd: string, args?: unknown) =>
    new Promise((resolve, reject) => backend.pending.push({ cmd, args, resolve, reject })),
}));

const { inbox, FIRST_ROWS, MARGIN, sharingUnchanged, reuseUnchanged } = await import('./inbox.svelte');
const { BackendError } = await import('./ipc');
const { t } = await import('./i18n.svelte');

const rows = (n: number, tag = 'c', from = 0): InboxRow[] =>
  Array.from({ length: n }, (_, i) => ({ id: `${tag}${from + i}` }) as unknown as InboxRow);

/** The backend's answer to a list request over a list of `total` rows. */
function page(args: unknown, total: number, tag = 'c') {
  const q = args as InboxQuery;
  const offset = q.offset ?? 0;
  const n = Math.max(0, Math.min(q.limit ?? 100, total - offset));
  return { total, offset, rows: rows(n, tag, offset) };
}

/** The oldest unanswered call to `cmd`, once it has been made. */
async function next(cmd: string): Promise<Pending> {
  await vi.waitFor(() => expect(backend.pending.some((p) => p.cmd === cmd)).toBe(true));
  const i = backend.pending.findIndex((p) => p.cmd === cmd);
  const [call] = backend.pending.splice(i, 1);
  if (!call) throw new Error(`no call to ${cmd}`);
  return call;
}

describe('inbox start', () => {
  it('waits for the first screen (status and a window at the top of the list) in one answer', async () => {
    const started = inbox.init();
    // One call: it answers once the account has opened.
    const first = await next('first_screen');
    expect(backend.pending.some((p) => p.cmd === 'sync_status' || p.cmd === 'inbox_list')).toBe(false);
    expect(inbox.ready).toBe(false);
    const q = first.args as InboxQuery;
    expect(q.offset).toBe(0);
    expect(q.limit).toBe(FIRST_ROWS + MARGIN);
    // Exactly what the boot script asks for as the page starts (`App::boot_script`), so this
    // first call takes its answer.
    expect(JSON.parse(JSON.stringify(q))).toEqual({ view: 'all', sort: 'latest', offset: 0, limit: 80 });
    first.resolve({ status: { state: 'online', account: null, lastSyncAt: null, error: null, applied: 0, total: null }, page: page(q, 12_000) });
    await vi.waitFor(() => expect(inbox.ready).toBe(true));
    (await next('directory')).resolve(null);
    // The subscription is in place and no status event came: the status is asked for again
    // (an event sent before the subscription would be lost).
    (await next('sync_status')).resolve({ state: 'online', account: null, lastSyncAt: 1, error: null, applied: 0, total: null });
    await started;
    await vi.waitFor(() => expect(inbox.status.lastSyncAt).toBe(1));
    expect(inbox.total).toBe(12_000);
    expect(inbox.rows.length).toBe(FIRST_ROWS + MARGIN);
    // A second start while none is running asks again; one while one runs joins it.
    expect(inbox.init()).toBe(inbox.init());
    (await next('first_screen')).resolve({
      status: { state: 'online', account: null, lastSyncAt: 1, error: null, applied: 0, total: null },
      page: page({ offset: 0, limit: FIRST_ROWS + MARGIN }, 12_001),
    });
    (await next('directory')).resolve(null);
    (await next('sync_status')).resolve({ state: 'online', account: null, lastSyncAt: 1, error: null, applied: 0, total: null });
    await vi.waitFor(() => expect(inbox.total).toBe(12_001));
    expect(inbox.rows.length).toBe(FIRST_ROWS + MARGIN);
    expect(backend.pending.filter((p) => p.cmd === 'inbox_list' || p.cmd === 'first_screen')).toEqual([]);
  });

  it('loads again when the inbox screen comes back, not when it first shows after the start', async () => {
    const online = { state: 'online', account: null, lastSyncAt: 2, error: null, applied: 0, total: null };
    inbox.shown();
    await new Promise((r) => setTimeout(r, 0));
    expect(backend.pending.some((p) => p.cmd === 'first_screen')).toBe(false);
    inbox.shown();
    const again = await next('first_screen');
    again.resolve({ status: online, page: page(again.args, 12_002) });
    (await next('directory')).resolve(null);
    (await next('sync_status')).resolve(online);
    await vi.waitFor(() => expect(inbox.total).toBe(12_002));
  });

  it('asks for another window only when scrolling nears the edge of the loaded one', async () => {
    // Within the loaded rows: nothing to ask.
    inbox.showRange(10, 30);
    expect(backend.pending.some((p) => p.cmd === 'inbox_list')).toBe(false);

    // Far down: the rows around the ones in view, and only once while on its way.
    inbox.showRange(5000, 5020);
    inbox.showRange(5003, 5023);
    const far = await next('inbox_list');
    expect(backend.pending.some((p) => p.cmd === 'inbox_list')).toBe(false);
    const q = far.args as InboxQuery;
    expect(q.offset).toBe(5000 - MARGIN);
    expect((q.offset ?? 0) + (q.limit ?? 0)).toBe(5020 + MARGIN);
    far.resolve(page(q, 12_000));
    await vi.waitFor(() => expect(inbox.offset).toBe(5000 - MARGIN));
    expect(inbox.rows[0]?.id).toBe(`c${5000 - MARGIN}`);
    expect(inbox.rows.length).toBe(20 + 2 * MARGIN);

    // Near the end of that window, still inside it: the next one is asked for ahead.
    inbox.showRange(5010 + MARGIN / 2, 5030 + MARGIN / 2);
    const ahead = await next('inbox_list');
    ahead.resolve(page(ahead.args, 12_000));
    await vi.waitFor(() => expect(inbox.offset).toBe(5010 - MARGIN / 2));
  });

  it('moves the selection by keyboard from the selected row, loading a row not loaded yet', async () => {
    inbox.showRange(0, 20);
    const top = await next('inbox_list');
    top.resolve(page(top.args, 12_000));
    await vi.waitFor(() => expect(inbox.offset).toBe(0));

    const moved = inbox.move(1);
    const open = await next('open_conversation');
    expect(open.args).toBe('c0'); // nothing selected: the first row in view
    expect(inbox.reveal).toEqual({ index: 0 });
    open.resolve({ row: { id: 'c0', unread: 0 } });
    (await next('suggestions')).resolve([]);
    await moved;

    // The selected row is the last loaded one: the next comes from the backend.
    const lastLoaded = inbox.rows.length - 1;
    inbox.selected = `c${lastLoaded}`;
    const further = inbox.move(1);
    const one = await next('inbox_list');
    expect(one.args).toMatchObject({ offset: lastLoaded + 1, limit: 1 });
    one.resolve(page(one.args, 12_000));
    const opened = await next('open_conversation');
    expect(opened.args).toBe(`c${lastLoaded + 1}`);
    expect(inbox.reveal).toEqual({ index: lastLoaded + 1 });
    opened.resolve({ row: { id: opened.args, unread: 0 } });
    (await next('suggestions')).resolve([]);
    await further;
  });

  it('shows the answer to the latest request even when an older one arrives after it', async () => {
    const older = inbox.refresh();
    const a = await next('inbox_list');
    const newer = inbox.refresh();
    const b = await next('inbox_list');
    b.resolve({ total: 3, offset: 0, rows: rows(3, 'new') });
    await newer;
    a.resolve({ total: 2, offset: 0, rows: rows(2, 'old') });
    await older;
    expect(inbox.rows.map((r) => r.id)).toEqual(['new0', 'new1', 'new2']);
    expect(inbox.total).toBe(3);
  });
});

describe('after the first screen', () => {
  it('asks for what the first screen does not show only once it is painted', async () => {
    // Calls left unanswered by the tests above.
    backend.pending.splice(0);
    const frames: FrameRequestCallback[] = [];
    vi.stubGlobal('requestAnimationFrame', (f: FrameRequestCallback) => frames.push(f));
    try {
      const online = { state: 'online', account: null, lastSyncAt: 3, error: null, applied: 0, total: null };
      const started = inbox.init();
      const first = await next('first_screen');
      first.resolve({ status: online, page: page(first.args, 500) });
      (await next('sync_status')).resolve(online);
      await started;
      expect(inbox.total).toBe(500);
      // Laid out, not painted yet: nothing else asked for.
      await new Promise((r) => setTimeout(r, 0));
      expect(backend.pending.filter((p) => p.cmd === 'directory' || p.cmd === 'saved_views')).toEqual([]);
      // The frame that paints it, then the next one begins.
      for (let i = 0; i < 2; i++) frames.splice(0).forEach((f) => f(0));
      (await next('directory')).resolve(null);
      (await next('saved_views')).resolve([{ name: 'VIP', query: { ...inbox.query, label: 'vip' } }]);
      await vi.waitFor(() => expect(inbox.savedViews.map((v) => v.name)).toEqual(['VIP']));
    } finally {
      vi.unstubAllGlobals();
    }
  });

  it('saves, recognises and deletes views through the backend', async () => {
    const filter = async (patch: Parameters<typeof inbox.setQuery>[0], total: number) => {
      const done = inbox.setQuery(patch);
      const list = await next('inbox_list');
      list.resolve(page(list.args, total));
      await done;
    };
    await filter({ label: null, unread: false }, 500);
    expect(inbox.currentView).toBeNull();
    // Saved under the trimmed name, with the list's filters as they are.
    await filter({ channel: 'whatsapp', unread: true }, 40);
    const saving = inbox.saveView('  واتساب غير مقروءة ');
    const save = await next('save_view');
    expect(save.args).toEqual({ name: 'واتساب غير مقروءة', query: { ...inbox.query } });
    const stored = save.args as { name: string; query: typeof inbox.query };
    save.resolve([inbox.savedViews[0], stored]);
    await saving;
    // The picker shows the view whose filters are the list's, and only while they are.
    expect(inbox.currentView?.name).toBe('واتساب غير مقروءة');
    await filter({ unread: false }, 60);
    expect(inbox.currentView).toBeNull();
    const deleting = inbox.deleteView('واتساب غير مقروءة');
    const del = await next('delete_view');
    expect(del.args).toBe('واتساب غير مقروءة');
    del.resolve([inbox.savedViews[0]]);
    await deleting;
    expect(inbox.savedViews.map((v) => v.name)).toEqual(['VIP']);
  });

  it('keeps an online status that arrives before the answer to sign_in', async () => {
    // A small workspace is online before sign_in's answer (the status when it answered) is back.
    const signing = inbox.signIn('http://127.0.0.1:8080', 'owner@noor.shop', 'secret');
    const answer = await next('sign_in');
    const online = { state: 'online', account: null, lastSyncAt: 5, error: null, applied: 3, total: 3 };
    backend.handlers.get('inbox')?.({ type: 'status', status: online });
    answer.resolve({ state: 'syncing', account: null, lastSyncAt: null, error: null, applied: 0, total: null });
    await signing;
    expect(inbox.status.state).toBe('online');
    expect(inbox.status.lastSyncAt).toBe(5);
  });

  it("fills the list from the first sync's pages while the rest comes in", async () => {
    backend.pending.splice(0);
    const boot = (applied: number) => ({
      state: 'bootstrapping', account: 'omar@noor.ae', lastSyncAt: null, error: null, applied, total: 100_000, erased: null,
    });
    backend.handlers.get('inbox')?.({ type: 'status', status: boot(0) });
    let list = await next('inbox_list');
    list.resolve(page(list.args, 0));
    await vi.waitFor(() => expect(inbox.total).toBe(0));
    // The first page is in: its conversations are listed, and the sync goes on.
    backend.handlers.get('inbox')?.({ type: 'status', status: boot(900) });
    list = await next('inbox_list');
    list.resolve(page(list.args, 60));
    await vi.waitFor(() => expect(inbox.total).toBe(60));
    expect(inbox.rows.length).toBeGreaterThan(0);
    expect(inbox.status.state).toBe('bootstrapping');
    expect(inbox.status.applied).toBe(900);
  });

  it('forgets the account the workspace erased and says so once per erasure', async () => {
    backend.pending.splice(0);
    const status = (state: string, extra: object = {}) => ({
      state, account: 'omar@noor.ae', lastSyncAt: 5, error: null, applied: 0, total: null, erased: null, ...extra,
    });
    expect(inbox.signedIn).toBe(true);
    const refreshed = inbox.refresh();
    const list = await next('inbox_list');
    list.resolve(page(list.args, 30));
    await refreshed;
    expect(inbox.total).toBe(30);
    inbox.selected = 'c1';
    backend.handlers.get('inbox')?.({ type: 'status', status: status('erased', { erased: { unsent: 2, unsentFile: '/u.json' } }) });
    // Nothing of it stays on screen, and the account list is read again.
    expect(inbox.signedIn).toBe(false);
    expect(inbox.erasedShown).toBe(true);
    expect([inbox.rows, inbox.total, inbox.selected, inbox.directory, inbox.savedViews]).toEqual([[], 0, null, null, []]);
    (await next('accounts')).resolve([]);
    // Read: the start screen shows, even as the backend still says `erased`.
    inbox.dismissErased();
    expect(inbox.erasedShown).toBe(false);
    backend.handlers.get('inbox')?.({ type: 'status', status: status('erased', { erased: { unsent: 2, unsentFile: '/u.json' } }) });
    expect(inbox.erasedShown).toBe(false);
    // Signed in again, then erased again: said again.
    backend.handlers.get('inbox')?.({ type: 'status', status: status('bootstrapping') });
    expect(inbox.signedIn).toBe(true);
    (await next('directory')).resolve(null);
    (await next('saved_views')).resolve([]);
    backend.handlers.get('inbox')?.({ type: 'status', status: status('erased', { erased: { unsent: 0, unsentFile: null } }) });
    expect(inbox.erasedShown).toBe(true);
    (await next('accounts')).resolve([]);
  });
});

describe('search', () => {
  it('asks within a period, and a result opens its conversation reaching back to the message', async () => {
    inbox.searchDays = 30;
    const searching = inbox.runSearch('6alabi');
    const asked = await next('search');
    expect(asked.args).toEqual({ text: '6alabi', within: undefined, days: 30 });
    asked.resolve([{ kind: 'message', id: 'm9', conversationId: 'c7', contactName: 'Noor', snippet: [], at: 1 }]);
    await searching;
    expect(inbox.results?.length).toBe(1);

    const opening = inbox.open('c7', 'm9');
    const at = await next('open_conversation_at');
    expect(at.args).toEqual({ conversationId: 'c7', messageId: 'm9' });
    at.resolve({ row: { id: 'c7', unread: 0 }, messages: [] });
    (await next('suggestions')).resolve([]);
    await opening;
    expect(inbox.focusMessage).toBe('m9');
    // A change to the conversation reads it again as far back.
    backend.handlers.get('inbox')?.({ type: 'changed', ids: ['c7'] });
    const again = await next('open_conversation_at');
    expect(again.args).toEqual({ conversationId: 'c7', messageId: 'm9' });
    again.resolve({ row: { id: 'c7', unread: 0 }, messages: [] });

    // Opened from the list, not a result: the newest messages.
    const plain = inbox.open('c8');
    (await next('open_conversation')).resolve({ row: { id: 'c8', unread: 0 }, messages: [] });
    (await next('suggestions')).resolve([]);
    await plain;
    inbox.searchDays = null;
  });
});

describe('a long conversation', () => {
  it('keeps the messages that did not change as the very same objects when read again', () => {
    const view = (texts: string[], id = 'c1') =>
      ({ row: { id }, messages: texts.map((text, i) => ({ id: `m${i}`, text })) }) as unknown as ConversationView;
    const before = view(['salam', 'hello']);
    const after = sharingUnchanged(before, view(['salam', 'hello (edited)', 'new']));
    expect(after.messages[0]).toBe(before.messages[0]);
    expect(after.messages[1]).not.toBe(before.messages[1]);
    expect(after.messages.map((m) => m.text)).toEqual(['salam', 'hello (edited)', 'new']);
    // Another conversation shares nothing.
    const other = view(['salam'], 'c2');
    expect(sharingUnchanged(before, other)).toBe(other);
  });

  it("keeps a list window's unchanged rows when the next window arrives", () => {
    const first = rows(5);
    const next = [...rows(3, 'c', 3).map((r) => ({ ...r })), { ...rows(1, 'c', 6)[0], unread: 2 } as InboxRow];
    const kept = reuseUnchanged(first, next);
    expect(kept[0]).toBe(first[3]);
    expect(kept[1]).toBe(first[4]);
    expect(kept[2]).toBe(next[2]);
    expect(kept.map((r) => r.id)).toEqual(['c3', 'c4', 'c5', 'c6']);
  });

  it('reaches further back into the cache first, then asks the cloud, and a live change keeps the reach', async () => {
    const msgs = (n: number) => Array.from({ length: n }, (_, i) => ({ id: `m${i}` }));
    const opening = inbox.open('long');
    (await next('open_conversation')).resolve({ row: { id: 'long', unread: 0 }, messages: msgs(120), olderCached: true });
    (await next('suggestions')).resolve([]);
    await opening;

    // Scrolled to the top: 200 more from the cache, nothing from the cloud.
    let older = inbox.loadOlder();
    const cached = await next('open_conversation_at');
    expect(cached.args).toEqual({ conversationId: 'long', messages: 320 });
    cached.resolve({ row: { id: 'long', unread: 0 }, messages: msgs(320), olderCached: false });
    await older;
    expect(backend.pending.some((p) => p.cmd === 'load_older')).toBe(false);
    expect(inbox.conversation?.messages).toHaveLength(320);

    // The cache is exhausted: a page from the cloud, then the timeline reaches over it too.
    older = inbox.loadOlder();
    (await next('load_older')).resolve(false);
    const fetched = await next('open_conversation_at');
    expect(fetched.args).toEqual({ conversationId: 'long', messages: 520 });
    fetched.resolve({ row: { id: 'long', unread: 0 }, messages: msgs(420), olderCached: false });
    await older;
    expect(inbox.hasOlder).toBe(false);

    // A new message reads the conversation again as far back; nothing more is asked of the cloud.
    backend.handlers.get('inbox')?.({ type: 'changed', ids: ['long'] });
    expect((await next('open_conversation_at')).args).toEqual({ conversationId: 'long', messages: 520 });
    await inbox.loadOlder();
    expect(backend.pending.some((p) => p.cmd === 'load_older')).toBe(false);
  });
});

describe("the assistant's summary", () => {
  it('shows the kept one on opening, and keeps it when a new one cannot come offline', async () => {
    // Conversations opened by the tests before: their summaries are no longer asked about.
    for (const p of backend.pending.filter((p) => p.cmd === 'conversation_summary')) {
      backend.pending.splice(backend.pending.indexOf(p), 1);
    }
    const opening = inbox.open('s1');
    (await next('open_conversation')).resolve({ row: { id: 's1', unread: 0 } });
    await opening;
    (await next('suggestions')).resolve([]);
    const kept = await next('conversation_summary');
    expect(kept.args).toEqual({ conversationId: 's1', refresh: false });
    kept.resolve({ text: 'The customer asks about delivery.', model: 'm', ai: true, generatedAt: 1, messages: 3, stale: true });
    await vi.waitFor(() => expect(inbox.summary?.text).toBe('The customer asks about delivery.'));

    const again = inbox.summarize('s1', true);
    expect(inbox.summarizing).toBe(true);
    const ask = await next('conversation_summary');
    expect(ask.args).toEqual({ conversationId: 's1', refresh: true });
    ask.reject(new BackendError({ code: 'unreachable', message: 'offline' }));
    await again;
    expect(inbox.summarizing).toBe(false);
    expect(inbox.summary?.text).toBe('The customer asks about delivery.');
    expect(inbox.summaryError).toBe(t('summary-offline'));

    // Another conversation starts with none.
    const other = inbox.open('s2');
    expect(inbox.summary).toBeNull();
    expect(inbox.summaryError).toBeNull();
    (await next('open_conversation')).resolve({ row: { id: 's2', unread: 0 } });
    await other;
    (await next('suggestions')).resolve([]);
    (await next('conversation_summary')).resolve(null);
  });
});
