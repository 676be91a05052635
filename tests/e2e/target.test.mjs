// The tests and the desktop benchmark find the binaries where cargo puts them, however the
// target folder is set: the variable, a cargo config, or the default.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cargoTargetDir, root } from './target.mjs';

test('the target folder is where cargo puts it', () => {
  const { CARGO_TARGET_DIR: _, ...env } = process.env;
  assert.equal(cargoTargetDir(root, env), join(root, 'target'));
  assert.equal(cargoTargetDir(root, { ...env, CARGO_TARGET_DIR: '/srv/shared-target' }), '/srv/shared-target');
  assert.equal(cargoTargetDir(root, { ...env, CARGO_TARGET_DIR: 'build/out' }), join(root, 'build/out'));

  // A workspace whose cargo config names its target folder.
  const ws = mkdtempSync(join(tmpdir(), 'stepup-target-'));
  try {
    mkdirSync(join(ws, 'src'));
    mkdirSync(join(ws, '.cargo'));
    writeFileSync(join(ws, 'Cargo.toml'), '[package]\nname = "probe"\nversion = "0.1.0"\nedition = "2021"\n');
    writeFileSync(join(ws, 'src/lib.rs'), '');
    writeFileSync(join(ws, '.cargo/config.toml'), '[build]\ntarget-dir = "elsewhere"\n');
    assert.equal(cargoTargetDir(ws, env), join(ws, 'elsewhere'));
  } finally {
    rmSync(ws, { recursive: true, force: true });
  }
});
