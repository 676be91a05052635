// The shell as a component, with the backend replaced at the one IPC module.
import { describe, expect, it, vi, beforeEach, afterEach } from 'vitest';
import { render, screen, fireEvent, cleanup } from '@testing-library/svelte';
import { tick } from 'svelte';
import type { Settings, SyncStatus } from './lib/bindings';

const SIGNED_OUT: SyncStatus = { state: 'signed_out', account: null, lastSyncAt: null, error: null, applied: 0, total: null, erased: null };

const backend = vi.hoisted(() => ({
  settings: { locale: null, theme: 'system' } as unknown as Settings,
  failNext: false,
  opened: [] as unknown[],
  /** What `sync_status` and `first_screen` answer (signed out unless a test says otherwise). */
  status: null as SyncStatus | null,
  handlers: new Map<string, (payload: unknown) => void>(),
}));

vi.mock('./lib/ipc', async () => {
  class BackendError extends Error {
    code: string;
    constructor(e: { code: string; message: string }) {
      super(e.message);
      this.code = e.code;
    }
  }
  return {
    BackendError,
    inDesktopApp: () => false,
    boot: () => null,
    on: async (event: string, handler: (payload: unknown) => void) => {
      backend.handlers.set(event, handler);
      return () => {};
    },
    call: async (cmd: string, args?: { locale?: string; theme?: Settings['theme']; password?: string; passphrase?: string }) => {
      const locale = backend.settings.locale ?? 'en';
      switch (cmd) {
        case 'app_info':
          return { name: 'Stepup', version: '0.1.0', locale, direction: locale === 'ar' ? 'rtl' : 'ltr', dataDir: '/d' };
        case 'get_settings':
          return backend.settings;
        case 'accounts':
          return [];
        case 'sign_in':
          if (args?.password === 'wrong') throw new BackendError({ code: 'unauthorized', message: 'wrong email or password' });
          if (!args?.passphrase) throw new BackendError({ code: 'keyring_unavailable', message: 'no Secret Service' });
          throw new BackendError({ code: 'unreachable', message: 'connection refused' });
        case 'sync_status':
          return backend.status;
        case 'first_screen':
          return { status: backend.status, page: null };
        case 'open_link':
          backend.opened.push(args);
          return null;
        case 'update_settings':
          if (backend.failNext) {
            backend.failNext = false;
            throw new BackendError({ code: 'io', message: 'disk full' });
          }
          if (args?.locale) backend.settings = { ...backend.settings, locale: args.locale === 'system' ? null : (args.locale as Settings['locale']) };
          if (args?.theme) backend.settings = { ...backend.settings, theme: args.theme };
          return backend.settings;
      }
      throw new Error(`unexpected ${cmd}`);
    },
  };
});

const { default: App } = await import('./App.svelte');
const { app, defaultSettings } = await import('./lib/app.svelte');
const { inbox } = await import('./lib/inbox.svelte');
const { t } = await import('./lib/i18n.svelte');

beforeEach(async () => {
  backend.settings = defaultSettings();
  backend.opened = [];
  backend.status = SIGNED_OUT;
  inbox.status = SIGNED_OUT;
  inbox.pendingLink = null;
  await app.init();
  app.screen = 'inbox';
  app.error = null;
});

afterEach(cleanup);

