import type { ErrorCode } from './bindings';
import { BackendError } from './ipc';
import { t } from './i18n.svelte';

/** The message id the UI shows for each backend error code. */
const MESSAGE_FOR: Record<ErrorCode, string> = {
  invalid_input: 'error-invalid-input',
  io: 'error-io',
  not_signed_in: 'error-not-signed-in',
  not_found: 'error-not-found',
  unauthorized: 'error-unauthorized',
  unreachable: 'error-unreachable',
  insecure_server: 'error-insecure-server',
  untrusted_certificate: 'error-untrusted-certificate',
  rejected: 'error-rejected',
  keyring_unavailable: 'error-keyring-unavailable',
  passphrase_required: 'error-passphrase-required',
  wrong_key: 'error-wrong-key',
  rate_limited: 'error-rate-limited',
  not_allowed: 'error-not-allowed',
  internal: 'error-internal',
};

/** A translated, user-facing sentence for any failure. */
export function describeError(err: unknown): string {
  if (err instanceof BackendError) return t(MESSAGE_FOR[err.code], { detail: err.message });
  return t('error-internal', { detail: String(err) });
}
