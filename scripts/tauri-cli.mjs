// Runs the Tauri CLI (dev, build, bundle, icon, info…) against the single
// tauri.conf.json at the workspace root.
//
// The CLI insists on a config file beside the app crate's Cargo.toml and
// resolves its paths from there, while the app's build script and
// generate_context! read the root file. So for the CLI's run only, this
// writes src-tauri/tauri.conf.json (git-ignored) from the root file with its
// paths rebased onto src-tauri/, runs the CLI, and removes it again.
//
//   npm --prefix ui run tauri -- build            # release build + installers
//   npm --prefix ui run tauri -- build --bundles deb
//   npm --prefix ui run tauri -- dev
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const appDir = join(root, 'src-tauri');
const uiDir = join(root, 'ui');
const generated = join(appDir, 'tauri.conf.json');

const rebase = (p) => (isAbsolute(p) || /^[a-z]+:\/\//.test(p) ? p : relative(appDir, join(root, p)));

const conf = JSON.parse(readFileSync(join(root, 'tauri.conf.json'), 'utf8'));
if (typeof conf.build?.frontendDist === 'string') conf.build.frontendDist = rebase(conf.build.frontendDist);
if (Array.isArray(conf.bundle?.icon)) conf.bundle.icon = conf.bundle.icon.map(rebase);
for (const kind of ['deb', 'rpm']) {
  const pkg = conf.bundle?.linux?.[kind];
  if (typeof pkg?.desktopTemplate === 'string') pkg.desktopTemplate = rebase(pkg.desktopTemplate);
}
for (const key of ['beforeDevCommand', 'beforeBuildCommand']) {
  const cmd = conf.build?.[key];
  if (cmd && typeof cmd === 'object' && cmd.cwd) cmd.cwd = uiDir;
}

writeFileSync(generated, JSON.stringify(conf, null, 2));
let status = 1;
try {
  const result = spawnSync('npx', ['--no-install', 'tauri', ...process.argv.slice(2)], {
    cwd: uiDir,
    stdio: 'inherit',
    env: { ...process.env, TAURI_APP_PATH: appDir, TAURI_FRONTEND_PATH: uiDir },
  });
  status = result.status ?? 1;
} finally {
  rmSync(generated, { force: true });
}
process.exit(status);
