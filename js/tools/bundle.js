#!/usr/bin/env node
// Writes bin/port4me.cjs, the command, from the ES modules in lib/: one CommonJS file.
// Node starts one CommonJS file faster than a graph of ES modules (no ESM loader, one
// read, one compile); README.md ("Start-up") has the measurements. The library stays ESM.
//
//   node tools/bundle.js          write bin/port4me.cjs
//   node tools/bundle.js --check  exit 1 if bin/port4me.cjs is not what this would write
//
// The rewriting is textual, so it takes only the forms it can rewrite exactly and refuses
// every other one with the module and the line, rather than write a command that differs:
//   import { a, b } from './module.js';   a module bundled before this one, exporting a and b
//   import { a, b } from 'node:name';     becomes const { a, b } = require('node:name');
//   import name from 'node:name';         becomes const name = require('node:name');
//   export function|async function|class|const|let NAME ...   the export keyword dropped
//   createRequire(import.meta.url)        becomes createRequire(__filename) (a path is as good here)
// Refused: renaming (`as`), namespace and default imports of modules, side-effect imports,
// dynamic import(), other uses of import.meta, export lists, default and re-exports, and two
// modules declaring one top-level name (one scope in the bundle: one would silently win).

import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const MODULES = ['lib/errors.js', 'lib/check.js', 'lib/core.js', 'lib/cli.js']; // each after what it imports
export const OUTPUT = 'bin/port4me.cjs';

const IMPORT = /^import\b[\s\S]*?;[ \t]*(?:\n|$)/gm; // every import statement at the start of a line, to its semicolon
const FORM = /^import\s+(?:\{([^}]*)\}|([A-Za-z_$][\w$]*))\s+from\s+'([^']+)';[ \t]*\n?$/;
const EXPORTED = /^export\s+(?:async\s+function\*?|function\*?|class|const|let)\s+([A-Za-z_$][\w$]*)/gm;
const DECLARED = /^(?:export\s+)?(?:async\s+function\*?|function\*?|class|const|let|var)\s+([A-Za-z_$][\w$]*)/gm;
const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/** Refuse, naming the module and the line of what cannot be rewritten. */
function refuse(path, text, index, why) {
  const line = text.slice(0, index).split('\n').length;
  const shown = text.slice(index).split('\n')[0].trim();
  throw new Error(`${path}:${line}: cannot bundle '${shown}': ${why}`);
}

function names(path, text, index, list) {
  const found = list.split(',').map((name) => name.trim()).filter(Boolean);
  for (const name of found) {
    if (!IDENTIFIER.test(name)) refuse(path, text, index, `renaming ('${name}') is not supported: import the name as exported`);
  }
  return found;
}

/**
 * The bundle's text from modules given as [path, text] pairs, in order (each after what it
 * imports). Throws an Error naming the module and line of anything it cannot rewrite exactly.
 */
export function bundleTexts(modules) {
  const exported = new Map(); // module path -> the names it exports
  const declared = new Map(); // top-level name -> the module that declares it
  const required = new Map(); // local name -> 'node:...' module it is required from
  const parts = [];
  for (const [path, text] of modules) {
    for (const match of text.matchAll(DECLARED)) {
      const other = declared.get(match[1]);
      if (other) refuse(path, text, match.index, `'${match[1]}' is declared at the top level of ${other} too`);
      declared.set(match[1], path);
    }
    let body = text.replace(IMPORT, (statement, index) => {
      const form = FORM.exec(statement);
      if (!form) refuse(path, text, index, "only `import { names } from '...'` (or a default import of a node: module)");
      const [, list, single, from] = form;
      if (from.startsWith('./')) {
        const target = `lib/${from.slice(2)}`;
        if (!exported.has(target)) refuse(path, text, index, `${target} is not bundled before ${path} (see MODULES)`);
        if (single) refuse(path, text, index, 'a default import of a bundled module: the modules have no default exports');
        for (const name of names(path, text, index, list)) {
          if (!exported.get(target).has(name)) refuse(path, text, index, `${target} does not export '${name}'`);
        }
        return '';
      }
      if (!from.startsWith('node:')) refuse(path, text, index, 'the command has no dependencies: node: modules only');
      const imported = single ? [single] : names(path, text, index, list);
      const how = `${single ? 'the default of' : 'a name of'} ${from}`;
      for (const name of imported) {
        const other = required.get(name);
        if (other !== undefined && other !== how) refuse(path, text, index, `'${name}' is ${other} in another module`);
        if (other === undefined && declared.has(name)) refuse(path, text, index, `'${name}' is a top-level name of ${declared.get(name)}`);
        required.set(name, how);
        declared.set(name, path);
      }
      const fresh = imported.filter((name) => !parts.some((part) => part.requires.includes(name)));
      if (fresh.length === 0) return '';
      return single ? `const ${single} = require('${from}');\n` : `const { ${fresh.join(', ')} } = require('${from}');\n`;
    });
    body = body.replaceAll('createRequire(import.meta.url)', 'createRequire(__filename)');
    const left =
      /^\s*export\b.*$/m.exec(body.replace(EXPORTED, '')) ??
      /\bimport\s*\(/.exec(body) ??
      /\bimport\.meta\b/.exec(body) ??
      /^\s*import\b.*$/m.exec(body);
    if (left) {
      const at = text.indexOf(left[0].trim());
      refuse(path, text, at < 0 ? 0 : at, 'not a form this bundler rewrites (see the top of tools/bundle.js)');
    }
    exported.set(path, new Set([...text.matchAll(EXPORTED)].map((match) => match[1])));
    body = body.replace(/^export\s+(?=(async\s+)?function\b|class\b|const\b|let\b)/gm, '');
    const requires = [...required.keys()];
    parts.push({ requires, text: `// ---- ${path}\n\n${body.trim()}\n` });
  }
  return [
    '#!/usr/bin/env node',
    `// GENERATED by tools/bundle.js from ${modules.map(([path]) => path).join(', ')}: do not edit; run \`npm run bundle\`.`,
    '// The port4me command (spec section 7) as one CommonJS file, which Node starts faster than ES modules.',
    "'use strict';",
    '',
    ...parts.map((part) => part.text),
    '// ---- start',
    '',
    'run();',
    '',
  ].join('\n');
}

/** The bundle of lib/, as bin/port4me.cjs should hold it. */
export function bundle() {
  return bundleTexts(MODULES.map((path) => [path, readFileSync(new URL(`../${path}`, import.meta.url), 'utf8')]));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const target = `${ROOT}${OUTPUT}`;
  let text;
  try {
    text = bundle();
  } catch (error) {
    process.stderr.write(`tools/bundle.js: ${error.message}\n`);
    process.exit(2);
  }
  if (process.argv.includes('--check')) {
    let current = '';
    try {
      current = readFileSync(target, 'utf8');
    } catch {
      // missing: stale
    }
    if (current !== text) {
      process.stderr.write(`${OUTPUT} is stale: run \`node tools/bundle.js\` in js/\n`);
      process.exit(1);
    }
  } else {
    mkdirSync(new URL('../bin', import.meta.url), { recursive: true });
    writeFileSync(target, text);
    chmodSync(target, 0o755);
  }
}