describe('the shell', () => {
  it('starts in English and flips to Arabic live', async () => {
    render(App);
    expect(document.documentElement.dir).toBe('ltr');
    expect(screen.getByTestId('nav-inbox').textContent).toContain('Inbox');
    await fireEvent.click(screen.getByTestId('language-switch'));
    await vi.waitFor(() => expect(document.documentElement.dir).toBe('rtl'));
    expect(document.documentElement.lang).toBe('ar');
    expect(screen.getByTestId('nav-inbox').textContent).toContain('صندوق الوارد');
    expect(backend.settings.locale).toBe('ar');
  });

  it('shows a translated error and rolls the language back when saving fails', async () => {
    render(App);
    backend.failNext = true;
    await fireEvent.click(screen.getByTestId('language-switch'));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent?.replace(/[\u2066-\u2069]/g, '')).toContain(
      'The app could not read or write its files: disk full',
    );
    expect(document.documentElement.dir).toBe('ltr');
  });

  it('offers the demo while nobody is signed in', async () => {
    render(App);
    const button = await screen.findByTestId('try-demo');
    expect(button.textContent).toContain('Try the demo');
  });

  it('signs in with clear errors: wrong password, no keyring, unreachable', async () => {
    render(App);
    await fireEvent.input(await screen.findByTestId('signin-server'), { target: { value: 'https://cloud.example' } });
    await fireEvent.input(screen.getByTestId('signin-email'), { target: { value: 'omar@noor.ae' } });
    await fireEvent.input(screen.getByTestId('signin-password'), { target: { value: 'wrong' } });
    await fireEvent.click(screen.getByTestId('signin-submit'));
    expect((await screen.findByTestId('signin-error')).textContent).toBe('The email or password is wrong.');
    expect(screen.queryByTestId('signin-passphrase')).toBeNull();

    await fireEvent.input(screen.getByTestId('signin-password'), { target: { value: 'right' } });
    await fireEvent.click(screen.getByTestId('signin-submit'));
    // No keyring: the passphrase choice appears, already ticked.
    const passphrase = await screen.findByTestId('signin-passphrase');
    expect((screen.getByTestId('signin-use-passphrase') as HTMLInputElement).checked).toBe(true);
    expect(screen.getByTestId('signin-error').textContent).toContain('no usable keyring');

    await fireEvent.input(passphrase, { target: { value: 'a long passphrase' } });
    await fireEvent.click(screen.getByTestId('signin-submit'));
    await vi.waitFor(() =>
      expect(screen.getByTestId('signin-error').textContent).toBe(
        'The server cannot be reached. Check the address and your connection.',
      ),
    );
  });

  it('navigates between screens and applies the theme', async () => {
    render(App);
    await fireEvent.click(screen.getByTestId('nav-settings'));
    await tick();
    expect(screen.getByTestId('screen-settings')).toBeTruthy();
    // The settings screen is loaded apart from the start's script.
    await fireEvent.click(await screen.findByTestId('theme-dark'));
    await vi.waitFor(() => expect(document.documentElement.dataset.theme).toBe('dark'));
    await fireEvent.click(screen.getByTestId('theme-system'));
    await vi.waitFor(() => expect(document.documentElement.dataset.theme).toBeUndefined());
  });
});

describe('the link dialog', () => {
  const plain = (el: HTMLElement) => el.textContent?.replace(/[\u2068\u2069]/g, '');

  it('names the host that opens, warns of a look-alike and opens what it names', async () => {
    render(App);
    inbox.pendingLink = 'https://\u0430pple.com/login';
    const host = await screen.findByTestId('link-host');
    expect(host.textContent).toBe('xn--pple-43d.com');
    expect(host.getAttribute('dir')).toBe('ltr');
    expect(plain(screen.getByTestId('link-warning'))).toBe(
      'This address holds letters from other alphabets and is not the one the text shows: it opens xn--pple-43d.com.',
    );
    await fireEvent.click(screen.getByTestId('link-open'));
    await vi.waitFor(() => expect(backend.opened).toEqual(['https://xn--pple-43d.com/login']));
    expect(screen.queryByTestId('link-check')).toBeNull();
  });

  it('opens a plain link without a warning', async () => {
    render(App);
    inbox.pendingLink = 'https://noor.ae/track?o=A-1042';
    expect((await screen.findByTestId('link-host')).textContent).toBe('noor.ae');
    expect(screen.queryByTestId('link-warning')).toBeNull();
    await fireEvent.click(screen.getByTestId('link-open'));
    await vi.waitFor(() => expect(backend.opened).toEqual(['https://noor.ae/track?o=A-1042']));
  });

  it('warns in Arabic of the host behind a user name, the host left-to-right', async () => {
    render(App);
    await fireEvent.click(screen.getByTestId('language-switch'));
    await vi.waitFor(() => expect(document.documentElement.dir).toBe('rtl'));
    inbox.pendingLink = 'https://apple.com@evil.example/';
    const host = await screen.findByTestId('link-host');
    expect(host.textContent).toBe('evil.example');
    expect(host.getAttribute('dir')).toBe('ltr');
    expect(plain(screen.getByTestId('link-warning'))).toBe('هذا العنوان لا يطابق ما يظهر في النص: سيُفتح الموقع evil.example.');
    await fireEvent.click(screen.getByTestId('link-open'));
    await vi.waitFor(() => expect(backend.opened).toEqual(['https://evil.example/']));
  });

  it('says what is not a web address cannot be opened', async () => {
    render(App);
    inbox.pendingLink = 'javascript:alert(1)';
    expect(plain(await screen.findByTestId('link-invalid'))).toBe(
      'This link cannot be opened: only web addresses (http or https) open from messages.',
    );
    expect(screen.queryByTestId('link-open')).toBeNull();
    expect(screen.queryByTestId('link-host')).toBeNull();
  });
});

