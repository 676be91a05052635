// The inbox's UI state. It reads only from the local cache through IPC and
// refreshes when the backend says something changed.
import type { ConversationView, InboxRow, SearchResult, SyncStatus } from './bindings';
import { call, on } from './ipc';
import { describeError } from './errors';

class InboxState {
  rows = $state<InboxRow[]>([]);
  selected = $state<string | null>(null);
  conversation = $state<ConversationView | null>(null);
  status = $state<SyncStatus>({ state: 'signed_out', account: null, lastSyncAt: null, error: null, applied: 0, total: null });
  channel = $state<string | null>(null);
  starting = $state(false);
  query = $state('');
  results = $state<SearchResult[] | null>(null);
  error = $state<string | null>(null);
  #listening = false;
  #pending: ReturnType<typeof setTimeout> | null = null;

  async init(): Promise<void> {
    if (!this.#listening) {
      this.#listening = true;
      await on('inbox', (event) => {
        if (event.type === 'status') {
          this.status = event.status;
          this.#schedule();
        } else if (event.type === 'changed') {
          this.#schedule();
          if (this.selected && event.ids.includes(this.selected)) void this.#reloadConversation();
        }
      });
    }
    this.status = await call('sync_status');
    await this.refresh();
  }

  /** Coalesces bursts of changes into one list refresh. */
  #schedule(): void {
    if (this.#pending) return;
    this.#pending = setTimeout(() => {
      this.#pending = null;
      void this.refresh();
    }, 150);
  }

  async refresh(): Promise<void> {
    if (this.status.state === 'signed_out') return;
    try {
      this.rows = await call('inbox_list', { channel: this.channel ?? undefined, limit: 500 });
    } catch (err) {
      this.error = describeError(err);
    }
  }

  async startDemo(): Promise<void> {
    this.starting = true;
    try {
      this.status = await call('start_demo');
      await this.refresh();
    } catch (err) {
      this.error = describeError(err);
    } finally {
      this.starting = false;
    }
  }

  async open(id: string): Promise<void> {
    this.selected = id;
    await this.#reloadConversation();
  }

  async #reloadConversation(): Promise<void> {
    const id = this.selected;
    if (!id) return;
    try {
      const view = await call('open_conversation', id);
      if (this.selected === id) this.conversation = view;
    } catch (err) {
      this.error = describeError(err);
    }
  }

  async send(text: string): Promise<boolean> {
    const id = this.selected;
    if (!id || !text.trim()) return false;
    try {
      await call('send_text', { conversationId: id, text });
      await this.#reloadConversation();
      return true;
    } catch (err) {
      this.error = describeError(err);
      return false;
    }
  }

  /** Searches the local cache; an empty query shows the list again. */
  async search(query: string): Promise<void> {
    this.query = query;
    if (!query.trim()) {
      this.results = null;
      return;
    }
    try {
      const results = await call('search', query);
      if (this.query === query) this.results = results;
    } catch (err) {
      this.error = describeError(err);
    }
  }

  async filter(channel: string | null): Promise<void> {
    this.channel = channel;
    await this.refresh();
  }
}

export const inbox = new InboxState();
