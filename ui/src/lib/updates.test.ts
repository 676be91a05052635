// The update as the UI holds it: the notes in the agent's language, the failure said, and no
// install while a reply is being written.
import { describe, expect, it, vi } from 'vitest';
import type { UpdateView } from './bindings';

const backend = vi.hoisted(() => ({
  handlers: new Map<string, (payload: unknown) => void>(),
  calls: [] as string[],
}));

vi.mock('./ipc', () => ({
  BackendError: Error,
  inDesktopApp: () => true,
  boot: () => null,
  on: async (event: string, handler: (payload: unknown) => void) => {
    backend.handlers.set(event, handler);
    return () => {};
  },
  call: async (cmd: string) => {
    backend.calls.push(cmd);
    if (cmd === 'update_status') return view({});
    if (cmd === 'install_update') throw Object.assign(new Error('refused'), { code: 'rejected' });
    throw new Error(`unexpected ${cmd}`);
  },
}));

const { updates } = await import('./updates.svelte');
const { applyLocale } = await import('./i18n.svelte');

function view(patch: Partial<UpdateView>): UpdateView {
  return {
    currentVersion: '0.1.0',
    unavailable: null,
    phase: 'idle',
    available: { version: '0.2.0', notes: { en: 'Faster search.', ar: 'بحث أسرع.' }, pubDate: null, size: 1_500_000 },
    checkedAt: 1,
    progress: null,
    failure: null,
    ...patch,
  };
}

describe('updates', () => {
  it('follows the backend and shows the notes in the agent language', async () => {
    await updates.init();
    expect(updates.ready).toBe(true);
    applyLocale('ar');
    expect(updates.notes).toBe('بحث أسرع.');
    applyLocale('en');
    expect(updates.notes).toBe('Faster search.');
    backend.handlers.get('update')!(view({ available: { version: '0.2.0', notes: { en: 'Only English.' }, pubDate: null, size: null } }));
    applyLocale('ar');
    expect(updates.notes, 'English when there is no Arabic').toBe('Only English.');
    applyLocale('en');
  });

  it('a copy that cannot update itself offers nothing', () => {
    backend.handlers.get('update')!(view({ unavailable: 'from_source' }));
    expect(updates.ready).toBe(false);
  });

  it('names each failure for the dialog', () => {
    backend.handlers.get('update')!(view({ failure: 'signature' }));
    expect(updates.failure).toBe('update-failed-signature');
    backend.handlers.get('update')!(view({ failure: null }));
    expect(updates.failure).toBeNull();
  });

  it('does not install while a reply is being written', async () => {
    backend.handlers.get('update')!(view({}));
    updates.replying = true;
    await updates.install();
    expect(backend.calls).not.toContain('install_update');
    updates.replying = false;
    await updates.install();
    expect(backend.calls).toContain('install_update');
  });
});
