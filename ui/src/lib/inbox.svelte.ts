// The inbox's UI state. It reads only from the local cache through IPC and
// refreshes when the backend says something changed; writes go through the
// backend (messages through the outbox, so they work offline).
import type {
  AccountView,
  Action,
  ActivityView,
  Channel,
  ConversationView,
  Device,
  Directory,
  ExportOptions,
  FirstScreen,
  InboxPage,
  InboxQuery,
  InboxRow,
  ListFilters,
  SavedView,
  SearchResult,
  SuggestionView,
  SummaryView,
  SyncStatus,
  UpdateContact,
} from './bindings';
import { BackendError, call, on } from './ipc';
import { describeError } from './errors';
import { t } from './i18n.svelte';
import { afterPaint } from './frames';
import { pcmBase64 } from './recorder';

/** The list's filters; saved views are named copies of it (kept in the account's cache). */
export type ListQuery = ListFilters;
export type { SavedView };

export const DEFAULT_QUERY: ListQuery = {
  view: 'all',
  status: null,
  channel: null,
  label: null,
  agent: null,
  team: null,
  unread: false,
  sort: 'latest',
};

/** The rows taken to be in view before the list has measured itself: more than a tall screen shows. */
export const FIRST_ROWS = 20;
/** Rows kept loaded beyond those in view on each side; a window is asked for again when
 * scrolling comes within half of this of its edge. */
export const MARGIN = 60;

export function toInboxQuery(q: ListQuery, offset = 0, limit = FIRST_ROWS + 2 * MARGIN): InboxQuery {
  return {
    view: q.view,
    status: q.status ?? undefined,
    channel: q.channel ?? undefined,
    label: q.label ?? undefined,
    agent: q.agent ?? undefined,
    team: q.team ?? undefined,
    unread: q.unread || undefined,
    sort: q.sort,
    offset,
    limit,
  };
}

export type Mode = 'reply' | 'note';

/** A file's bytes as base64, for IPC. */
function readBase64(file: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => {
      const url = String(reader.result);
      resolve(url.slice(url.indexOf(',') + 1));
    };
    reader.onerror = () => reject(reader.error ?? new Error('read failed'));
    reader.readAsDataURL(file);
  });
}

/** `next`, with each item that did not change since `prev` (the same id, the same content)
 * being the very object it was, so that what is drawn from it is not drawn again: the list's
 * window and the open conversation are read again whole on every change (a message in, a read
 * mark, the list scrolled to a new window). */
export function reuseUnchanged<T extends { id: string }>(prev: readonly T[], next: T[]): T[] {
  if (!prev.length) return next;
  const before: Record<string, T> = Object.fromEntries(prev.map((item) => [item.id, item]));
  let reused = 0;
  const out = next.map((item) => {
    const old = Object.hasOwn(before, item.id) ? before[item.id] : undefined;
    if (old && JSON.stringify(old) === JSON.stringify(item)) {
      reused++;
      return old;
    }
    return item;
  });
  return reused ? out : next;
}

/** `next` with the messages that did not change since `prev` kept as they were (see
 * `reuseUnchanged`). */
export function sharingUnchanged(prev: ConversationView | null, next: ConversationView): ConversationView {
  if (!prev || prev.row.id !== next.row.id) return next;
  const messages = reuseUnchanged(prev.messages, next.messages);
  return messages === next.messages ? next : { ...next, messages };
}

/** Messages a scroll to the top of a timeline adds to it. */
const OLDER_STEP = 200;

