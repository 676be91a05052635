// The one module that talks to the Tauri runtime. Everything else in the UI
// calls `call` and `on` with names and types generated from Rust
// (./bindings.ts), and receives failures as typed `IpcError`s.
import { invoke, isTauri } from '@tauri-apps/api/core';
import { listen, type UnlistenFn } from '@tauri-apps/api/event';
import type { Boot, BootCall, Commands, ErrorCode, Events, IpcError } from './bindings';

export type CommandName = keyof Commands;
export type Args<K extends CommandName> = Commands[K]['args'];
export type Result<K extends CommandName> = Commands[K]['result'];

/** A backend failure, with the closed set of codes from Rust. */
export class BackendError extends Error implements IpcError {
  readonly code: ErrorCode;
  readonly retry_after_secs: number | null;
  constructor(err: Omit<IpcError, 'retry_after_secs'> & { retry_after_secs?: number | null }) {
    super(err.message);
    this.code = err.code;
    this.retry_after_secs = err.retry_after_secs ?? null;
  }
}

function isIpcError(value: unknown): value is IpcError {
  return typeof value === 'object' && value !== null && 'code' in value && 'message' in value;
}

/** True inside the desktop app, false in a plain browser or a unit test. */
export const inDesktopApp: () => boolean = isTauri;

/** JSON with every object's keys in order, to compare arguments however they were built. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

/** A call the boot script made as the page began to load, with its answer on the way. */
type Asked = BootCall & { answer?: Promise<unknown> };
let asked: Asked[] | null = null;

/** The answer to a call the boot script already made with the same arguments, once. Only the
 * calls of the page's first task take them: a later call wants a fresh answer. */
function takeAsked(cmd: string, args: unknown): Promise<unknown> | null {
  if (asked === null) {
    asked = [...((boot()?.ask ?? []) as Asked[])];
    setTimeout(() => (asked = []), 0);
  }
  const key = canonical(args);
  const i = asked.findIndex((a) => a.cmd === cmd && a.answer && canonical(a.args) === key);
  return i < 0 ? null : (asked.splice(i, 1)[0]?.answer ?? null);
}

/** Calls a backend command. Rejects with a `BackendError`. */
export async function call<K extends CommandName>(
  cmd: K,
  ...args: Args<K> extends null ? [] : [Args<K>]
): Promise<Result<K>> {
  try {
    const early = takeAsked(cmd, args.length ? args[0] : null) as Promise<Result<K>> | null;
    return await (early ?? invoke<Result<K>>(cmd, args.length ? { args: args[0] } : {}));
  } catch (err) {
    if (isIpcError(err)) throw new BackendError(err);
    throw new BackendError({ code: 'internal', message: String(err) });
  }
}

/** Subscribes to a backend event; returns the function that unsubscribes. */
export function on<E extends keyof Events>(
  event: E,
  handler: (payload: Events[E]) => void,
): Promise<UnlistenFn> {
  return listen<Events[E]>(event, (e) => handler(e.payload));
}

/** What the backend handed the page before its scripts ran (`window.__STEPUP_BOOT__`), for
 * the first paint; null outside the desktop app. */
export function boot(): Boot | null {
  return (globalThis as { __STEPUP_BOOT__?: Boot }).__STEPUP_BOOT__ ?? null;
}
