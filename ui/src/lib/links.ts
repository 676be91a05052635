import { linkEnd, MAX_LINK } from './format';

/** A link from a message as the browser would read it, for the dialog that asks before opening it. */
export type LinkCheck = {
  /** What opens: the address as parsed, without a user name or password (the backend refuses
   * those, and they only serve to disguise the host). */
  href: string;
  /** The host that opens, in ASCII: international names in punycode (`xn--…`). */
  host: string;
  /** The host holds letters outside ASCII (a punycode label): another alphabet, or one letter of
   * it among Latin ones (`аpple.com` with a Cyrillic `а`). */
  mixedScripts: boolean;
  /** The host a reader sees in the text is not the one that opens: other alphabets, a user name
   * before `@`, a backslash, full-width or escaped letters. */
  mismatch: boolean;
};

/** Reads a link the way the browser will (the WHATWG URL parser), or null when it is not a web
 * address (`javascript:`, `file:`, `data:`, …) and must not open. The dialog shows what this
 * returns, never the message's text: the text can look like one site and open another. */
export function inspectLink(text: string): LinkCheck | null {
  const trimmed = text.trim();
  const link = trimmed.slice(0, linkEnd(trimmed, 0, trimmed.length));
  if (!link || link.length > MAX_LINK) return null;
  const candidate = /^www\./i.test(link) ? `https://${link}` : link;
  let url: URL;
  try {
    url = new URL(candidate);
  } catch {
    return null;
  }
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || !url.hostname) return null;
  url.username = '';
  url.password = '';
  const host = url.hostname;
  return {
    href: url.href,
    host,
    mixedScripts: host.split('.').some((label) => label.startsWith('xn--')),
    mismatch: shownHost(candidate) !== host,
  };
}

/** The message the dialog warns with, if any. */
export function linkWarning(link: LinkCheck): 'link-warning-both' | 'link-warning-alphabet' | 'link-warning-mismatch' | null {
  if (link.mixedScripts) return link.mismatch ? 'link-warning-both' : 'link-warning-alphabet';
  return link.mismatch ? 'link-warning-mismatch' : null;
}

/** The host part of a link as a reader takes it in: after the scheme, up to the first `/`, `?`
 * or `#`, lowercased, without a port. Everything the parser reads differently (a user name,
 * a backslash, letters of other alphabets) makes it differ from the parsed host. */
function shownHost(link: string): string {
  const rest = link.replace(/^[a-z][a-z\d+.-]*:\/*/i, '');
  const end = rest.search(/[/?#]/);
  const host = (end < 0 ? rest : rest.slice(0, end)).toLowerCase();
  return host.replace(/:\d*$/, '');
}
