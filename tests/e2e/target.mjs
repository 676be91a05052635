// Where cargo puts what it builds, as cargo itself says (`cargo metadata`): `CARGO_TARGET_DIR`,
// a `build.target-dir` in a cargo config, or the workspace's `target/`. The end-to-end tests and
// the desktop benchmark find the binaries there, however the target folder is shared.
import { execFileSync } from 'node:child_process';
import { join, resolve } from 'node:path';

export const root = resolve(import.meta.dirname, '../..');

/** The target folder of the cargo workspace in `dir`, with the environment `env`. */
export function cargoTargetDir(dir = root, env = process.env) {
  try {
    const meta = JSON.parse(
      execFileSync('cargo', ['metadata', '--format-version', '1', '--no-deps'], {
        cwd: dir,
        env,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
        maxBuffer: 64 * 1024 * 1024,
      }),
    );
    if (typeof meta.target_directory === 'string') return meta.target_directory;
  } catch {
    // No cargo on this machine (binaries built elsewhere): the variable, or the default.
  }
  return env.CARGO_TARGET_DIR ? resolve(dir, env.CARGO_TARGET_DIR) : join(dir, 'target');
}

export const targetDir = cargoTargetDir();

/** A binary of the workspace built with `profile` (`debug`, `release`). */
export const binary = (profile, name) => join(targetDir, profile, name);
