// The package: the generated command is fresh, the declarations match the exports, and
// what `npm pack` would ship.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import * as library from '../lib/port4me.js';
import { OUTPUT, bundle } from '../tools/bundle.js';
import { PACKAGE, have } from './helpers/common.js';

const json = JSON.parse(readFileSync(`${PACKAGE}package.json`, 'utf8'));

test('bin/port4me.cjs is what tools/bundle.js makes of lib/ (run `npm run bundle` after editing lib/)', () => {
  assert.equal(readFileSync(`${PACKAGE}${OUTPUT}`, 'utf8'), bundle());
});

test('package.json: private, not named port4me, ESM, Node 18 or newer, no dependencies, a port4me command', () => {
  assert.equal(json.private, true);
  assert.notEqual(json.name, 'port4me');
  assert.equal(json.type, 'module');
  assert.equal(json.engines.node, '>=18');
  assert.equal(json.dependencies, undefined);
  assert.deepEqual(Object.keys(json.devDependencies).sort(), ['@eslint/js', 'eslint', 'globals']); // the linter only
  assert.equal(json.bin.port4me, OUTPUT);
  assert.equal(json.types, './index.d.ts');
  assert.equal(json.exports['.'].default, './lib/port4me.js');
  assert.equal(json.version, library.VERSION);
});

test('every npm script names files that exist (npm run bench once named a missing bench/startup.js)', () => {
  for (const [name, script] of Object.entries(json.scripts)) {
    for (const file of script.split(/\s+/).filter((word) => /\.(c|m)?js$/.test(word) && !word.includes('*'))) {
      assert.ok(existsSync(`${PACKAGE}${file}`), `npm run ${name}: ${file} does not exist`);
    }
  }
  assert.match(json.scripts.bench, /bench-js/); // the benchmark is the kit's: ratios to the reference, one run
});

test('index.d.ts declares exactly what lib/port4me.js exports', () => {
  const declarations = readFileSync(`${PACKAGE}index.d.ts`, 'utf8');
  const declared = new Set();
  for (const match of declarations.matchAll(/^export (?:declare )?(?:function|const|class) (\w+)/gm)) declared.add(match[1]);
  if (/^export default \w+;/m.test(declarations)) declared.add('default');
  assert.deepEqual([...declared].sort(), Object.keys(library).sort());
});

test('npm pack ships the command, the library, the declarations and the README, and no tests', { skip: have('npm') ? false : 'needs npm' }, () => {
  const result = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts', '--offline'], {
    cwd: PACKAGE,
    encoding: 'utf8',
    env: { ...process.env, npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false' },
  });
  assert.equal(result.status, 0, result.stderr);
  const files = JSON.parse(result.stdout)[0].files.map((file) => file.path).sort();
  assert.deepEqual(files, ['README.md', 'bin/port4me-harness.js', 'bin/port4me.cjs', 'index.d.ts', 'lib/check.js', 'lib/cli.js', 'lib/core.js', 'lib/errors.js', 'lib/port4me.js', 'package.json']);
});
