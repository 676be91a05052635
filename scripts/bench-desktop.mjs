// Desktop benchmarks: Stepup Desktop beside a minimal Tauri 2 app, built and
// measured the same way in the same run (`./dev bench-desktop`, release
// builds, under Xvfb with a D-Bus session and a keyring).
//
//   node scripts/bench-desktop.mjs [--runs 5] [--minutes 2] [--rate 1]
//
// - launch: from spawning the process until its first screen is painted
//   (both print `ready <screen> <ms>`; Stepup's first screen is the cached
//   inbox of 10k conversations, and it adds the page's launch marks: when
//   the page started after the process, then its marks after that), median
//   of --runs launches each;
// - memory: PSS summed over the app and its WebKit processes after
//   --minutes of live customer traffic (--rate messages a second), beside
//   the minimal app's after the same time;
// - launch and memory are also given beside the minimal app painting
//   without accelerated compositing, as Stepup does on Linux (like for like);
// - opening the conversation of 5k messages, and frame times while
//   scrolling the 10k-row list (through WebDriver, in the page).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { Session, appEnv, startDriver } from '../tests/e2e/webdriver.mjs';
import { root, targetDir } from '../tests/e2e/target.mjs';

const release = join(targetDir, 'release');
const APP = join(release, 'stepup-desktop');
const MINIMAL = join(release, 'stepup-bench-minimal');
const FIXTURE = join(release, 'desktop-fixture');

function opt(name, fallback) {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}
const RUNS = opt('--runs', 5);
const MINUTES = opt('--minutes', 2);
const RATE = opt('--rate', 1);

/** Resolves with the first stdout line of `child` that matches `re`. */
function lineMatching(child, re, what) {
  return new Promise((resolvePromise, reject) => {
    const rl = createInterface({ input: child.stdout });
    rl.on('line', (line) => {
      const m = re.exec(line);
      if (m) {
        rl.close();
        resolvePromise(m);
      }
    });
    child.once('exit', (code) => reject(new Error(`${what} exited (${code}) before it was ready`)));
  });
}

function launch(binary, env) {
  return spawn(binary, [], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'ignore'], detached: true });
}

async function stop(child) {
  if (child.exitCode !== null) return;
  const done = new Promise((r) => child.once('exit', r));
  try {
    process.kill(-child.pid, 'SIGTERM');
  } catch {
    return;
  }
  await done;
}

/** Milliseconds from spawn until the first screen is painted (and the app's launch marks). */
async function launchTime(binary, env, screen) {
  const t0 = performance.now();
  const child = launch(binary, env);
  const m = await lineMatching(child, /^ready (\S+) (\d+) ?(.*)$/, binary);
  const ms = performance.now() - t0;
  await stop(child);
  if (screen && m[1] !== screen) throw new Error(`${binary} showed ${m[1]}, not ${screen}`);
  return { ms, marks: m[3] };
}

/** One line of the benchmark's report, on standard output. */
const report = (line) => process.stdout.write(`${line}\n`);

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((xs.length - 1) * p))];

/** PSS in KiB of a process and all its descendants. */
function pssTree(pid) {
  const children = new Map();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (!children.has(ppid)) children.set(ppid, []);
      children.get(ppid).push(Number(d));
    } catch {
      // The process ended meanwhile.
    }
  }
  let total = 0;
  const names = [];
  const stack = [pid];
  while (stack.length) {
    const p = stack.pop();
    try {
      const rollup = readFileSync(`/proc/${p}/smaps_rollup`, 'utf8');
      const kib = Number(/^Pss:\s+(\d+)/m.exec(rollup)?.[1] ?? 0);
      total += kib;
      names.push(`${readFileSync(`/proc/${p}/comm`, 'utf8').trim()} ${(kib / 1024).toFixed(0)} MB`);
    } catch {
      // Gone.
    }
    stack.push(...(children.get(p) ?? []));
  }
  return { kib: total, processes: names };
}

