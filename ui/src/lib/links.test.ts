// The link dialog shows what the browser would open, not what the message's text looks like.
import { describe, expect, it } from 'vitest';
import { segments } from './format';
import { inspectLink, linkWarning } from './links';

describe('inspectLink', () => {
  it('reads a plain web link as it is', () => {
    const link = inspectLink('https://noor.ae/track?o=A-1042');
    expect(link).toEqual({ href: 'https://noor.ae/track?o=A-1042', host: 'noor.ae', mixedScripts: false, mismatch: false });
    expect(linkWarning(link!)).toBeNull();
    expect(inspectLink('http://Noor.AE')).toEqual({ href: 'http://noor.ae/', host: 'noor.ae', mixedScripts: false, mismatch: false });
  });

  it('opens a www. link over https', () => {
    expect(inspectLink('www.noor.ae/offers')).toEqual({ href: 'https://www.noor.ae/offers', host: 'www.noor.ae', mixedScripts: false, mismatch: false });
  });

  it('shows the punycode host of a look-alike with a Cyrillic letter', () => {
    const link = inspectLink('https://\u0430pple.com/login');
    expect(link).toEqual({ href: 'https://xn--pple-43d.com/login', host: 'xn--pple-43d.com', mixedScripts: true, mismatch: true });
    expect(linkWarning(link!)).toBe('link-warning-both');
  });

  it('names the host behind a user name, a backslash or full-width letters', () => {
    const userinfo = inspectLink('https://apple.com@evil.example/');
    expect(userinfo).toEqual({ href: 'https://evil.example/', host: 'evil.example', mixedScripts: false, mismatch: true });
    expect(linkWarning(userinfo!)).toBe('link-warning-mismatch');
    expect(inspectLink('https://apple.com:pw@evil.example/x')?.href).toBe('https://evil.example/x');
    expect(inspectLink('https://evil.example\\@apple.com')).toMatchObject({ host: 'evil.example', mismatch: true });
    expect(inspectLink('https://evil.example\\apple.com')).toMatchObject({ host: 'evil.example', mismatch: true });
    expect(inspectLink('https://\uff41pple.com')).toMatchObject({ host: 'apple.com', mixedScripts: false, mismatch: true });
    expect(inspectLink('http://0x7f.1/')).toMatchObject({ host: '127.0.0.1', mismatch: true });
  });

  it('does not take a port for a different host', () => {
    expect(inspectLink('https://noor.ae:8443/x')).toMatchObject({ host: 'noor.ae', mismatch: false });
  });

  it('refuses what is not a web address', () => {
    for (const bad of [
      'javascript:alert(1)',
      'JavaScript:alert(document.cookie)//https://noor.ae',
      'file:///etc/passwd',
      'data:text/html,<script>alert(1)</script>',
      'ftp://noor.ae/file',
      'https://',
      'not a link',
      '',
      `https://noor.ae/${'a'.repeat(3000)}`,
    ]) {
      expect(inspectLink(bad), bad).toBeNull();
    }
  });

  it('leaves out the punctuation that ends the sentence, as segments() does', () => {
    const text = 'تتبّع طلبك هنا: https://noor.ae/track?o=A-1042. وشكرًا (انظر https://en.wikipedia.org/wiki/Dubai_(city))، https://noor.ae/x؟';
    const links = segments(text)
      .filter((p) => p.link)
      .map((p) => p.text);
    expect(links).toEqual(['https://noor.ae/track?o=A-1042', 'https://en.wikipedia.org/wiki/Dubai_(city)', 'https://noor.ae/x']);
    expect(links.map((l) => inspectLink(l)?.href)).toEqual([
      'https://noor.ae/track?o=A-1042',
      'https://en.wikipedia.org/wiki/Dubai_(city)',
      'https://noor.ae/x',
    ]);
    // Handed the raw text, it trims the same way.
    expect(inspectLink('https://noor.ae/track?o=A-1042.')?.href).toBe('https://noor.ae/track?o=A-1042');
    expect(inspectLink('https://noor.ae,')).toMatchObject({ host: 'noor.ae', mismatch: false });
  });

  it('reads an Arabic domain as punycode', () => {
    const link = inspectLink('https://مثال.إختبار');
    expect(link).toEqual({ href: 'https://xn--mgbh0fb.xn--kgbechtv/', host: 'xn--mgbh0fb.xn--kgbechtv', mixedScripts: true, mismatch: true });
    // Written in punycode, the text shows what opens, but the letters are still another alphabet.
    expect(inspectLink('https://xn--mgbh0fb.xn--kgbechtv/')).toMatchObject({ mixedScripts: true, mismatch: false });
    expect(linkWarning(inspectLink('https://xn--mgbh0fb.xn--kgbechtv/')!)).toBe('link-warning-alphabet');
  });
});
