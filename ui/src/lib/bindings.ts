// Generated from the Rust types in crates/app (src/ipc.rs). Do not edit.
// Regenerate: STEPUP_UPDATE_BINDINGS=1 cargo test -p stepup-app --test bindings

export type Locale = "en" | "ar";
export type Direction = "ltr" | "rtl";
export type ThemePreference = "system" | "light" | "dark";
export type Settings = { 
/**
 * The chosen UI language; `null` follows the OS.
 */
locale: Locale | null, theme: ThemePreference, };
export type SettingsPatch = { 
/**
 * A shipped locale tag (`"en"`, `"ar"`) or `"system"`.
 */
locale?: string, theme?: ThemePreference, };
export type AppInfo = { name: string, version: string, 
/**
 * The UI language in effect (the saved choice, else the OS's).
 */
locale: Locale, direction: Direction, dataDir: string, };
export type ErrorCode = "invalid_input" | "io" | "internal";
export type IpcError = { code: ErrorCode, message: string, };

/** Every backend command: its argument (or `null`) and its result. */
export type Commands = {
  app_info: { args: null; result: AppInfo };
  get_settings: { args: null; result: Settings };
  update_settings: { args: SettingsPatch; result: Settings };
};

/** Every backend event and its payload. */
export type Events = {
  "settings-changed": Settings;
};

export const COMMAND_NAMES = [
  "app_info",
  "get_settings",
  "update_settings",
] as const;
