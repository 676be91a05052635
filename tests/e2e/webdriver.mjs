// A small W3C WebDriver client over fetch, enough to drive the real app
// through tauri-driver, and a launcher for tauri-driver itself.
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const ELEMENT = 'element-6066-11e4-a52e-4f735466cecf';

export async function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** The app's environment for a test: every file under `home`, English OS locale. */
export function appEnv(home, extra = {}) {
  return {
    STEPUP_DATA_DIR: join(home, 'data'),
    XDG_CONFIG_HOME: join(home, 'config'),
    XDG_DATA_HOME: join(home, 'share'),
    LANG: 'en_US.UTF-8',
    LANGUAGE: 'en_US',
    LC_ALL: 'en_US.UTF-8',
    ...extra,
  };
}

/**
 * Starts a WebDriver server on `port` and resolves once its endpoint answers (readiness is the
 * endpoint answering, never a timer); fails if it exits first or 30 s pass. It runs in a process
 * group of its own: stopping it stops what it started too. (An app left running, hidden to the
 * tray when its window closed, would hold the driver's output pipes open and keep the test
 * process from ever exiting.)
 */
async function launchDriver(name, command, args, port, env = process.env) {
  const proc = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  // Only for error messages: the newest 64 KiB. A driver whose browser died can log without end,
  // and the whole of it would outgrow a string (and the test's memory) before anything failed.
  let output = '';
  const keep = (d) => {
    output += d;
    if (output.length > 128 * 1024) output = output.slice(-64 * 1024);
  };
  proc.stdout.on('data', keep);
  proc.stderr.on('data', keep);
  const exited = new Promise((resolve) => proc.on('exit', (code) => resolve(code)));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    const code = await Promise.race([exited, new Promise((r) => setTimeout(() => r(undefined), 100))]);
    if (code !== undefined) throw new Error(`${name} exited (${code}):\n${output}`);
    try {
      const res = await fetch(`${url}/status`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${name} did not start:\n${output}`);
  }
  return {
    url,
    output: () => output,
    async stop() {
      try {
        process.kill(-proc.pid, 'SIGTERM');
      } catch {
        // Already gone.
      }
      await exited;
      proc.stdout.destroy();
      proc.stderr.destroy();
    },
  };
}

/** Starts tauri-driver (the real app, through WebKitWebDriver). */
export async function startDriver({ env }) {
  const port = await freePort();
  const nativePort = await freePort();
  return launchDriver(
    'tauri-driver',
    process.env.TAURI_DRIVER ?? 'tauri-driver',
    ['--port', String(port), '--native-port', String(nativePort)],
    port,
    { ...process.env, ...env },
  );
}

/** Starts ChromeDriver (Debian's chromium-driver): the browser a shop's website visitor uses. */
export async function startChromeDriver() {
  const port = await freePort();
  return launchDriver('chromedriver', process.env.CHROMEDRIVER ?? 'chromedriver', [`--port=${port}`], port);
}

async function request(method, url, body) {
  const res = await fetch(url, {
    method,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await res.json().catch(() => ({}));
  if (!res.ok) {
    const v = json.value ?? {};
    throw new Error(`${method} ${url}: ${res.status} ${v.error ?? ''} ${v.message ?? ''}`);
  }
  return json.value;
}

/** Headless Chromium's capabilities, with a window of the given size and language. */
export function chromium({ width = 1200, height = 800, lang = 'en-US' } = {}) {
  return {
    browserName: 'chrome',
    'goog:chromeOptions': {
      binary: process.env.CHROMIUM ?? '/usr/bin/chromium',
      args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage',
        `--window-size=${width},${height}`, `--lang=${lang}`],
    },
  };
}

/** WebDriver's codes for keys that type no character. */
export const Key = {
  Tab: '\uE004',
  Enter: '\uE007',
  Shift: '\uE008',
  Control: '\uE009',
  Escape: '\uE00C',
  Down: '\uE015',
};

export class Session {
  static async start(driverUrl, application, options = {}) {
    return Session.create(driverUrl, { 'tauri:options': { application } }, options);
  }

  /** A session with any capabilities (a browser through its own driver). */
  static async create(driverUrl, capabilities, { implicitMs = 15_000 } = {}) {
    const value = await request('POST', `${driverUrl}/session`, {
      capabilities: { alwaysMatch: capabilities },
    });
    const session = new Session(`${driverUrl}/session/${value.sessionId}`);
    // Element look-ups wait (up to implicitMs) for the element to appear:
    // this is how the tests wait for the UI, never with sleeps.
    await request('POST', `${session.base}/timeouts`, { implicit: implicitMs, script: 30_000 });
    return session;
  }

  constructor(base) {
    this.base = base;
  }

  async find(css) {
    const value = await request('POST', `${this.base}/element`, { using: 'css selector', value: css });
    return value[ELEMENT];
  }

  async text(css) {
    return request('GET', `${this.base}/element/${await this.find(css)}/text`);
  }

  async click(css) {
    await request('POST', `${this.base}/element/${await this.find(css)}/click`, {});
  }

  async type(css, text) {
    await request('POST', `${this.base}/element/${await this.find(css)}/value`, { text });
  }

  async count(css) {
    const value = await request('POST', `${this.base}/elements`, { using: 'css selector', value: css });
    return value.length;
  }

  async attribute(css, name) {
    return request('GET', `${this.base}/element/${await this.find(css)}/attribute/${name}`);
  }

  async execute(script, args = []) {
    return request('POST', `${this.base}/execute/sync`, { script, args });
  }

  /** Runs an asynchronous script: its last argument is the callback. */
  async executeAsync(script, args = []) {
    return request('POST', `${this.base}/execute/async`, { script, args });
  }

  /**
   * Presses keys as a keyboard does, into whatever has the focus: each item is a string typed
   * one key at a time, or an array of keys held together (`[Key.Control, 'k']`).
   */
  async keys(...items) {
    const actions = [];
    for (const item of items) {
      if (Array.isArray(item)) {
        for (const k of item) actions.push({ type: 'keyDown', value: k });
        for (const k of [...item].reverse()) actions.push({ type: 'keyUp', value: k });
      } else {
        for (const k of item) actions.push({ type: 'keyDown', value: k }, { type: 'keyUp', value: k });
      }
    }
    await request('POST', `${this.base}/actions`, { actions: [{ type: 'key', id: 'keyboard', actions }] });
    await request('DELETE', `${this.base}/actions`);
  }

  /** Counts matching elements now, without waiting for one to appear. */
  async countNow(css) {
    return this.execute('return document.querySelectorAll(arguments[0]).length;', [css]);
  }

  /** Picks an option of a <select> by its value. */
  async select(css, value) {
    await this.click(`${css} option[value="${value}"]`);
  }

  /**
   * Waits until `predicate` (the body of a function returning a boolean,
   * evaluated in the page) holds: checked now and on every DOM change, so
   * it waits on a signal rather than a timer. Fails after the script
   * timeout.
   */
  async waitUntil(predicate, args = []) {
    const script = `
      const done = arguments[arguments.length - 1];
      const args = Array.prototype.slice.call(arguments, 0, -1);
      const check = function () { ${predicate} };
      const ok = () => { try { return check.apply(null, args); } catch { return false; } };
      if (ok()) return done(true);
      const obs = new MutationObserver(() => { if (ok()) { obs.disconnect(); done(true); } });
      obs.observe(document.documentElement, { subtree: true, childList: true, attributes: true, characterData: true });`;
    return request('POST', `${this.base}/execute/async`, { script, args });
  }

  async navigate(url) {
    await request('POST', `${this.base}/url`, { url });
  }

  /** The element a script returns (one inside a shadow root, say), as a WebDriver reference. */
  async elementFrom(script, args = []) {
    const value = await this.execute(script, args);
    if (!value?.[ELEMENT]) throw new Error(`the script returned no element: ${script}`);
    return value;
  }

  async clickElement(ref) {
    await request('POST', `${this.base}/element/${ref[ELEMENT]}/click`, {});
  }

  /** Commands go into this iframe (a reference from `elementFrom`) until `topFrame`. */
  async enterFrame(ref) {
    await request('POST', `${this.base}/frame`, { id: ref });
  }

  async topFrame() {
    await request('POST', `${this.base}/frame`, { id: null });
  }

  /** A plain WebDriver screenshot (a browser paints on its own, unlike the app's web view). */
  async browserScreenshot(path) {
    const png = await request('GET', `${this.base}/screenshot`);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, Buffer.from(png, 'base64'));
  }

  async screenshot(path) {
    // WebKitWebDriver's screenshot waits for the page's next paint, and a page at rest in
    // the app's rendering mode (no accelerated compositing) makes none: keep one 1-pixel,
    // all but transparent element repainting until the screenshot is taken.
    await this.execute(`
      const d = document.createElement('div');
      d.dataset.screenshotNudge = '';
      d.style.cssText = 'position: fixed; inset-block-start: 0; inset-inline-start: 0; inline-size: 1px; block-size: 1px; pointer-events: none';
      document.body.append(d);
      let n = 0;
      const paint = () => {
        if (!d.isConnected) return;
        d.style.background = n++ % 2 ? 'rgba(0, 0, 0, 0.01)' : 'transparent';
        setTimeout(paint, 40);
      };
      paint();`);
    let png;
    try {
      png = await request('GET', `${this.base}/screenshot`);
    } finally {
      await this.execute(`document.querySelectorAll('[data-screenshot-nudge]').forEach((d) => d.remove());`);
    }
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, Buffer.from(png, 'base64'));
  }

  async end() {
    await request('DELETE', this.base);
  }
}