class InboxState {
  // The loaded window of the list: `rows` from `offset` on, out of `total`. Replaced whole on
  // every refresh, never changed in place (not deeply reactive: no proxies).
  rows = $state.raw<InboxRow[]>([]);
  /** The newest customer message that came in while the list was shown, for screen readers
   * (a polite live region): who wrote, and on which channel (the row's preview may be a reply
   * by then, so no text). */
  arrived = $state.raw<{ name: string; channel: InboxRow['channel']; at: number } | null>(null);
  /** The newest unread message time seen in the list: anything newer arrived since. */
  #newestUnread: number | null = null;
  offset = $state(0);
  total = $state(0);
  /** The row the keyboard moved to, for the list to scroll into view. */
  reveal = $state.raw<{ index: number } | null>(null);
  /** The first status is known: until then the start screen is not shown (no flash of it). */
  ready = $state(false);
  selected = $state<string | null>(null);
  /** Other agents viewing or typing, by conversation then agent (short-lived, never stored). */
  activity = $state<Record<string, Record<string, ActivityView>>>({});
  #viewingTimer: ReturnType<typeof setInterval> | undefined;
  #typingSent = 0;
  conversation = $state.raw<ConversationView | null>(null);
  status = $state<SyncStatus>({ state: 'signed_out', account: null, lastSyncAt: null, error: null, applied: 0, total: null, erased: null });
  /** The agent has read that the workspace signed this computer out (the status stays `erased`
   * until another account opens, the start screen shows meanwhile). */
  erasedDismissed = $state(false);
  /** The workspace signed this computer out of the window's account and its data was erased:
   * the screen that says so replaces the others until the agent moves on. */
  get erasedShown(): boolean {
    return this.status.state === 'erased' && !this.erasedDismissed;
  }
  query = $state<ListQuery>({ ...DEFAULT_QUERY });
  savedViews = $state.raw<SavedView[]>([]);
  /** The saved view the list shows now: the one whose filters are the list's. */
  currentView = $derived<SavedView | null>(
    this.savedViews.find((v) => (Object.keys(this.query) as (keyof ListQuery)[]).every((k) => v.query[k] === this.query[k])) ??
      null,
  );
  directory = $state<Directory | null>(null);
  accounts = $state<AccountView[]>([]);
  /** Startup has decided: an account opened, or the start screen shows. */
  accountsLoaded = $state(false);
  suggestions = $state<SuggestionView[]>([]);
  /** The open conversation's summary by the assistant, kept or just asked for. */
  summary = $state<SummaryView | null>(null);
  /** A summary is on its way from the cloud. */
  summarizing = $state(false);
  /** Why the last summary asked for did not come (offline, the cloud refused). */
  summaryError = $state<string | null>(null);
  starting = $state(false);
  search = $state('');
  results = $state<SearchResult[] | null>(null);
  /** The message a search result pointed at, to scroll to and highlight. */
  focusMessage = $state<string | null>(null);
  /** The cloud may hold older messages of the open conversation than the cache. */
  hasOlder = $state(true);
  /** How many of the open conversation's messages its timeline reaches back over, once the agent
   * has scrolled past the first ones (0: the newest, as the backend sends them first). */
  #reach = 0;
  /** A link from a message waiting for the agent's go-ahead. */
  pendingLink = $state<string | null>(null);
  error = $state<string | null>(null);
  #listening = false;
  #shown = false;
  #init: Promise<void> | null = null;
  /** Status events received, to tell whether an answer to `sync_status` is already stale. */
  #statusEvents = 0;
  #refreshes = 0;
  /** The rows in view, [first, last), as the list reports them. */
  #view = { first: 0, last: FIRST_ROWS };
  /** The window a request is on its way for. */
  #asked: { from: number; to: number } | null = null;
  /** The read mark sent on opening, which a mark-unread must follow, not overtake. */
  #reading: Promise<unknown> = Promise.resolve();
  #pending: ReturnType<typeof setTimeout> | null = null;

  /** An account is open in the window (not once the workspace has signed it out and erased it). */
  get signedIn(): boolean {
    return this.status.state !== 'signed_out' && this.status.state !== 'erased';
  }