describe('the screen after the workspace signed this computer out', () => {
  const plain = (el: HTMLElement) => el.textContent?.replace(/[\u2066-\u2069]/g, '').trim();
  const erased = (unsent: number): SyncStatus => ({
    ...SIGNED_OUT,
    state: 'erased',
    account: 'omar@noor.ae',
    erased: { unsent, unsentFile: unsent > 0 ? '/home/omar/.local/share/stepup/unsent/omar@noor.ae.json' : null },
  });

  it('says what happened and where the unsent messages went, then goes to the sign-in form', async () => {
    backend.status = erased(3);
    render(App);
    const shown = await screen.findByTestId('erased');
    expect(screen.getByTestId('screen-erased')).toBeTruthy();
    expect(shown.querySelector('h1')?.textContent).toBe('This computer was signed out');
    expect(plain(screen.getByTestId('erased-body'))).toBe(
      'Your workspace signed this computer out of omar@noor.ae. Its conversations, files and keys were erased from it.',
    );
    expect(plain(screen.getByTestId('erased-unsent'))).toBe(
      '3 unsent messages were saved to /home/omar/.local/share/stepup/unsent/omar@noor.ae.json',
    );
    // Neither the inbox nor the sign-in form meanwhile.
    expect(screen.queryByTestId('signin')).toBeNull();

    await fireEvent.click(screen.getByTestId('erased-sign-in'));
    expect(await screen.findByTestId('signin-server')).toBeTruthy();
    expect(screen.queryByTestId('erased')).toBeNull();
    // The inbox loads again (the backend still says erased): the sign-in form stays.
    await tick();
    await vi.waitFor(() => expect(screen.getByTestId('signin')).toBeTruthy());
    expect(screen.queryByTestId('erased')).toBeNull();
    expect(inbox.signedIn).toBe(false);
  });

  it('replaces whatever screen is open', async () => {
    render(App);
    await fireEvent.click(screen.getByTestId('nav-settings'));
    await tick();
    // As the backend tells it, while the agent is in the settings.
    backend.status = erased(0);
    backend.handlers.get('inbox')!({ type: 'status', status: erased(0) });
    expect(await screen.findByTestId('erased')).toBeTruthy();
    // Nothing was left unsent: no line about it.
    expect(screen.queryByTestId('erased-unsent')).toBeNull();
    await fireEvent.click(screen.getByTestId('erased-sign-in'));
    expect(await screen.findByTestId('signin')).toBeTruthy();
    expect(app.screen).toBe('inbox');
  });

  it('speaks Arabic, with the right plural for the unsent messages', async () => {
    backend.status = erased(2);
    render(App);
    await screen.findByTestId('erased');
    await fireEvent.click(screen.getByTestId('language-switch'));
    await vi.waitFor(() => expect(document.documentElement.dir).toBe('rtl'));
    expect(screen.getByTestId('erased').querySelector('h1')?.textContent).toBe('تم تسجيل خروج هذا الجهاز');
    expect(plain(screen.getByTestId('erased-body'))).toBe(
      'سجّلت مساحة عملك خروج هذا الجهاز من الحساب omar@noor.ae، ومُسحت منه المحادثات والملفات والمفاتيح.',
    );
    const file = '/home/omar/.local/share/stepup/unsent/omar@noor.ae.json';
    expect(plain(screen.getByTestId('erased-unsent'))).toBe(`حُفظت رسالتان غير مُرسلتين في الملف ${file}`);
    const unsent = (count: number) => t('erased-unsent', { count, file }).replace(/[\u2066-\u2069]/g, '');
    expect(unsent(1)).toBe(`حُفظت رسالة واحدة غير مُرسلة في الملف ${file}`);
    expect(unsent(3)).toBe(`حُفظت 3 رسائل غير مُرسلة في الملف ${file}`);
    expect(unsent(11)).toBe(`حُفظت 11 رسالة غير مُرسلة في الملف ${file}`);
    expect(unsent(100)).toBe(`حُفظت 100 رسالة غير مُرسلة في الملف ${file}`);
    expect(screen.getByTestId('erased-sign-in').textContent).toBe('تسجيل الدخول مرة أخرى');
    await fireEvent.click(screen.getByTestId('erased-sign-in'));
    expect(await screen.findByTestId('signin')).toBeTruthy();
  });
});
