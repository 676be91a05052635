// Desktop benchmarks: Stepup Desktop beside a minimal Tauri 2 app, built and
// measured the same way in the same run (`./dev bench-desktop`, release
// builds, under Xvfb with a D-Bus session and a keyring).
//
//   node scripts/bench-desktop.mjs [--runs 5] [--minutes 2] [--rate 1]
//     [--only launch,open,scroll,memory] [--debug]
//
// `--debug` measures the debug build instead (what `./dev test` built): the page's own timings
// while working on the UI, never the figures to report.
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
//   scrolling the 10k-row list (through WebDriver, in the page), each with
//   where its time goes (IPC calls, the page's script, the rest);
// - memory last, so that a long run (--minutes 60) comes after the timings.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { Session, appEnv, startDriver } from '../tests/e2e/webdriver.mjs';
import { root, targetDir } from '../tests/e2e/target.mjs';

const release = join(targetDir, process.argv.includes('--debug') ? 'debug' : 'release');
const APP = join(release, 'stepup-desktop');
const MINIMAL = join(release, 'stepup-bench-minimal');
const FIXTURE = join(release, 'desktop-fixture');

function opt(name, fallback) {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}
const RUNS = opt('--runs', 5);
const only = process.argv.indexOf('--only');
const PARTS = new Set((only >= 0 ? process.argv[only + 1] : 'launch,open,scroll,memory').split(','));
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
  // What each process spent on the CPU up to the first screen, read before the app is stopped.
  const cpu = cpuTree(child.pid);
  await stop(child);
  if (screen && m[1] !== screen) throw new Error(`${binary} showed ${m[1]}, not ${screen}`);
  // The app counts from its own start: what comes before it (loading the process and its
  // libraries) is the rest of the time since the spawn.
  return { ms, marks: m[3], before: ms - Number(m[2]), cpu };
}

/** A page script (for executeAsync) that scrolls `selector` by 240 px a frame for 300 frames and
 * answers the gaps between frames and the page's own work in each. */
const scrollFrames = (selector) => `
  const done = arguments[arguments.length - 1];
  const list = document.querySelector('${selector}');
  const gaps = [];
  const scripts = [];
  let last = performance.now();
  let n = 0;
  const step = (now) => {
    gaps.push(now - last);
    last = now;
    list.scrollTop += 240;
    list.dispatchEvent(new Event('scroll'));
    // The page's own work for this frame (the list's scroll handler and the rows it draws anew,
    // up to a forced layout); the rest of a frame is WebKit's style, layout and paint.
    void list.lastElementChild?.getBoundingClientRect();
    scripts.push(performance.now() - now);
    if (++n < 300) requestAnimationFrame(step); else done({ gaps: gaps.slice(1), scripts: scripts.slice(1) });
  };
  requestAnimationFrame(step);`;

let listBox = null;

/** One line of the benchmark's report, on standard output. */
const report = (line) => process.stdout.write(`${line}\n`);

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((xs.length - 1) * p))];

/** A process and all its descendants, the process first. */
function processTree(pid) {
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
  const tree = [];
  const stack = [pid];
  while (stack.length) {
    const p = stack.pop();
    tree.push(p);
    stack.push(...(children.get(p) ?? []));
  }
  return tree;
}

/** PSS in KiB of a process and all its descendants. */
function pssTree(pid) {
  let total = 0;
  const names = [];
  for (const p of processTree(pid)) {
    try {
      const rollup = readFileSync(`/proc/${p}/smaps_rollup`, 'utf8');
      const kib = Number(/^Pss:\s+(\d+)/m.exec(rollup)?.[1] ?? 0);
      total += kib;
      names.push(`${readFileSync(`/proc/${p}/comm`, 'utf8').trim()} ${(kib / 1024).toFixed(0)} MB`);
    } catch {
      // Gone.
    }
  }
  return { kib: total, processes: names };
}