  /** Takes a status from the backend. When the window's account has just been erased (the
   * workspace signed this computer out), nothing of it stays on screen and the screen that
   * says so shows, once per erasure. */
  #setStatus(status: SyncStatus): void {
    const was = this.status.state;
    this.status = status;
    if (status.state !== 'erased' || was === 'erased') return;
    this.erasedDismissed = false;
    this.adding = false;
    clearInterval(this.#viewingTimer);
    this.#viewingTimer = undefined;
    this.selected = null;
    this.conversation = null;
    this.directory = null;
    this.activity = {};
    this.suggestions = [];
    this.summary = null;
    this.search = '';
    this.results = null;
    // A list answer on its way is of the erased account: dropped.
    this.#refreshes += 1;
    this.#asked = null;
    this.#clearList();
    void this.loadAccounts();
  }

  /** The agent has read the erased screen: on to the start screen to sign in again. */
  dismissErased(): void {
    this.erasedDismissed = true;
    this.adding = false;
  }

  /** Starts following the backend and loads what the inbox shows first. Called at start,
   * before the page is laid out, and again whenever the inbox screen comes back (a call while
   * one is running joins it). */
  init(): Promise<void> {
    this.#init ??= this.#load().finally(() => (this.#init = null));
    return this.#init;
  }

