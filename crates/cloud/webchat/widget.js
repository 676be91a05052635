// Stepup Web Chat: the loader a shop puts on its website.
//
//   <script src="https://CLOUD/webchat/widget.js" data-key="wk_…" data-lang="ar" async></script>
//
// It adds a launcher button (in a shadow root, so the page's styles cannot reach it) that opens
// the chat, a page of the cloud's own origin, in an iframe. The page's language comes from
// data-lang, else the page's own <html lang>, else the browser's; Arabic mirrors the widget.
(() => {
  'use strict';
  const script = document.currentScript;
  if (!script || window.__stepupWebchat) return;
  window.__stepupWebchat = true;

  const STRINGS = __STEPUP_STRINGS__;
  const origin = new URL(script.src, location.href).origin;
  const key = script.dataset.key || '';
  const asked = (script.dataset.lang || document.documentElement.lang || navigator.language || 'en').toLowerCase();
  const lang = asked.startsWith('ar') ? 'ar' : 'en';
  const t = STRINGS[lang];
  const dir = lang === 'ar' ? 'rtl' : 'ltr';

  const host = document.createElement('div');
  host.setAttribute('data-stepup-webchat', '');
  const root = host.attachShadow({ mode: 'open' });

  const style = document.createElement('style');
  style.textContent = `
    :host { all: initial; }
    .box { position: fixed; inset-block-end: 20px; inset-inline-end: 20px; z-index: 2147483000;
      display: flex; flex-direction: column; align-items: flex-end; gap: 12px;
      font-family: system-ui, "Noto Sans Arabic", "Noto Sans", sans-serif; }
    iframe { border: 0; border-radius: 16px; background: #fff; color-scheme: normal;
      inline-size: min(380px, calc(100vw - 24px)); block-size: min(580px, calc(100vh - 110px));
      box-shadow: 0 12px 40px rgba(15, 23, 42, 0.25); }
    iframe[hidden] { display: none; }
    button { all: unset; box-sizing: border-box; cursor: pointer; position: relative;
      inline-size: 60px; block-size: 60px; border-radius: 50%; background: #0f766e; color: #fff;
      display: grid; place-items: center; box-shadow: 0 6px 20px rgba(15, 118, 110, 0.45); }
    button:focus-visible { outline: 3px solid #0f172a; outline-offset: 3px; }
    button svg { inline-size: 28px; block-size: 28px; }
    .dot { position: absolute; inset-block-start: 4px; inset-inline-end: 4px; inline-size: 14px;
      block-size: 14px; border-radius: 50%; background: #dc2626; border: 2px solid #fff; }
    .dot[hidden] { display: none; }
    @media (prefers-reduced-motion: no-preference) { button { transition: transform 120ms; }
      button:hover { transform: scale(1.05); } }
  `;

  const box = document.createElement('div');
  box.className = 'box';
  box.dir = dir;
  box.lang = lang;

  const frame = document.createElement('iframe');
  frame.hidden = true;
  frame.title = t['webchat-frame-title'];
  frame.setAttribute('data-testid', 'webchat-frame');
  frame.allow = '';
  frame.referrerPolicy = 'no-referrer';

  const button = document.createElement('button');
  button.type = 'button';
  button.setAttribute('data-testid', 'webchat-launcher');
  button.setAttribute('aria-expanded', 'false');
  const icon = (d) =>
    `<svg viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true"><path d="${d}"/></svg>`;
  const OPEN = icon('M21 12a8 8 0 0 1-11.6 7.1L4 20l1-4.6A8 8 0 1 1 21 12z');
  const CLOSE = icon('M6 6l12 12M18 6L6 18');
  const dot = document.createElement('span');
  dot.className = 'dot';
  dot.hidden = true;
  dot.setAttribute('data-testid', 'webchat-unread');

  // Loaded at once (hidden), so a reply that comes while the chat is closed shows on the button.
  const src = new URL('/webchat/frame', origin);
  if (key) src.searchParams.set('key', key);
  src.searchParams.set('lang', lang);
  frame.src = src.href;

  function show(open) {
    frame.hidden = !open;
    button.setAttribute('aria-expanded', String(open));
    button.setAttribute('aria-label', open ? t['webchat-launcher-close'] : t['webchat-launcher-open']);
    button.title = button.getAttribute('aria-label');
    // The icon is the loader's own markup, never anyone's text.
    button.innerHTML = open ? CLOSE : OPEN;
    button.append(dot);
    if (open) {
      dot.hidden = true;
      frame.contentWindow?.postMessage({ stepup: 'opened' }, origin);
    }
  }

  button.addEventListener('click', () => show(frame.hidden));
  window.addEventListener('message', (e) => {
    if (e.origin !== origin || e.source !== frame.contentWindow || !e.data) return;
    if (e.data.stepup === 'close') {
      show(false);
      button.focus();
    } else if (e.data.stepup === 'reply' && frame.hidden) {
      dot.hidden = false;
      dot.setAttribute('aria-label', t['webchat-new-reply']);
    }
  });

  box.append(frame, button);
  root.append(style, box);
  show(false);
  (document.body || document.documentElement).append(host);
})();
