// The release installers' sizes, beside a baseline from the same build: the minimal Tauri app's
// binary (what any Tauri 2 app weighs). Run by `./dev bench-installers` after the release build.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { binary, targetDir } from '../tests/e2e/target.mjs';

const MB = 1_000_000;
const mb = (bytes) => `${(bytes / MB).toFixed(1)} MB`;
const bundle = (kind) => {
  const dir = join(targetDir, 'release', 'bundle', kind);
  const file = existsSync(dir) && readdirSync(dir).find((f) => f.endsWith(`.${kind}`));
  if (!file) throw new Error(`no release .${kind} in ${dir}: run ./dev bench-installers`);
  return join(dir, file);
};

const deb = bundle('deb');
const rpm = bundle('rpm');
const app = statSync(binary('release', 'stepup-desktop')).size;
const minimal = statSync(binary('release', 'stepup-bench-minimal')).size;
const installedKb = Number(execFileSync('dpkg-deb', ['--field', deb, 'Installed-Size'], { encoding: 'utf8' }).trim());

const rows = [
  ['.deb (goal ≤ 10 MB)', mb(statSync(deb).size)],
  ['.rpm', mb(statSync(rpm).size)],
  ['installed (.deb)', mb(installedKb * 1024)],
  ['the app binary (release, stripped)', mb(app)],
  ['baseline: the minimal Tauri app binary, same build', mb(minimal)],
  ['the app over the baseline', mb(app - minimal)],
];
const width = Math.max(...rows.map(([k]) => k.length));
console.log('Installers (release)');
for (const [k, v] of rows) console.log(`  ${k.padEnd(width)}  ${v}`);
