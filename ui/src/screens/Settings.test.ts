// The settings screen with the backend replaced at the one IPC module: the signed-in devices
// (listed, signed out after a confirmation, offline) and an export the workspace refuses.
import { describe, expect, it, vi, beforeEach, afterEach } from 'vitest';
import { render, screen, fireEvent, cleanup, within } from '@testing-library/svelte';
import type { Device, ErrorCode } from '../lib/bindings';

const backend = vi.hoisted(() => ({
  devices: [] as Device[],
  /** The next `devices` / `revoke_device` / `export_data` call fails with this code. */
  fail: {} as Partial<Record<string, ErrorCode>>,
  calls: [] as [string, unknown][],
}));

vi.mock('../lib/ipc', async () => {
  class BackendError extends Error {
    code: string;
    retry_after_secs = null;
    constructor(e: { code: string; message: string }) {
      super(e.message);
      this.code = e.code;
    }
  }
  return {
    BackendError,
    inDesktopApp: () => false,
    boot: () => null,
    on: async () => () => {},
    call: async (cmd: string, args?: unknown) => {
      backend.calls.push([cmd, args]);
      const code = backend.fail[cmd];
      if (code) {
        delete backend.fail[cmd];
        throw new BackendError({ code, message: `${cmd} failed` });
      }
      switch (cmd) {
        case 'accounts':
          return [];
        case 'devices':
          return backend.devices;
        case 'revoke_device':
          backend.devices = backend.devices.filter((d) => d.id !== args);
          return backend.devices;
        case 'export_data':
          return (args as { passphrase?: string }).passphrase
            ? '/home/omar/.local/share/stepup/exports/omar.json.age'
            : '/home/omar/.local/share/stepup/exports/omar.json';
      }
      throw new Error(`unexpected ${cmd}`);
    },
  };
});

const { default: Settings } = await import('./Settings.svelte');
const { app } = await import('../lib/app.svelte');
const { inbox } = await import('../lib/inbox.svelte');
const { applyLocale } = await import('../lib/i18n.svelte');

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
const plain = (el: HTMLElement) => el.textContent?.replace(/[\u2066-\u2069]/g, '').replace(/\s+/g, ' ').trim();

function devices(now = Date.now()): Device[] {
  return [
    { id: 'dev_1', agent_id: 'agt_1', name: 'Omar’s laptop', os: 'Linux', signed_in_at: now - 30 * DAY, last_seen_at: now - 2 * MINUTE, this_device: true },
    { id: 'dev_2', agent_id: 'agt_1', name: 'حاسوب المكتب', os: 'Windows 11', signed_in_at: now - 40 * DAY, last_seen_at: now - 3 * DAY, this_device: false },
    { id: 'dev_3', agent_id: 'agt_1', name: '<b>new</b>', os: 'macOS', signed_in_at: now - 2 * 60 * MINUTE, last_seen_at: null, this_device: false },
  ];
}

beforeEach(() => {
  applyLocale('en');
  backend.devices = devices();
  backend.fail = {};
  backend.calls = [];
  app.error = null;
  inbox.status = { state: 'online', account: 'omar@noor.ae', lastSyncAt: 1, error: null, applied: 0, total: null, erased: null };
});

afterEach(cleanup);

