// Stepup Web Chat: the chat page the widget frames. It talks to /webchat/v1 on its own origin:
// a session starts with the visitor's first message (its token kept in this origin's storage,
// so the history survives page loads), replies come over a WebSocket, and a message written
// while offline waits and is sent, once, when the connection is back. Everybody's text is set
// as text, in its own direction; nothing from anyone becomes HTML.
(() => {
  'use strict';
  const cfg = JSON.parse(document.getElementById('stepup-webchat').textContent);
  const t = (id) => cfg.strings[id] ?? id;
  const storeKey = `stepup-webchat:${cfg.key ?? ''}`;
  const timeFormat = new Intl.DateTimeFormat(cfg.lang === 'ar' ? 'ar-AE-u-nu-latn' : 'en-GB', {
    hour: 'numeric',
    minute: '2-digit',
  });

  const memory = new Map();
  const storage = {
    get(k) {
      try {
        return localStorage.getItem(k);
      } catch {
        return memory.get(k) ?? null;
      }
    },
    set(k, v) {
      try {
        if (v === null) localStorage.removeItem(k);
        else localStorage.setItem(k, v);
      } catch {
        if (v === null) memory.delete(k);
        else memory.set(k, v);
      }
    },
  };

  /** The visitor's session: `{ token, pending: [{ cid, text, at }] }`. */
  function loadSaved() {
    try {
      const v = JSON.parse(storage.get(storeKey) ?? 'null');
      if (v && typeof v === 'object') return { token: v.token ?? null, pending: Array.isArray(v.pending) ? v.pending : [] };
    } catch {
      // a damaged entry starts a new session
    }
    return { token: null, pending: [] };
  }
  const saved = loadSaved();
  function persist() {
    storage.set(storeKey, JSON.stringify({ token: saved.token, pending: saved.pending }));
  }

  // ---- the page ----
  const el = (tag, props = {}, ...children) => {
    const n = document.createElement(tag);
    for (const [k, v] of Object.entries(props)) {
      if (k === 'testid') n.setAttribute('data-testid', v);
      else if (k in n) n[k] = v;
      else n.setAttribute(k, v);
    }
    n.append(...children);
    return n;
  };

  const title = el('h1', { className: 'title', dir: 'auto' }, cfg.shop || t('webchat-title'));
  const subtitle = el('p', { className: 'subtitle' }, t('webchat-subtitle'));
  const close = el('button', { type: 'button', className: 'close', testid: 'webchat-close', title: t('webchat-close') });
  close.setAttribute('aria-label', t('webchat-close'));
  close.textContent = '×';
  const header = el('header', {}, el('div', { className: 'heading' }, title, subtitle), close);
  const banner = el('p', { className: 'banner', role: 'status', testid: 'webchat-state', hidden: true });
  const empty = el('p', { className: 'empty', testid: 'webchat-empty' }, t('webchat-empty'));
  const log = el('ol', { className: 'log', testid: 'webchat-log', role: 'log' });
  log.setAttribute('aria-live', 'polite');
  const scroller = el('main', {}, empty, log);
  const field = el('textarea', {
    rows: 1,
    dir: 'auto',
    maxLength: cfg.maxLength,
    placeholder: t('webchat-placeholder'),
    testid: 'webchat-input',
  });
  field.setAttribute('aria-label', t('webchat-placeholder'));
  const sendButton = el('button', { type: 'submit', className: 'send', testid: 'webchat-send' }, t('webchat-send'));
  const form = el('form', { className: 'composer' }, field, sendButton);
  document.body.append(header, banner, scroller, form);

  close.addEventListener('click', () => parent.postMessage({ stepup: 'close' }, '*'));

  if (!cfg.available) {
    empty.hidden = true;
    form.hidden = true;
    banner.hidden = false;
    banner.className = 'banner error';
    banner.textContent = t('webchat-unavailable');
    return;
  }

  // ---- messages ----
  /** Rendered messages by id (the server's message id, or `c:<client id>` until stored). */
  const shown = new Map();

  function bubble(id, from, text, at, state) {
    let row = shown.get(id);
    if (!row) {
      row = el('li', { className: `msg ${from}`, testid: 'webchat-message' });
      const who = el('span', { className: 'who' }, from === 'visitor' ? t('webchat-you') : t('webchat-agent'));
      const body = el('p', { className: 'text', dir: 'auto' });
      body.textContent = text;
      const meta = el('span', { className: 'meta' });
      row.append(who, body, meta);
      shown.set(id, row);
      // Keep the log in time order (history and live replies can interleave).
      row.dataset.at = String(at);
      const after = [...log.children].find((r) => Number(r.dataset.at) > at);
      log.insertBefore(row, after ?? null);
    }
    row.dataset.from = from;
    const meta = row.querySelector('.meta');
    const time = timeFormat.format(new Date(at));
    if (state) {
      row.dataset.state = state;
      meta.textContent = `${time} · ${t(`webchat-${state}`)}`;
    } else {
      delete row.dataset.state;
      meta.textContent = time;
    }
    empty.hidden = shown.size > 0;
    scroller.scrollTop = scroller.scrollHeight;
    return row;
  }

  /** A stored message: replaces the pending bubble of `cid` when there is one. */
  function stored(message, cid) {
    const pendingRow = cid ? shown.get(`c:${cid}`) : undefined;
    if (pendingRow && !shown.has(message.message_id)) {
      shown.delete(`c:${cid}`);
      shown.set(message.message_id, pendingRow);
    }
    bubble(message.message_id, message.from, message.text, message.at, message.from === 'visitor' ? 'sent' : null);
  }

  // ---- connection state ----
  let socket = null;
  let online = false;
  let retryIn = 1000;
  let retryTimer = null;
  let flushTimer = null;
  let unreachable = false;

  /** Offline: the browser says so, a request could not reach the cloud, or the stream is down. */
  function showState() {
    const offline = !navigator.onLine || unreachable || (saved.token !== null && !online);
    const connecting = navigator.onLine && !unreachable && socket !== null && !online && retryIn === 1000;
    banner.hidden = !offline;
    banner.className = 'banner';
    banner.textContent = t(connecting ? 'webchat-connecting' : 'webchat-offline');
    document.body.dataset.online = String(!offline);
  }

  function flash(id) {
    banner.hidden = false;
    banner.className = 'banner error';
    banner.textContent = t(id);
    setTimeout(showState, 6000);
  }

  async function api(method, path, body) {
    const headers = { 'content-type': 'application/json' };
    if (saved.token) headers.authorization = `Bearer ${saved.token}`;
    const res = await fetch(path, { method, headers, body: body ? JSON.stringify(body) : undefined });
    const json = await res.json().catch(() => null);
    return { status: res.status, json };
  }

  async function startSession() {
    const r = await api('POST', '/webchat/v1/sessions', { widget_key: cfg.key, language: cfg.lang });
    if (r.status !== 201 || !r.json?.visitor_token) throw Object.assign(new Error('session'), { status: r.status });
    saved.token = r.json.visitor_token;
    persist();
    connect();
  }

  async function loadHistory() {
    if (!saved.token) return;
    const r = await api('GET', '/webchat/v1/messages');
    if (r.status === 401) {
      // The cloud no longer knows this visitor: start afresh with the next message.
      saved.token = null;
      persist();
      return;
    }
    if (r.status !== 200) return;
    for (const m of r.json.messages) {
      if (!shown.has(m.message_id)) bubble(m.message_id, m.from, m.text, m.at, m.from === 'visitor' ? 'sent' : null);
    }
  }

  function connect() {
    if (!saved.token || socket) return;
    clearTimeout(retryTimer);
    const url = new URL('/webchat/v1/stream', location.href);
    url.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
    url.searchParams.set('visitor_token', saved.token);
    const ws = new WebSocket(url.href);
    socket = ws;
    showState();
    ws.onopen = async () => {
      online = true;
      unreachable = false;
      retryIn = 1000;
      showState();
      // Whatever came while the stream was down, then what waited to be sent.
      await loadHistory().catch(() => {});
      void flush();
    };
    ws.onmessage = (e) => {
      let ev;
      try {
        ev = JSON.parse(e.data);
      } catch {
        return;
      }
      if (ev.type === 'reply' && !shown.has(ev.message_id)) {
        bubble(ev.message_id, 'agent', String(ev.text ?? ''), Number(ev.at) || Date.now(), null);
        parent.postMessage({ stepup: 'reply' }, '*');
      }
    };
    ws.onclose = () => {
      socket = null;
      online = false;
      showState();
      if (!saved.token) return;
      retryTimer = setTimeout(connect, retryIn * (0.75 + Math.random() / 2));
      retryIn = Math.min(retryIn * 2, 30_000);
    };
  }

  // ---- sending ----
  let flushing = false;

  /** Sends what waits, oldest first, each with its own client id (a retry is stored once). */
  async function flush() {
    if (flushing) return;
    flushing = true;
    try {
      while (saved.pending.length) {
        const p = saved.pending[0];
        bubble(`c:${p.cid}`, 'visitor', p.text, p.at, 'sending');
        let r;
        try {
          if (!saved.token) await startSession();
          r = await api('POST', '/webchat/v1/messages', { client_message_id: p.cid, text: p.text });
          if (r.status === 401) {
            saved.token = null;
            persist();
            await startSession();
            r = await api('POST', '/webchat/v1/messages', { client_message_id: p.cid, text: p.text });
          }
        } catch {
          // Unreachable: it waits for the connection.
          bubble(`c:${p.cid}`, 'visitor', p.text, p.at, 'queued');
          unreachable = true;
          showState();
          if (!socket) {
            clearTimeout(flushTimer);
            flushTimer = setTimeout(() => void flush(), retryIn);
            retryIn = Math.min(retryIn * 2, 30_000);
          }
          return;
        }
        if (unreachable) {
          unreachable = false;
          showState();
          connect();
        }
        if (r.status === 200) {
          saved.pending.shift();
          persist();
          stored({ message_id: r.json.message_id, from: 'visitor', text: p.text, at: p.at }, p.cid);
          continue;
        }
        if (r.status >= 500) {
          bubble(`c:${p.cid}`, 'visitor', p.text, p.at, 'queued');
          clearTimeout(flushTimer);
          flushTimer = setTimeout(() => void flush(), retryIn);
          return;
        }
        // Refused (too fast, too long): kept on screen, selected to try again.
        saved.pending.shift();
        persist();
        const row = bubble(`c:${p.cid}`, 'visitor', p.text, p.at, 'failed');
        row.tabIndex = 0;
        row.onclick = row.onkeydown = (e) => {
          if (e.type === 'keydown' && e.key !== 'Enter') return;
          row.onclick = row.onkeydown = null;
          saved.pending.push({ ...p });
          persist();
          void flush();
        };
        if (r.status === 429) flash('webchat-too-fast');
      }
    } finally {
      flushing = false;
    }
  }

  function submit() {
    const text = field.value.trim();
    if (!text) return;
    if ([...text].length > cfg.maxLength) {
      flash('webchat-too-long');
      return;
    }
    const cid = crypto.randomUUID ? crypto.randomUUID() : `${Date.now()}-${Math.random().toString(16).slice(2)}`;
    const p = { cid, text, at: Date.now() };
    saved.pending.push(p);
    persist();
    bubble(`c:${cid}`, 'visitor', text, p.at, 'sending');
    field.value = '';
    void flush();
  }

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    submit();
    field.focus();
  });
  field.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      submit();
    }
  });
  window.addEventListener('online', () => {
    showState();
    connect();
    void flush();
  });
  window.addEventListener('offline', showState);
  window.addEventListener('message', (e) => {
    if (e.source === parent && e.data?.stepup === 'opened') field.focus();
  });

  // ---- start ----
  for (const p of saved.pending) bubble(`c:${p.cid}`, 'visitor', p.text, p.at, 'queued');
  showState();
  void loadHistory()
    .catch(() => {})
    .then(() => {
      connect();
      if (saved.pending.length) void flush();
    });
})();