  /** The inbox screen is on display. The first time, the load begun at start covers it (or
   * one begins); when the screen comes back, the inbox loads again. */
  shown(): void {
    const first = !this.#shown;
    this.#shown = true;
    if (first && (this.#init || this.ready)) return;
    void this.init();
  }

  /**
   * A command's answer is the status when it answered; a status event handled while the answer
   * travelled is newer (a small workspace can be online before `sign_in`'s answer arrives), so
   * the answer only counts when no event came meanwhile.
   */
  async #statusFrom(command: () => Promise<SyncStatus>): Promise<void> {
    const seen = this.#statusEvents;
    const status = await command();
    if (this.#statusEvents === seen) this.#setStatus(status);
  }

  #applyStatus(status: SyncStatus): void {
    const was = this.status.state;
    const wasOut = was === 'signed_out' || was === 'erased';
    this.#setStatus(status);
    // Agents, labels and templates arrive with the initial sync.
    if (this.signedIn && was !== status.state && (wasOut || status.state === 'online')) {
      void this.loadDirectory();
    }
    if (this.signedIn && wasOut) void this.loadSavedViews();
  }

  async #load(): Promise<void> {
    performance.mark('stepup:inbox');
    // At once: the subscription, and the status with the first rows in one answer (it comes
    // once the account used last, or the demo, has opened; the boot script has asked for it
    // as the page began to load, see `App::boot_script`).
    const listening = this.#listen();
    const seen = this.#statusEvents;
    let screen!: Promise<FirstScreen>;
    const first = this.#request((query) => {
      screen = call('first_screen', query);
      return screen.then((s) => s.page);
    });
    let status: SyncStatus;
    try {
      status = (await screen).status;
    } catch (err) {
      // The list could not be read; the status still can.
      this.error = describeError(err);
      status = await call('sync_status');
    }
    performance.mark('stepup:status');
    // A status event that came meanwhile is newer than this answer.
    if (this.#statusEvents === seen) this.#setStatus(status);
    this.ready = true;
    void listening.then(async () => {
      // An event sent before the subscription was in place is lost: ask once more.
      if (this.#statusEvents !== seen) return;
      const again = await call('sync_status');
      if (this.#statusEvents === seen) this.#applyStatus(again);
    });
    if (this.signedIn) {
      await first.apply();
      performance.mark('stepup:rows');
      // What the first screen does not show (filter choices, names, templates, saved views)
      // comes after it is painted, off the launch's path.
      afterPaint(() => {
        void this.loadDirectory();
        void this.loadSavedViews();
      });
    } else {
      first.drop();
      await this.loadAccounts();
      // Reopen the account used last; one behind a passphrase waits for it
      // on the start screen.
      const last = this.accounts.find((a) => a.last && !a.passphrase);
      if (last && !this.signedIn) {
        try {
          await this.openAccount(last.id);
        } catch (err) {
          this.error = describeError(err);
        }
      }
      this.accountsLoaded = true;
    }
  }

  #listen(): Promise<unknown> {
    if (this.#listening) return Promise.resolve();
    this.#listening = true;
    return on('inbox', (event) => {
      if (event.type === 'status') {
        this.#statusEvents += 1;
        this.#applyStatus(event.status);
        this.#schedule();
      } else if (event.type === 'changed') {
        this.#schedule();
        if (this.selected && event.ids.includes(this.selected)) void this.#reloadConversation();
      } else if (event.type === 'activity') {
        this.#applyActivity(event.activity);
      } else if (event.type === 'accountChanged') {
        this.#accountsSoon();
      }
    });
  }

  /** Another account signed in is syncing in the background: its unread count in the
   * switcher, read again at most once a second. */
  #accountsTimer: ReturnType<typeof setTimeout> | null = null;
  #accountsSoon(): void {
    if (this.#accountsTimer !== null) return;
    this.#accountsTimer = setTimeout(() => {
      this.#accountsTimer = null;
      void this.loadAccounts();
    }, 1000);
  }

  /** The sign-in form is shown to add an account while the current one stays signed in. */
  adding = $state(false);

  async loadAccounts(): Promise<void> {
    try {
      this.accounts = await call('accounts');
    } catch (err) {
      this.error = describeError(err);
    }
  }

  async loadDirectory(): Promise<void> {
    try {
      this.directory = await call('directory');
    } catch (err) {
      if (!(err instanceof BackendError && err.code === 'not_signed_in')) this.error = describeError(err);
    }
  }

  /** Coalesces bursts of changes into one list refresh. */
  #schedule(): void {
    if (this.#pending) return;
    this.#pending = setTimeout(() => {
      this.#pending = null;
      void this.refresh();
      if (!this.directory) void this.loadDirectory();
    }, 150);
  }

  /** Loads the window around the rows in view again (after a change, or to scroll there). */
  #noteArrivals(rows: InboxRow[]): void {
    const unread = rows.filter((r) => r.unread > 0);
    const newest = unread.reduce<InboxRow | null>((a, r) => (!a || r.lastMessageAt > a.lastMessageAt ? r : a), null);
    if (!newest) return;
    if (this.#newestUnread !== null && newest.lastMessageAt > this.#newestUnread) {
      this.arrived = { name: newest.contactName, channel: newest.channel, at: newest.lastMessageAt };
    }
    this.#newestUnread = Math.max(this.#newestUnread ?? 0, newest.lastMessageAt);
  }

  async refresh(): Promise<void> {
    if (!this.signedIn) return;
    await this.#request().apply();
  }

  /** Asks for the window around the rows in view. `apply` shows the answer, unless a newer
   * request has been made meanwhile (an older answer may arrive after a newer one); `drop`
   * forgets it. */
  #request(
    ask: (query: InboxQuery) => Promise<InboxPage | null> = (query) => call('inbox_list', query),
  ): { apply: () => Promise<void>; drop: () => void } {
    const from = Math.max(0, this.#view.first - MARGIN);
    const to = this.#view.last + MARGIN;
    const seq = ++this.#refreshes;
    this.#asked = { from, to };
    const answer = ask(toInboxQuery(this.query, from, to - from)).then(
      (page) => ({ page, err: null }),
      (err: unknown) => ({ page: null, err }),
    );
    const latest = () => seq === this.#refreshes;
    return {
      apply: async () => {
        const { page, err } = await answer;
        if (!latest()) return;
        this.#asked = null;
        if (page) {
          this.#noteArrivals(page.rows);
          this.rows = reuseUnchanged(this.rows, page.rows);
          this.offset = page.offset;
          this.total = page.total;
        } else if (err) {
          this.error = describeError(err);
        }
      },
      drop: () => {
        if (latest()) this.#asked = null;
      },
    };
  }

  /** The list scrolled: rows [first, last) are in view. Asks for another window only when
   * scrolling comes near the edge of the loaded one (and none is on its way already). */
  showRange(first: number, last: number): void {
    this.#view = { first, last };
    const from = Math.max(0, first - MARGIN / 2);
    const to = Math.min(this.total, last + MARGIN / 2);
    const have = this.#asked ?? { from: this.offset, to: this.offset + this.rows.length };
    if (from < have.from || to > have.to) {
      void this.refresh();
    }
  }

  async startDemo(): Promise<void> {
    this.starting = true;
    try {
      await this.#statusFrom(() => call('start_demo'));
      await Promise.all([this.refresh(), this.loadDirectory(), this.loadSavedViews()]);
    } catch (err) {
      this.error = describeError(err);
    } finally {
      this.starting = false;
    }
  }

  /** Signs in; rethrows so the sign-in form can branch on the code. */
  async signIn(server: string, email: string, password: string, passphrase?: string): Promise<void> {
    await this.#statusFrom(() => call('sign_in', { server, email, password, passphrase }));
    this.#afterSwitch();
  }

  /** Opens an account signed in before; rethrows (a passphrase may be needed). */
  async openAccount(id: string, passphrase?: string): Promise<void> {
    await this.#statusFrom(() => call('open_account', { id, passphrase }));
    this.#afterSwitch();
  }

  #clearList(): void {
    this.rows = [];
    this.offset = 0;
    this.total = 0;
    this.savedViews = [];
  }

  #afterSwitch(): void {
    this.adding = false;
    this.selected = null;
    this.conversation = null;
    this.directory = null;
    this.#clearList();
    void this.loadDirectory();
    void this.loadSavedViews();
    void this.refresh();
    void this.loadAccounts();
  }

  async signOut(wipe: boolean): Promise<void> {
    try {
      await call('sign_out', { wipe });
      await this.#statusFrom(() => call('sync_status'));
      this.selected = null;
      this.conversation = null;
      this.directory = null;
      this.#clearList();
      await this.loadAccounts();
    } catch (err) {
      this.error = describeError(err);
    }
  }

  /** Puts the conversation back as unread for the team and closes it, so opening does not
   * read it again at once. */
  async markUnread(id = this.selected): Promise<void> {
    if (!id) return;
    try {
      await this.#reading;
      await call('mark_unread', id);
      if (this.selected === id) {
        this.selected = null;
        this.conversation = null;
      }
    } catch (err) {
      this.error = describeError(err);
    }
  }

  /** Another agent's report: kept until it expires or they leave. */
  #applyActivity(a: ActivityView): void {
    const here = { ...(this.activity[a.conversationId] ?? {}) };
    if (a.kind === null) delete here[a.agentId];
    else here[a.agentId] = a;
    this.activity = { ...this.activity, [a.conversationId]: here };
  }

  /** Who else is in a conversation at `now`, typists first. */
  othersIn(conversationId: string, now: number): ActivityView[] {
    return Object.values(this.activity[conversationId] ?? {})
      .filter((a) => a.until > now)
      .sort((x, y) => (x.kind === y.kind ? x.agentName.localeCompare(y.agentName) : x.kind === 'typing' ? -1 : 1));
  }

  /** Tells the other agents this one now views `id` (and left the one before), every half minute while it stays open. */
  #reportViewing(id: string | null): void {
    const before = this.selected;
    if (before && before !== id) void call('report_activity', { conversationId: before, kind: null }).catch(() => undefined);
    clearInterval(this.#viewingTimer);
    this.#viewingTimer = undefined;
    if (!id) return;
    const report = () => {
      if (this.selected === id) void call('report_activity', { conversationId: id, kind: 'viewing' }).catch(() => undefined);
    };
    queueMicrotask(report);
    this.#viewingTimer = setInterval(report, 30_000);
  }

  /** The agent is typing a reply in the open conversation (reported at most every 3 s). */
  typing(): void {
    const id = this.selected;
    const now = Date.now();
    if (!id || now - this.#typingSent < 3_000) return;
    this.#typingSent = now;
    void call('report_activity', { conversationId: id, kind: 'typing' }).catch(() => undefined);
  }

  async open(id: string, messageId: string | null = null): Promise<void> {
    this.#reportViewing(id);
    this.#typingSent = 0;
    this.selected = id;
    this.focusMessage = messageId;
    this.suggestions = [];
    this.summary = null;
    this.summaryError = null;
    this.hasOlder = true;
    this.#reach = 0;
    await this.#reloadConversation();
    const row = this.conversation?.row;
    // What can wait does, until the conversation is on screen: each answer redraws a part of
    // it, and marking it read reads it again.
    await new Promise<void>((resolve) => afterPaint(resolve));
    if (this.selected !== id) return;
    if (row && row.unread > 0) this.#reading = call('mark_read', id).catch(() => undefined);
    void this.loadSuggestions(id);
    void this.summarize(id, false);
  }

  /** The open conversation's summary: the kept one, or with `refresh` a new one from the cloud.
   * Offline the kept one stays and the agent is told why no new one came. */
  async summarize(id: string, refresh: boolean): Promise<void> {
    if (refresh) {
      this.summarizing = true;
      this.summaryError = null;
    }
    try {
      const s = await call('conversation_summary', { conversationId: id, refresh });
      if (this.selected === id && (s || !refresh)) this.summary = s;
    } catch (err) {
      // Reading the kept one is quiet: a summary is optional.
      if (this.selected !== id || !refresh) return;
      this.summaryError =
        err instanceof BackendError && err.code === 'unreachable' ? t('summary-offline') : describeError(err);
    } finally {
      if (refresh) this.summarizing = false;
    }
  }

  async loadSuggestions(id: string): Promise<void> {
    try {
      const s = await call('suggestions', id);
      if (this.selected === id) this.suggestions = s;
    } catch {
      // Suggestions are optional: none offline.
    }
  }

  async #reloadConversation(): Promise<void> {
    const id = this.selected;
    if (!id) return;
    try {
      // Opened at a search result: the timeline reaches back to it, however old it is; scrolled
      // up: as far as the agent has gone.
      const focus = this.focusMessage;
      const reach = this.#reach;
      const view =
        focus || reach
          ? await call('open_conversation_at', {
              conversationId: id,
              messageId: focus ?? undefined,
              messages: reach || undefined,
            })
          : await call('open_conversation', id);
      if (this.selected === id) this.conversation = sharingUnchanged(this.conversation, view);
    } catch (err) {
      this.error = describeError(err);
    }
  }

  /** The agent scrolled to the top of the timeline: more of what the cache holds, and once it
   * holds no older messages, the cloud's. */
  async loadOlder(): Promise<void> {
    const id = this.selected;
    const view = this.conversation;
    if (!id || !view || view.row.id !== id) return;
    const further = () => (this.#reach = (this.#reach || view.messages.length) + OLDER_STEP);
    if (view.olderCached) {
      further();
      await this.#reloadConversation();
      return;
    }
    if (!this.hasOlder) return;
    try {
      this.hasOlder = await call('load_older', id);
      further();
      await this.#reloadConversation();
    } catch {
      // Offline: what is cached is what there is for now.
      this.hasOlder = false;
    }
  }

  async send(text: string, replyTo: string | null = null): Promise<boolean> {
    const id = this.selected;
    if (!id || !text.trim()) return false;
    try {
      await call('send_text', { conversationId: id, text, replyTo: replyTo ?? undefined });
      await this.#reloadConversation();
      return true;
    } catch (err) {
      this.error = describeError(err);
      return false;
    }
  }

  /** Uploads a file and queues the message carrying it. */
  async sendFile(file: File, caption = ''): Promise<boolean> {
    const id = this.selected;
    if (!id) return false;
    try {
      const dataBase64 = await readBase64(file);
      await call('send_attachment', { conversationId: id, filename: file.name || 'file', dataBase64, caption: caption || undefined });
      await this.#reloadConversation();
      return true;
    } catch (err) {
      this.error = describeError(err);
      return false;
    }
  }

  /** Sends a recorded voice note (the backend encodes it to Opus in Ogg). */
  async sendVoiceNote(pcm: Int16Array, sampleRate: number): Promise<boolean> {
    const id = this.selected;
    if (!id) return false;
    try {
      await call('send_voice_note', { conversationId: id, pcmBase64: pcmBase64(pcm), sampleRate });
      await this.#reloadConversation();
      return true;
    } catch (err) {
      this.error = describeError(err);
      return false;
    }
  }

  async addNote(body: string): Promise<boolean> {
    const id = this.selected;
    if (!id || !body.trim()) return false;
    try {
      await call('add_note', { conversationId: id, body });
      return true;
    } catch (err) {
      this.error = describeError(err);
      return false;
    }
  }

  /** Edits the open conversation's customer; the cache follows through the feed. */
  async updateContact(edit: Omit<UpdateContact, 'contactId'>): Promise<boolean> {
    const contactId = this.conversation?.contact.id;
    if (!contactId) return false;
    return this.#contactCommand(() => call('update_contact', { contactId, ...edit }));
  }

  /** Makes another customer part of the open conversation's customer. */
  async mergeContact(fromContactId: string): Promise<boolean> {
    const contactId = this.conversation?.contact.id;
    if (!contactId) return false;
    return this.#contactCommand(() => call('merge_contacts', { contactId, fromContactId }));
  }

  /** Splits one of the customer's channel identities off into a customer of its own. */
  async splitContact(channel: Channel, externalId: string): Promise<boolean> {
    const contactId = this.conversation?.contact.id;
    if (!contactId) return false;
    return this.#contactCommand(() => call('split_contact', { contactId, channel, externalId }));
  }

  /** Other customers in the cache whose name or number matches, for a merge. */
  async findCustomers(query: string): Promise<SearchResult[]> {
    if (!query.trim()) return [];
    try {
      const results = await call('search', { text: query });
      const self = this.conversation?.contact.id;
      return results.filter((r) => r.kind === 'contact' && r.id !== self);
    } catch (err) {
      this.error = describeError(err);
      return [];
    }
  }

  async #contactCommand(run: () => Promise<null>): Promise<boolean> {
    try {
      await run();
      return true;
    } catch (err) {
      this.error = describeError(err);
      return false;
    }
  }

  async sendTemplate(templateId: string, params: string[]): Promise<boolean> {
    const id = this.selected;
    if (!id) return false;
    try {
      await call('send_template', { conversationId: id, templateId, params });
      await this.#reloadConversation();
      return true;
    } catch (err) {
      this.error = describeError(err);
      return false;
    }
  }

  async act(action: Action, conversationId = this.selected): Promise<void> {
    if (!conversationId) return;
    try {
      await call('conversation_action', { conversationId, action });
    } catch (err) {
      this.error = describeError(err);
    }
  }

  async retry(localId: string): Promise<void> {
    try {
      await call('retry_message', localId);
      await this.#reloadConversation();
    } catch (err) {
      this.error = describeError(err);
    }
  }

  async discard(localId: string): Promise<void> {
    try {
      await call('discard_message', localId);
      await this.#reloadConversation();
    } catch (err) {
      this.error = describeError(err);
    }
  }

  /** Search only the conversations the list's filters show (its view, channel, status, …). */
  searchInList = $state(false);
  /** Only messages and notes of the last this many days; `null`: any time. */
  searchDays = $state<number | null>(null);

  /** Searches the local cache, the whole of it or within the list's filters; an empty query
   * shows the list again. */
  async runSearch(query: string): Promise<void> {
    this.search = query;
    if (!query.trim()) {
      this.results = null;
      return;
    }
    const inList = this.searchInList;
    const days = this.searchDays;
    try {
      const results = await call('search', {
        text: query,
        within: inList ? toInboxQuery(this.query, 0, 1) : undefined,
        days: days ?? undefined,
      });
      if (this.search === query && this.searchInList === inList && this.searchDays === days) this.results = results;
    } catch (err) {
      this.error = describeError(err);
    }
  }

  async setQuery(patch: Partial<ListQuery>): Promise<void> {
    this.query = { ...this.query, ...patch };
    // Another list: from its top.
    this.reveal = { index: 0 };
    this.#view = { first: 0, last: Math.max(FIRST_ROWS, this.#view.last - this.#view.first) };
    await this.refresh();
    if (this.searchInList && this.search.trim()) await this.runSearch(this.search);
  }

  async loadSavedViews(): Promise<void> {
    try {
      this.savedViews = await call('saved_views');
    } catch (err) {
      if (!(err instanceof BackendError && err.code === 'not_signed_in')) this.error = describeError(err);
    }
  }

  /** Saves the list's filters as `name` (a view of that name takes them). */
  async saveView(name: string): Promise<void> {
    const trimmed = name.trim();
    if (!trimmed) return;
    try {
      this.savedViews = await call('save_view', { name: trimmed, query: { ...this.query } });
    } catch (err) {
      this.error = describeError(err);
    }
  }

  async deleteView(name: string): Promise<void> {
    try {
      this.savedViews = await call('delete_view', name);
    } catch (err) {
      this.error = describeError(err);
    }
  }

  /** Moves the selection up or down the list (keyboard); with none, or the selected row
   * scrolled far away, it starts from the first row in view. */
  async move(delta: number): Promise<void> {
    if (this.total === 0) return;
    const at = this.rows.findIndex((r) => r.id === this.selected);
    const index = Math.min(this.total - 1, Math.max(0, at < 0 ? this.#view.first : this.offset + at + delta));
    let row = this.rows[index - this.offset];
    if (!row) {
      try {
        row = (await call('inbox_list', toInboxQuery(this.query, index, 1))).rows[0];
      } catch (err) {
        this.error = describeError(err);
      }
    }
    if (!row) return;
    this.reveal = { index };
    await this.open(row.id);
  }

  /** Conversations whose contact's name matches, from the whole cache (the command palette). */
  async findContacts(query: string): Promise<{ id: string; name: string }[]> {
    if (!query.trim()) return [];
    try {
      const results = await call('search', { text: query });
      const contacts = results.filter((r) => r.kind === 'contact' && r.conversationId);
      return contacts
        .filter((r, i) => contacts.findIndex((o) => o.conversationId === r.conversationId) === i)
        .map((r) => ({ id: r.conversationId ?? '', name: r.contactName }));
    } catch {
      return [];
    }
  }

  async openLink(url: string): Promise<void> {
    this.pendingLink = null;
    try {
      await call('open_link', url);
    } catch (err) {
      this.error = describeError(err);
    }
  }

  /** Exports the account's data, encrypted (an age file) with `options.passphrase` if one is
   * given; the file's path. Rethrows: the workspace may not allow it for the agent's role, and a
   * passphrase under 8 characters is `invalid_input`. */
  exportData(options: ExportOptions = {}): Promise<string> {
    return call('export_data', options);
  }

  /** The devices signed in to the account (an admin's: the workspace's); rethrows (offline). */
  devices(): Promise<Device[]> {
    return call('devices');
  }

  /** Signs a device out (it erases its copy at its next contact); the devices left. Rethrows. */
  revokeDevice(id: string): Promise<Device[]> {
    return call('revoke_device', id);
  }

  async wipeCache(): Promise<void> {
    try {
      await this.#statusFrom(() => call('wipe_cache'));
      this.selected = null;
      this.conversation = null;
      this.#clearList();
    } catch (err) {
      this.error = describeError(err);
    }
  }
}

export const inbox = new InboxState();
