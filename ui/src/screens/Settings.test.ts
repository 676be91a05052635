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
          return '/home/omar/.local/share/stepup/exports/omar.json';
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
