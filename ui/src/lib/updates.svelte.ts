// Updates of the app itself: what the backend says (`update_status`, the `update` event), and
// the agent's answer. Nothing is installed without the agent asking, and never while a reply
// is being written (the composer tells `replying`).
import type { UpdateFailure, UpdateView } from './bindings';
import { call, inDesktopApp, on } from './ipc';
import { describeError } from './errors';
import { i18n } from './i18n.svelte';

/** The message id for each failure the backend reports. */
const FAILURE_MESSAGE: Record<UpdateFailure, string> = {
  check: 'update-failed-check',
  download: 'update-failed-download',
  signature: 'update-failed-signature',
  install: 'update-failed-install',
};

class Updates {
  view = $state<UpdateView | null>(null);
  /** The dialog that asks before installing is open. */
  asking = $state(false);
  /** A reply is being written (the composer holds text). */
  replying = $state(false);
  /** What failed last, said by the Settings' "check now" (the dialog says the view's failure). */
  error = $state<string | null>(null);
  #started = false;

  async init(): Promise<void> {
    if (this.#started || !inDesktopApp()) return;
    this.#started = true;
    await on('update', (view) => (this.view = view));
    this.view = await call('update_status');
  }

  /** A newer release is on offer and this copy can install it. */
  get ready(): boolean {
    return !!this.view?.available && this.view.unavailable === null;
  }

  get busy(): boolean {
    return this.view?.phase === 'checking' || this.view?.phase === 'downloading' || this.view?.phase === 'installing';
  }

  /** What is new, in the agent's language (else English, else whatever there is). */
  get notes(): string {
    const notes = this.view?.available?.notes ?? {};
    return notes[i18n.locale] ?? notes['en'] ?? Object.values(notes)[0] ?? '';
  }

  /** The message id of the last failure, if any. */
  get failure(): string | null {
    const f = this.view?.failure;
    return f ? FAILURE_MESSAGE[f] : null;
  }

  async check(): Promise<void> {
    this.error = null;
    try {
      this.view = await call('check_for_update');
    } catch (err) {
      this.error = describeError(err);
    }
  }

  /** Downloads, verifies and installs; the app then starts again as the new version. */
  async install(): Promise<void> {
    if (this.replying) return;
    try {
      await call('install_update');
    } catch {
      // The view says what failed (the `update` event), in the agent's language.
    }
  }
}

export const updates = new Updates();
