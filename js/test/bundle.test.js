// The bundler (tools/bundle.js) rewrites the forms it can rewrite exactly and refuses every
// other one, naming the module and the line: it must never write a command that differs.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { bundleTexts } from '../tools/bundle.js';

const ERRORS = ['lib/errors.js', 'export class Oops extends Error {}\nexport function fail() {\n  throw new Oops();\n}\n'];

function bundled(text, first = ERRORS) {
  return bundleTexts([first, ['lib/cli.js', text.endsWith('\n') ? text : `${text}\n`]]);
}

test('the forms it takes become one CommonJS scope that runs', () => {
  const text = [
    "import { Oops, fail } from './errors.js';",
    "import { createRequire } from 'node:module';",
    "import path from 'node:path';",
    "import {\n  basename,\n  dirname,\n} from 'node:path';",
    'const require2 = createRequire(import.meta.url);',
    'export async function run() {',
    '  try { fail(); } catch (error) { process.stdout.write(`${error instanceof Oops} ${basename(path.join(dirname("/a/b"), "c"))} ${typeof require2}\\n`); }',
    '}',
    '',
  ].join('\n');
  const out = bundled(text);
  assert.match(out, /^const \{ createRequire \} = require\('node:module'\);$/m);
  assert.match(out, /^const path = require\('node:path'\);$/m);
  assert.match(out, /^const \{ basename, dirname \} = require\('node:path'\);$/m);
  assert.doesNotMatch(out, /^\s*(import|export)\b/m);
  const file = join(mkdtempSync(join(tmpdir(), 'port4me-bundle-')), 'bundled.cjs');
  writeFileSync(file, out);
  const ran = spawnSync(process.execPath, [file], { encoding: 'utf8' });
  rmSync(dirname(file), { recursive: true });
  assert.equal(ran.stderr, '');
  assert.equal(ran.stdout, 'true c function\n');
});

const REFUSED = [
  ["import { fail as die } from './errors.js';", /lib\/cli\.js:1: cannot bundle .*renaming \('fail as die'\)/],
  ["import { join as joined } from 'node:path';", /renaming \('join as joined'\)/],
  ["import * as errors from './errors.js';", /only `import \{ names \}/],
  ["import * as fs from 'node:fs';", /only `import \{ names \}/],
  ["import Oops from './errors.js';", /default import of a bundled module/],
  ["import './errors.js';", /only `import \{ names \}/],
  ['import { fail } from "./errors.js";', /only `import \{ names \}/],
  ["import { fail } from './errors.js'\nconst x = 1;", /only `import \{ names \}/],
  ["import { nothing } from './errors.js';", /does not export 'nothing'/],
  ["import { run } from './core.js';", /lib\/core\.js is not bundled before lib\/cli\.js/],
  ["import yaml from 'yaml';", /no dependencies: node: modules only/],
  ["const m = await import('node:fs');", /cannot bundle .*import\('node:fs'\).*not a form/],
  ["const here = new URL('.', import.meta.url);", /import\.meta/],
  ['const a = 1;\nexport { a };', /lib\/cli\.js:2: cannot bundle 'export \{ a \};'/],
  ['export default function run() {}', /export default/],
  ["export * from './errors.js';", /export \*/],
  ['function fail() {}', /'fail' is declared at the top level of lib\/errors\.js too/],
  ["import { readFileSync } from 'node:fs';\nconst readFileSync2 = 1;\nfunction readFileSync() {}", /'readFileSync' is a top-level name of lib\/cli\.js/],
];

for (const [text, message] of REFUSED) {
  test(`refused: ${text.split('\n')[0]}`, () => {
    assert.throws(() => bundled(text), message);
  });
}

test('two modules importing one name from different node: modules are refused', () => {
  const first = ['lib/errors.js', "import { join } from 'node:path';\nexport const a = join('a');\n"];
  assert.throws(() => bundled("import { join } from 'node:path/posix';\n", first), /'join' is a name of node:path in another module/);
  const again = bundleTexts([first, ['lib/cli.js', "import { join } from 'node:path';\nexport const b = join('b');\n"]]);
  assert.equal(again.match(/require\('node:path'\)/g).length, 1); // the same name from the same module: required once
});