describe('signed-in devices', () => {
  it('lists each device with its system, when it was last active and which is this one', async () => {
    render(Settings);
    const rows = await screen.findAllByTestId('device');
    expect(rows).toHaveLength(3);
    const names = screen.getAllByTestId('device-name');
    expect(names.map((n) => n.textContent)).toEqual(['Omar’s laptop', 'حاسوب المكتب', '<b>new</b>']);
    // Names are the devices' own words: as text, in their own direction.
    expect(names.every((n) => n.getAttribute('dir') === 'auto')).toBe(true);
    expect(rows[2]!.querySelector('b')).toBeNull();
    expect(screen.getAllByTestId('device-os').map((n) => n.textContent)).toEqual(['Linux', 'Windows 11', 'macOS']);
    expect(screen.getAllByTestId('device-seen').map(plain)).toEqual([
      'Last active 2 minutes ago',
      'Last active 3 days ago',
      'Signed in 2 hours ago',
    ]);
    // This computer is marked and cannot be signed out from here; the others can.
    expect(within(rows[0]!).getByTestId('device-this').textContent).toBe('This computer');
    expect(within(rows[0]!).queryByTestId('device-sign-out')).toBeNull();
    expect(within(rows[1]!).queryByTestId('device-this')).toBeNull();
    expect(screen.getAllByTestId('device-sign-out')).toHaveLength(2);
  });

  it('signs a device out after a confirmation and shows the devices left', async () => {
    render(Settings);
    const rows = await screen.findAllByTestId('device');
    await fireEvent.click(within(rows[1]!).getByTestId('device-sign-out'));
    expect(plain(within(rows[1]!).getByTestId('device-confirm'))).toBe(
      'Sign out حاسوب المكتب? Its copy of the inbox will be erased the next time it connects.',
    );
    expect(backend.calls.some(([cmd]) => cmd === 'revoke_device')).toBe(false);
    await fireEvent.click(within(rows[1]!).getByTestId('device-sign-out-confirm'));
    await vi.waitFor(() => expect(screen.getAllByTestId('device')).toHaveLength(2));
    expect(backend.calls).toContainEqual(['revoke_device', 'dev_2']);
    expect(screen.getAllByTestId('device-name').map((n) => n.textContent)).toEqual(['Omar’s laptop', '<b>new</b>']);
    expect(screen.queryByTestId('device-confirm')).toBeNull();
  });

  it('says devices are managed online when the cloud cannot be reached', async () => {
    backend.fail.devices = 'unreachable';
    render(Settings);
    expect((await screen.findByTestId('devices-offline')).textContent).toBe('Devices can be managed when you are online.');
    expect(screen.queryByTestId('devices')).toBeNull();
    expect(app.error).toBeNull();
  });

  it('keeps the list and says so when signing out fails offline; other failures go to the error display', async () => {
    render(Settings);
    let rows = await screen.findAllByTestId('device');
    backend.fail.revoke_device = 'unreachable';
    await fireEvent.click(within(rows[2]!).getByTestId('device-sign-out'));
    await fireEvent.click(within(rows[2]!).getByTestId('device-sign-out-confirm'));
    expect((await screen.findByTestId('devices-offline')).textContent).toBe('Devices can be managed when you are online.');
    expect(screen.getAllByTestId('device')).toHaveLength(3);
    expect(app.error).toBeNull();

    backend.fail.revoke_device = 'rejected';
    rows = screen.getAllByTestId('device');
    await fireEvent.click(within(rows[2]!).getByTestId('device-sign-out-confirm'));
    await vi.waitFor(() => expect(app.error?.replace(/[\u2066-\u2069]/g, '')).toBe('The server refused: revoke_device failed'));
    expect(screen.queryByTestId('devices-offline')).toBeNull();
    expect(screen.getAllByTestId('device')).toHaveLength(3);
  });

  it('speaks Arabic, times included', async () => {
    applyLocale('ar');
    render(Settings);
    const rows = await screen.findAllByTestId('device');
    expect(screen.getByText('الأجهزة المسجَّل دخولها')).toBeTruthy();
    expect(within(rows[0]!).getByTestId('device-this').textContent).toBe('هذا الجهاز');
    expect(screen.getAllByTestId('device-seen').map(plain)).toEqual([
      'آخر نشاط قبل دقيقتين',
      'آخر نشاط قبل 3 أيام',
      'سُجّل الدخول قبل ساعتين',
    ]);
    await fireEvent.click(within(rows[1]!).getByTestId('device-sign-out'));
    expect(plain(within(rows[1]!).getByTestId('device-confirm'))).toBe(
      'هل تريد تسجيل خروج حاسوب المكتب؟ ستُمسح نسخة صندوق الوارد منه في المرة القادمة التي يتصل فيها.',
    );
  });

  it('is not shown with nobody signed in', async () => {
    inbox.status = { ...inbox.status, state: 'signed_out', account: null };
    render(Settings);
    await vi.waitFor(() => expect(backend.calls.some(([cmd]) => cmd === 'accounts')).toBe(true));
    expect(screen.queryByTestId('devices')).toBeNull();
    expect(backend.calls.some(([cmd]) => cmd === 'devices')).toBe(false);
  });
});