/** The CPU time (ms) each process of an app has used so far: the app's own (`app`), its web
 * process (`web`) and its network process (`network`), each in all its threads and, after a
 * slash, in its main thread alone (where the page's script, style, layout and paint run). */
function cpuTree(pid) {
  const onCpu = (file) => Number(readFileSync(file, 'utf8').split(' ')[0]) / 1e6;
  const cpu = {};
  for (const p of processTree(pid)) {
    try {
      const comm = readFileSync(`/proc/${p}/comm`, 'utf8').trim();
      const role = p === pid ? 'app' : comm.startsWith('WebKitWebProc') ? 'web' : comm.startsWith('WebKitNetwork') ? 'network' : null;
      if (!role) continue;
      let all = 0;
      for (const t of readdirSync(`/proc/${p}/task`)) all += onCpu(`/proc/${p}/task/${t}/schedstat`);
      cpu[role] = { all, main: onCpu(`/proc/${p}/schedstat`) };
    } catch {
      // Gone.
    }
  }
  return cpu;
}

/** The median CPU time of each process over `runs`, as one line. */
function cpuLine(runs) {
  return ['app', 'web', 'network']
    .map((role) => {
      const of = (k) => median(runs.map((r) => r.cpu[role]?.[k] ?? 0)).toFixed(0);
      return `${role} ${of('all')}/${of('main')}`;
    })
    .join(', ');
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

  const cpuEnv = { ...env, WEBKIT_DISABLE_COMPOSITING_MODE: '1' };
  if (PARTS.has('launch')) {
    // Launch: alternate the two apps; the first launch of each warms the disk cache and is dropped.
    const times = { minimal: [], minimalCpu: [], stepup: [] };
    for (let r = 0; r <= RUNS; r++) {
      const m = await launchTime(MINIMAL, env, 'page');
      const c = await launchTime(MINIMAL, cpuEnv, 'page');
      const s = await launchTime(APP, env, 'inbox');
      if (r > 0) {
        times.minimal.push(m.ms);
        times.minimalCpu.push(c);
        times.stepup.push(s);
      }
    }
    const lm = median(times.minimal);
    const medianOf = (runs) => [...runs].sort((a, b) => a.ms - b.ms)[Math.floor(runs.length / 2)];
    const medianCpu = medianOf(times.minimalCpu);
    const lc = medianCpu.ms;
    const medianRun = medianOf(times.stepup);
    const ls = medianRun.ms;
    report(`launch to first screen (median of ${RUNS}): minimal ${lm.toFixed(0)} ms, Stepup (cached inbox) ${ls.toFixed(0)} ms: ${(ls / lm).toFixed(2)}× (goal ≤ 1.1×)`);
    report(`  like for like, the minimal app also without compositing: ${lc.toFixed(0)} ms: Stepup ${(ls / lc).toFixed(2)}× (goal ≤ 1.25×)`);
    report(`  Stepup's median launch, ms after its start (page) and after the page's (the rest): ${medianRun.marks}; its start ${medianRun.before.toFixed(0)} ms after the spawn`);
    report(`  the minimal app's without compositing, the same way: ${medianCpu.marks}; its start ${medianCpu.before.toFixed(0)} ms after the spawn`);
    // Where the difference goes, by process: Stepup's web process runs its page's script (in
    // JavaScriptCore's interpreter), style, layout and paint on its main thread.
    report(`  CPU used up to the first screen (median ms, all threads/main thread): Stepup ${cpuLine(times.stepup)}; the minimal app without compositing ${cpuLine(times.minimalCpu)}`);
    // Every launch, in order: a median hides how often a launch is far off (WebKitGTK without
    // compositing can hold a visible window for half a second before its page's first frame).
    const each = (xs) => xs.map((x) => x.toFixed(0)).join(' ');
    report(`  every launch (ms): minimal ${each(times.minimal)}; without compositing ${each(times.minimalCpu.map((c) => c.ms))}; Stepup ${each(times.stepup.map((s) => s.ms))}`);
  }

  // Opening the big conversation and scrolling the list, measured in the page.
  if (PARTS.has('open') || PARTS.has('scroll')) {
    const driver = await startDriver({ env });
    try {
      const s = await Session.start(driver.url, APP, { implicitMs: 60_000 });
      try {
        await s.find('[data-testid="conversation-row"]');
        // The big conversation is the newest on Telegram (live traffic comes in on Web Chat).
        await s.click('[data-testid="filters-toggle"]');
        await s.select('[data-testid="filter-channel"]', 'telegram');
        await s.find(`[data-testid="conversation-row"][data-id="${big}"]`);
        // Where the time goes: every IPC call the page makes is timed (from the call until its answer
        // is parsed, so the backend's work and the transport), and the moment the messages are in the
        // page's DOM; the rest is style, layout and paint up to the second frame after.
        const open = await s.executeAsync(`
            const done = arguments[arguments.length - 1];
            // Tauri's IPC is a fetch of ipc://localhost/<command> here.
            const fetch0 = window.fetch;
            const calls = [];
            window.fetch = (input, ...rest) => {
            const url = String(input?.url ?? input);
            const t = performance.now();
            const answer = fetch0.call(window, input, ...rest);
            if (url.startsWith('ipc:')) {
              const cmd = decodeURIComponent(url.slice(url.lastIndexOf('/') + 1));
              answer.then((r) => r.clone().arrayBuffer()).then(
                (b) => calls.push({ cmd, from: t - t0, ms: performance.now() - t, kb: b.byteLength / 1024 }),
                () => undefined,
              );
            }
            return answer;
            };
            const t0 = performance.now();
            document.querySelector('[data-testid="conversation-row"][data-id="${big}"]').click();
            // The timeline paints its newest 24 messages first, then draws the rest of its first 80
            // above them (more as the agent scrolls up).
            const drawn = () => document.querySelectorAll('[data-testid="timeline"] [data-testid="message"]').length;
            // Painted: the start of the frame after the one that laid out and painted it (a frame's
            // time, the same for every callback of that frame, whatever other callbacks do).
            const painted = (then) => requestAnimationFrame(() => requestAnimationFrame((frame) => then(frame - t0)));
            let inDom = 0;
            let first = 0;
            let finished = false;
            const check = () => {
            if (!inDom && drawn() >= 24) {
              inDom = performance.now() - t0;
              painted((ms) => (first = ms));
            }
            if (!finished && drawn() >= 80) {
              finished = true;
              obs.disconnect();
              painted((ms) => {
                window.fetch = fetch0;
                const wait = () => (first ? done({ ms: first, all: ms, inDom, calls }) : requestAnimationFrame(wait));
                wait();
              });
            }
            };
            const obs = new MutationObserver(check);
            obs.observe(document.body, { subtree: true, childList: true });`);
        report(
          `opening the 5k-message conversation: its newest 24 messages drawn and painted ${open.ms.toFixed(0)} ms (goal ≤ 100 ms), all 80 of the first step ${open.all.toFixed(0)} ms`,
        );
        const calls = open.calls
          .map((c) => `${c.cmd} ${c.ms.toFixed(0)} ms from ${c.from.toFixed(0)} ms, ${c.kb.toFixed(0)} KB`)
          .join('; ');
        report(`  where it goes: the newest 24 in the page after ${open.inDom.toFixed(0)} ms; IPC calls: ${calls}; the rest is style, layout and paint`);
        await s.select('[data-testid="filter-channel"]', '');
        await s.click('[data-testid="filters-toggle"]');
        await s.waitUntil(`return Number(document.querySelector('[data-testid="conversation-list"]')?.dataset.count) > 9000;`);
        const scrolled = await s.executeAsync(scrollFrames('[data-testid="conversation-list"]'));
        const frames = scrolled.gaps;
        const slow = frames.filter((f) => f > 25).length;
        report(`scrolling the list (300 frames, 240 px a frame): frame time p50 ${pct(frames, 0.5).toFixed(1)} ms, p95 ${pct(frames, 0.95).toFixed(1)} ms, max ${Math.max(...frames).toFixed(1)} ms, ${slow} frames over 25 ms (goal p95 ≤ 16.7 ms, none over 25 ms)`);
        report(`  where it goes: the page's script and layout in a frame p50 ${pct(scrolled.scripts, 0.5).toFixed(1)} ms, p95 ${pct(scrolled.scripts, 0.95).toFixed(1)} ms; the rest is WebKit painting and waiting for the next frame`);
        listBox = await s.execute(`const r = document.querySelector('[data-testid="conversation-list"]').getBoundingClientRect(); return [r.width, r.height];`);
      } finally {
        await s.end();
      }
    } finally {
      await driver.stop();
    }
  }

  // The floor this machine and WebKitGTK set: the minimal app (painting without compositing, as
  // Stepup does) scrolling a list of the same size that holds 10k plain rows and runs no script.
  if (PARTS.has('scroll') && listBox && !process.argv.includes('--debug')) {
    const driver = await startDriver({ env: cpuEnv });
    try {
      const s = await Session.start(driver.url, MINIMAL, { implicitMs: 60_000 });
      try {
        await s.execute(`
          const [w, h] = arguments;
          const list = document.createElement('div');
          list.id = 'floor';
          list.style.cssText = 'position: fixed; inset-block-start: 0; inline-size: ' + w + 'px; block-size: ' + h + 'px; overflow-y: auto; font: 14px sans-serif';
          const rows = [];
          for (let i = 0; i < 10000; i++) rows.push('<div style="block-size: 66px; box-sizing: border-box; padding: 5px 12px; border-block-end: 1px solid #ddd"><b>Customer ' + i + '</b><br>Where is my order? · وين طلبي؟</div>');
          list.innerHTML = rows.join('');
          document.body.append(list);`, listBox);
        const floor = await s.executeAsync(scrollFrames('#floor'));
        report(`  the floor: the minimal app without compositing scrolling 10k plain rows the same way: p50 ${pct(floor.gaps, 0.5).toFixed(1)} ms, p95 ${pct(floor.gaps, 0.95).toFixed(1)} ms, max ${Math.max(...floor.gaps).toFixed(1)} ms, ${floor.gaps.filter((f) => f > 25).length} frames over 25 ms`);
      } finally {
        await s.end();
      }
    } finally {
      await driver.stop();
    }
  }

  if (PARTS.has('memory')) {
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
    // An app that is gone (it crashed, or something ended it) has no memory to measure.
    for (const [child, what] of [[minimal, 'the minimal app'], [minimalCpu, 'the minimal app without compositing'], [stepup, 'Stepup']]) {
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${what} ended (${child.exitCode ?? child.signalCode}) before its memory was measured`);
    }
    const pm = pssTree(minimal.pid);
    const pc = pssTree(minimalCpu.pid);
    const ps = pssTree(stepup.pid);
    fixture.stdin.write('traffic 0.0001\n');
    await Promise.all([stop(minimal), stop(minimalCpu), stop(stepup)]);
    const mb = (kib) => `${(kib / 1024).toFixed(1)} MB`;
    report(`memory (PSS, app + WebKit processes) after ${MINUTES} min of ${RATE} msg/s: minimal ${mb(pm.kib)} [${pm.processes.join(', ')}], Stepup ${mb(ps.kib)} [${ps.processes.join(', ')}]: +${mb(ps.kib - pm.kib)} (goal after an hour ≤ +40 MB)`);
    report(`  like for like, the minimal app also without compositing: ${mb(pc.kib)} [${pc.processes.join(', ')}]: Stepup +${mb(ps.kib - pc.kib)} (goal after an hour ≤ +60 MB)`);
  }
} finally {
  fixture.stdin.end();
  await new Promise((r) => (fixture.exitCode !== null ? r() : fixture.once('exit', r)));
  rmSync(home, { recursive: true, force: true });
}