const home = mkdtempSync(join(tmpdir(), 'stepup-bench-desktop-'));
const env = { ...appEnv(home), STEPUP_PRINT_READY: '1' };
const fixture = spawn(FIXTURE, ['--data-dir', env.STEPUP_DATA_DIR], { stdio: ['pipe', 'pipe', 'inherit'] });
try {
  const lines = [];
  const rl = createInterface({ input: fixture.stdout });
  await new Promise((r, reject) => {
    rl.on('line', (l) => {
      lines.push(l);
      if (l === 'ready') r();
    });
    fixture.once('exit', (c) => reject(new Error(`the fixture exited (${c})`)));
  });
  const big = lines.find((l) => l.startsWith('big ')).slice(4);
  report(`fixture: 10k conversations and one of 5k messages, cached (${home})`);

  // Launch: alternate the two apps; the first launch of each warms the disk cache and is dropped.
  const cpuEnv = { ...env, WEBKIT_DISABLE_COMPOSITING_MODE: '1' };
  const times = { minimal: [], minimalCpu: [], stepup: [] };
  for (let r = 0; r <= RUNS; r++) {
    const m = await launchTime(MINIMAL, env, 'page');
    const c = await launchTime(MINIMAL, cpuEnv, 'page');
    const s = await launchTime(APP, env, 'inbox');
    if (r > 0) {
      times.minimal.push(m.ms);
      times.minimalCpu.push(c.ms);
      times.stepup.push(s);
    }
  }
  const lm = median(times.minimal);
  const lc = median(times.minimalCpu);
  const medianRun = [...times.stepup].sort((a, b) => a.ms - b.ms)[Math.floor(times.stepup.length / 2)];
  const ls = medianRun.ms;
  report(`launch to first screen (median of ${RUNS}): minimal ${lm.toFixed(0)} ms, Stepup (cached inbox) ${ls.toFixed(0)} ms: ${(ls / lm).toFixed(2)}× (goal ≤ 1.2×)`);
  report(`  like for like, the minimal app also without compositing: ${lc.toFixed(0)} ms: Stepup ${(ls / lc).toFixed(2)}×`);
  report(`  Stepup's median launch, ms after its start (page) and after the page's (the rest): ${medianRun.marks}`);
  // Every launch, in order: a median hides how often a launch is far off (WebKitGTK without
  // compositing can hold a visible window for half a second before its page's first frame).
  const each = (xs) => xs.map((x) => x.toFixed(0)).join(' ');
  report(`  every launch (ms): minimal ${each(times.minimal)}; without compositing ${each(times.minimalCpu)}; Stepup ${each(times.stepup.map((s) => s.ms))}`);

  // Memory after live traffic. Beside the minimal app as it comes, the same app painting
  // without WebKit's accelerated compositing, as Stepup does on Linux (like for like).
  const minimal = launch(MINIMAL, env);
  const minimalCpu = launch(MINIMAL, cpuEnv);
  const stepup = launch(APP, env);
  await Promise.all([
    lineMatching(minimal, /^ready/, 'minimal'),
    lineMatching(minimalCpu, /^ready/, 'minimal'),
    lineMatching(stepup, /^ready/, 'stepup'),
  ]);
  fixture.stdin.write(`traffic ${RATE}\n`);
  await sleep(MINUTES * 60_000);
  const pm = pssTree(minimal.pid);
  const pc = pssTree(minimalCpu.pid);
  const ps = pssTree(stepup.pid);
  fixture.stdin.write('traffic 0.0001\n');
  await Promise.all([stop(minimal), stop(minimalCpu), stop(stepup)]);
  const mb = (kib) => `${(kib / 1024).toFixed(1)} MB`;
  report(`memory (PSS, app + WebKit processes) after ${MINUTES} min of ${RATE} msg/s: minimal ${mb(pm.kib)} [${pm.processes.join(', ')}], Stepup ${mb(ps.kib)} [${ps.processes.join(', ')}]: +${mb(ps.kib - pm.kib)} (goal ≤ +50 MB)`);
  report(`  like for like, the minimal app also without compositing: ${mb(pc.kib)} [${pc.processes.join(', ')}]: Stepup +${mb(ps.kib - pc.kib)}`);

  // Opening the big conversation and scrolling the list, measured in the page.
  const driver = await startDriver({ env });
  try {
    const s = await Session.start(driver.url, APP, { implicitMs: 60_000 });
    try {
      await s.find('[data-testid="conversation-row"]');
      // The big conversation is the newest on Telegram (live traffic comes in on Web Chat).
      await s.click('[data-testid="filters-toggle"]');
      await s.select('[data-testid="filter-channel"]', 'telegram');
      await s.find(`[data-testid="conversation-row"][data-id="${big}"]`);
      const openMs = await s.executeAsync(`
          const done = arguments[arguments.length - 1];
          const t0 = performance.now();
          document.querySelector('[data-testid="conversation-row"][data-id="${big}"]').click();
          // The timeline draws the latest 80 messages first (more as the agent scrolls up).
          const check = () => document.querySelectorAll('[data-testid="timeline"] [data-testid="message"]').length >= 80;
          const finish = () => requestAnimationFrame(() => requestAnimationFrame(() => done(performance.now() - t0)));
          if (check()) return finish();
          const obs = new MutationObserver(() => { if (check()) { obs.disconnect(); finish(); } });
          obs.observe(document.body, { subtree: true, childList: true });`);
      report(`opening the 5k-message conversation (its latest 80 drawn, of the 500 loaded): ${openMs.toFixed(0)} ms`);
      await s.select('[data-testid="filter-channel"]', '');
      await s.click('[data-testid="filters-toggle"]');
      await s.waitUntil(`return Number(document.querySelector('[data-testid="conversation-list"]')?.dataset.count) > 9000;`);
      const frames = await s.executeAsync(`
          const done = arguments[arguments.length - 1];
          const list = document.querySelector('[data-testid="conversation-list"]');
          const gaps = [];
          let last = performance.now();
          let n = 0;
          const step = (now) => {
            gaps.push(now - last);
            last = now;
            list.scrollTop += 240;
            list.dispatchEvent(new Event('scroll'));
            if (++n < 300) requestAnimationFrame(step); else done(gaps.slice(1));
          };
          requestAnimationFrame(step);`);
      const slow = frames.filter((f) => f > 25).length;
      report(`scrolling the list (300 frames, 240 px a frame): frame time p50 ${pct(frames, 0.5).toFixed(1)} ms, p95 ${pct(frames, 0.95).toFixed(1)} ms, max ${Math.max(...frames).toFixed(1)} ms, ${slow} frames over 25 ms`);
    } finally {
      await s.end();
    }
  } finally {
    await driver.stop();
  }
} finally {
  fixture.stdin.end();
  await new Promise((r) => (fixture.exitCode !== null ? r() : fixture.once('exit', r)));
  rmSync(home, { recursive: true, force: true });
}