describe('data export', () => {
  it('says where the file went', async () => {
    render(Settings);
    await fireEvent.click(screen.getByTestId('export'));
    expect(plain(await screen.findByTestId('exported'))).toBe('Saved to /home/omar/.local/share/stepup/exports/omar.json');
    expect(screen.queryByTestId('export-not-allowed')).toBeNull();
    // Plain JSON: no passphrase asked for, none sent.
    expect(screen.queryByTestId('export-passphrase')).toBeNull();
    expect(backend.calls.filter(([cmd]) => cmd === 'export_data')).toEqual([['export_data', {}]]);
  });

  const exportButton = () => screen.getByTestId('export') as HTMLButtonElement;
  const passphraseField = () => screen.getByTestId('export-passphrase') as HTMLInputElement;
  const typePassphrase = (value: string) => fireEvent.input(passphraseField(), { target: { value } });

  it('encrypts the file with a passphrase of at least 8 characters, then forgets it', async () => {
    render(Settings);
    await fireEvent.click(screen.getByTestId('export-encrypt'));
    expect(screen.getByText('Encrypt the file with a passphrase')).toBeTruthy();
    const field = passphraseField();
    expect(field.type).toBe('password');
    expect(field.getAttribute('autocomplete')).toBe('new-password');
    expect(field.getAttribute('minlength')).toBe('8');
    const hint = screen.getByTestId('export-passphrase-hint');
    expect(plain(hint)).toBe(
      'At least 8 characters. Open the file with the age tool: age -d FILE. Without the passphrase nobody can read it, not even us.',
    );
    expect(hint.querySelector('code')?.textContent).toBe('age -d FILE');
    // The code element isolates the command itself: no stray isolation marks around it.
    expect(hint.textContent).not.toMatch(/[\u2066-\u2069]/);
    expect(hint.querySelector('code')?.getAttribute('dir')).toBe('ltr');
    expect(field.getAttribute('aria-describedby')).toBe('export-passphrase-hint');

    // Empty, then one short: the button waits.
    expect(exportButton().disabled).toBe(true);
    await typePassphrase('seven77');
    expect(exportButton().disabled).toBe(true);
    await typePassphrase('eight888');
    expect(exportButton().disabled).toBe(false);
    await typePassphrase('correct horse');
    await fireEvent.click(exportButton());

    expect(plain(await screen.findByTestId('exported'))).toBe('Saved to /home/omar/.local/share/stepup/exports/omar.json.age');
    expect(backend.calls.filter(([cmd]) => cmd === 'export_data')).toEqual([['export_data', { passphrase: 'correct horse' }]]);
    // The passphrase is not kept; another export asks for it again.
    expect(passphraseField().value).toBe('');
    expect(exportButton().disabled).toBe(true);
  });

  it('counts characters, not UTF-16 units', async () => {
    render(Settings);
    await fireEvent.click(screen.getByTestId('export-encrypt'));
    await typePassphrase('🔑🔑🔑🔑'); // 8 code units, 4 characters
    expect(exportButton().disabled).toBe(true);
    await typePassphrase('كلمة سرّ');
    expect(exportButton().disabled).toBe(false);
  });

  it('drops the passphrase when encryption is turned off and exports plain JSON', async () => {
    render(Settings);
    await fireEvent.click(screen.getByTestId('export-encrypt'));
    await typePassphrase('correct horse');
    await fireEvent.click(screen.getByTestId('export-encrypt'));
    expect(screen.queryByTestId('export-passphrase')).toBeNull();
    expect(exportButton().disabled).toBe(false);
    await fireEvent.click(exportButton());
    await screen.findByTestId('exported');
    expect(backend.calls.filter(([cmd]) => cmd === 'export_data')).toEqual([['export_data', {}]]);
    await fireEvent.click(screen.getByTestId('export-encrypt'));
    expect(passphraseField().value).toBe('');
  });

  it('shows the passphrase rule next to the field when the core refuses the passphrase', async () => {
    backend.fail.export_data = 'invalid_input';
    render(Settings);
    await fireEvent.click(screen.getByTestId('export-encrypt'));
    await typePassphrase('correct horse');
    await fireEvent.click(exportButton());
    const error = await screen.findByTestId('export-passphrase-error');
    expect(error.textContent).toBe('The passphrase must have at least 8 characters.');
    expect(error.getAttribute('role')).toBe('alert');
    expect(passphraseField().getAttribute('aria-invalid')).toBe('true');
    expect(passphraseField().getAttribute('aria-describedby')).toBe('export-passphrase-hint export-passphrase-error');
    // Kept to correct, not cleared; no general error.
    expect(passphraseField().value).toBe('correct horse');
    expect(app.error).toBeNull();
    expect(screen.queryByTestId('exported')).toBeNull();
    // Editing the passphrase takes the message away.
    await typePassphrase('correct horse battery');
    expect(screen.queryByTestId('export-passphrase-error')).toBeNull();
  });

  it('offers encryption in Arabic, the command left to right', async () => {
    applyLocale('ar');
    render(Settings);
    await fireEvent.click(screen.getByTestId('export-encrypt'));
    expect(screen.getByText('شفّر الملف بعبارة مرور')).toBeTruthy();
    expect(screen.getByText('عبارة المرور للملف')).toBeTruthy();
    const hint = screen.getByTestId('export-passphrase-hint');
    expect(plain(hint)).toBe(
      'ثمانية أحرف على الأقل. افتح الملف بأداة age هكذا: age -d الملف. من دون عبارة المرور لا يستطيع أحد قراءته، ولا حتى نحن.',
    );
    const code = hint.querySelector('code');
    expect(code?.textContent).toBe('age -d الملف');
    expect(code?.getAttribute('dir')).toBe('ltr');
    backend.fail.export_data = 'invalid_input';
    await typePassphrase('correct horse');
    await fireEvent.click(exportButton());
    expect((await screen.findByTestId('export-passphrase-error')).textContent).toBe(
      'يجب أن تتكون عبارة المرور من ثمانية أحرف على الأقل.',
    );
  });

  it('says clearly when the workspace does not allow it for the agent’s role', async () => {
    backend.fail.export_data = 'not_allowed';
    render(Settings);
    await fireEvent.click(screen.getByTestId('export'));
    const refused = await screen.findByTestId('export-not-allowed');
    expect(refused.textContent).toBe('Your workspace does not allow exporting data for your role. Ask an admin.');
    expect(refused.getAttribute('role')).toBe('alert');
    expect(screen.queryByTestId('exported')).toBeNull();
    expect(app.error).toBeNull();
  });

  it('says it in Arabic too', async () => {
    applyLocale('ar');
    backend.fail.export_data = 'not_allowed';
    render(Settings);
    await fireEvent.click(screen.getByTestId('export'));
    expect((await screen.findByTestId('export-not-allowed')).textContent).toBe(
      'لا تسمح مساحة العمل بتصدير البيانات للدور المسند إليك. تواصل مع أحد المسؤولين.',
    );
  });
});
