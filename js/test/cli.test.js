// The command as a process (section 7): its contract beyond what the vectors pin, raw
// bytes in arguments and variables, closed and failing stdout, and what it loads.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { test } from 'node:test';
import { main, processArguments } from '../lib/cli.js';
import { Unverified } from '../lib/core.js';
import { stringHash } from '../lib/port4me.js';
import { COMMAND, cleanEnv, have, isLinux, isRoot, run, shellBytes, shellQuote } from './helpers/common.js';

test('the command runs by its #! line, with node from PATH', () => {
  assert.ok(statSync(COMMAND).mode & 0o111, 'executable');
  assert.match(readFileSync(COMMAND, 'utf8'), /^#!\/usr\/bin\/env node\n/);
  const result = spawnSync(COMMAND, ['--user=alice', '--list=2'], {
    encoding: 'utf8',
    env: cleanEnv({ PATH: `${process.execPath.replace(/\/[^/]*$/, '')}:/usr/bin:/bin` }),
  });
  assert.deepEqual([result.status, result.stdout, result.stderr], [0, '30845\n19654\n', '']);
});

test('help names every option and variable; version is one line', () => {
  const help = run(['--help']);
  assert.equal(help.status, 0);
  assert.equal(help.stderr, '');
  for (const name of ['--user', '--tool', '--prepend', '--include', '--exclude', '--skip', '--list', '--max-tries', '--test', '--help', '--version']) {
    assert.ok(help.stdout.includes(name), name);
  }
  for (const suffix of ['USER', 'TOOL', 'PREPEND', 'PREPEND_SITE', 'INCLUDE', 'INCLUDE_SITE', 'EXCLUDE', 'EXCLUDE_SITE', 'EXCLUDE_UNSAFE', 'EXCLUDE_UNSAFE_CHROME', 'EXCLUDE_UNSAFE_FIREFOX', 'SKIP', 'LIST', 'MAX_TRIES', 'TEST']) {
    assert.ok(help.stdout.includes(`PORT4ME_${suffix}`), suffix);
  }
  assert.ok(help.stdout.includes('_PORT4ME_CHECK_AVAILABLE_PORTS_'));
  assert.deepEqual(run(['-h']).stdout, help.stdout, '-h (P4M-CLI-2)');
  const version = run(['--version']);
  assert.equal(version.status, 0);
  assert.match(version.stdout, /^port4me-js \d+\.\d+\.\d+ \(port4me spec 1\.2\)\n$/);
});

test('errors: one line on stderr, nothing on stdout, no stack trace, exit 2 or 1', () => {
  for (const [args, env, status, pattern] of [
    [['--include=65534-65540'], {}, 2, /--include.*65540/],
    [['--foo=bar'], {}, 2, /'--foo=bar'/],
    [['--=x'], {}, 2, /unknown option '--=x'/], // named whole: '--' alone would read as the end of options
    [['--list'], {}, 2, /--list/],
    [['--user=alice'], { PORT4ME_SKIP: 'ten' }, 2, /PORT4ME_SKIP.*'ten'/],
    [['--user=alice', '--exclude=1\n2\u0001,x'], {}, 2, /'1\\n2\\x01,x'/],
    [['--user=alice', `--exclude=${'9'.repeat(5000)}`], {}, 2, /\(5000 characters\)/],
    [['--user=alice', '--max-tries=3'], { _PORT4ME_CHECK_AVAILABLE_PORTS_: 'any-except:1-65535' }, 1, /no free port/],
  ]) {
    const result = run(args, { env: cleanEnv(env) });
    assert.equal(result.status, status, `${args}: ${result.stderr}`);
    assert.equal(result.stdout, '');
    assert.match(result.stderr, /^port4me: [^\n]+\n$/);
    assert.match(result.stderr, pattern);
    assert.ok(result.stderr.length < 600, 'long values are shortened');
  }
});

test('a reader that closes stdout early is not an error', { skip: have('bash') ? false : 'needs bash' }, () => {
  const result = spawnSync('bash', ['-c', `${shellQuote(process.execPath)} ${shellQuote(COMMAND)} --user=alice --list=65536 | head -1; echo "status=\${PIPESTATUS[0]}"`], {
    encoding: 'utf8',
    env: cleanEnv(),
  });
  assert.equal(result.stdout, '30845\nstatus=0\n');
  assert.equal(result.stderr, '');
});

test('a stdout that fails (ENOSPC) is a runtime error', { skip: isLinux ? false : 'needs /dev/full' }, () => {
  const result = spawnSync('sh', ['-c', `${shellQuote(process.execPath)} ${shellQuote(COMMAND)} --user=alice --list=3 >/dev/full`], {
    encoding: 'utf8',
    env: cleanEnv(),
  });
  assert.equal(result.status, 1);
  assert.equal(result.stderr, 'port4me: cannot write to stdout: ENOSPC\n');
});

/** Run the command through /bin/sh, with some arguments or variables given as raw bytes. */
function runBytes(words, variables = {}) {
  const assignments = Object.entries(variables).map(([name, bytes]) => `${name}=${shellBytes(bytes)}`);
  const line = [...assignments, 'exec', shellQuote(process.execPath), shellQuote(COMMAND), ...words].join(' ');
  return spawnSync('/bin/sh', ['-c', line], { encoding: 'utf8', env: cleanEnv() });
}

const word = (prefix, hex) => `${shellQuote(prefix)}${shellBytes(Buffer.from(hex, 'hex'))}`;

test('bytes that are not UTF-8 in --user, --tool, the argument and variables are usage errors (P4M-HASH-3)', { skip: isLinux ? false : 'raw bytes are read from /proc' }, () => {
  for (const [words, variables, source] of [
    [[word('--user=', '6a6fe9'), '--list=1'], {}, '--user'],
    [['--user=alice', word('--tool=', '72ff'), '--list=1'], {}, '--tool'],
    [['--user=alice', word('', '72eda080'), '--list=1'], {}, 'tool argument'],
    [['--list=1'], { PORT4ME_USER: Buffer.from('6a6fe9', 'hex') }, 'PORT4ME_USER'],
    [['--list=1'], { USER: Buffer.from('61c0af', 'hex') }, 'USER'],
    [['--user=alice', '--list=1'], { PORT4ME_TOOL: Buffer.from('72f4908080', 'hex') }, 'PORT4ME_TOOL'],
  ]) {
    const result = runBytes(words, variables);
    assert.equal(result.status, 2, `${words} ${Object.keys(variables)}: ${result.stderr}`);
    assert.equal(result.stdout, '');
    assert.match(result.stderr, new RegExp(`^port4me: invalid ${source} value '[^']*\\\\x[0-9a-f]{2}[^']*': not valid UTF-8\\n$`));
  }
});

test('a real U+FFFD, a BOM and the edges of the surrogate range are ordinary characters', { skip: isLinux ? false : 'raw bytes are read from /proc' }, () => {
  for (const [hex, text] of [
    ['61efbfbd', 'a\uFFFD'],
    ['efbbbf61', '\uFEFFa'],
    ['61ed9fbf', 'a\uD7FF'],
    ['61ee8080', 'a\uE000'],
    ['61f48fbfbf', 'a\u{10FFFF}'],
  ]) {
    const expected = run([`--user=${text}`, '--list=1']);
    assert.equal(expected.status, 0);
    assert.equal(runBytes([word('--user=', hex), '--list=1']).stdout, expected.stdout, hex);
    assert.equal(runBytes(['--list=1'], { PORT4ME_USER: Buffer.from(hex, 'hex') }).stdout, expected.stdout, hex);
    assert.equal(Number(expected.stdout), nextDraw(text));
  }
  assert.equal(runBytes([word('--user=', '61efbfbd'), '--list=1']).stdout, '28688\n');
});

function nextDraw(user) {
  const state = stringHash(user) % 65537;
  return state === 65536 ? 74 : (75 * state + 74) % 65537;
}

test('where the raw bytes cannot be read, U+FFFD in a hashed value is refused, not guessed', async () => {
  const call = async (args, env = {}) => {
    let stdout = '';
    let stderr = '';
    const code = await main({ args, getVariable: (name) => env[name], stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
    return { code, stdout, stderr };
  };
  let result = await call([new Unverified('--user=a\uFFFD'), '--list=1']);
  assert.equal(result.code, 2);
  assert.match(result.stderr, /^port4me: invalid --user value 'a\uFFFD': it holds U\+FFFD/);
  result = await call(['--list=1'], { PORT4ME_USER: new Unverified('a\uFFFD') });
  assert.equal(result.code, 2);
  assert.match(result.stderr, /PORT4ME_USER/);
  result = await call(['--user=alice', new Unverified('--list=1'), new Unverified('--exclude=x\uFFFD')]);
  assert.equal(result.code, 2, 'a port list with U+FFFD breaks the grammar anyway');
  result = await call(['--user=alice', '--list=1'], { USER: new Unverified('b\uFFFD') });
  assert.deepEqual([result.code, result.stdout], [0, '30845\n'], 'a value that is not used is not read');
  // an argument whose raw bytes are not what Node decoded (not this process's argument) stays unverified
  const [arg] = processArguments(['--user=\uFFFD-not-an-argument-of-this-process']);
  assert.ok(arg instanceof Unverified);
  assert.deepEqual(processArguments(['--user=alice', '']), ['--user=alice', '']);
});

test('an unexpected failure is one line, exit 1, with no stack trace', async () => {
  let stderr = '';
  const code = await main({
    args: ['--user=alice'],
    getVariable: () => {
      throw new TypeError('boom\n    at somewhere');
    },
    stdout: () => {},
    stderr: (text) => (stderr += text),
  });
  assert.equal(code, 1);
  assert.equal(stderr, 'port4me: internal error: boom     at somewhere\n');
});

test('the account name: the real user ID only, no LNAME (P4M-ENV-3)', { skip: isRoot && isLinux && have('setpriv') ? false : 'needs root, Linux and setpriv' }, () => {
  const dir = mkdtempSync(`${tmpdir()}/port4me-js-`);
  const as = (ids, env) =>
    spawnSync('setpriv', [...ids, process.execPath, COMMAND, '--list=1'], { env: cleanEnv(env), cwd: dir, encoding: 'utf8' });
  try {
    const nameless = ['--reuid=54321', '--regid=54321', '--clear-groups'];
    let result = as(nameless, { LNAME: 'alice' });
    assert.equal(result.status, 2, 'no entry: no name, LNAME is not read');
    assert.match(result.stderr, /^port4me: cannot tell who the user is/);
    result = as(nameless, { LOGNAME: 'alice', LNAME: 'bob' });
    assert.equal(result.stdout, '30845\n');
    const nobody = run(['--user=nobody', '--list=1']).stdout;
    result = as(['--ruid=65534', '--euid=0'], {});
    assert.equal(result.stdout, nobody, 'the real user ID, not the effective one');
    result = as(['--ruid=54321', '--euid=0'], {});
    assert.equal(result.status, 2, 'real ID without an entry, effective ID root');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** The built-in modules a call loads, from process.moduleLoadList at exit. */
function loaded(args, env, script = [COMMAND]) {
  const dir = mkdtempSync(`${tmpdir()}/port4me-js-`);
  try {
    const hook = `${dir}/hook.cjs`;
    spawnSync('sh', ['-c', `cat > ${shellQuote(hook)}`], {
      input: `process.on('exit', () => require('fs').writeFileSync(${JSON.stringify(`${dir}/modules`)}, process.moduleLoadList.join('\\n')));`,
    });
    const result = spawnSync(process.execPath, ['--require', hook, ...script, ...args], { env, encoding: 'utf8' });
    assert.equal(result.status, 0, result.stderr);
    return readFileSync(`${dir}/modules`, 'utf8').split('\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('the command loads no built-in module that bare Node does not, but for a real check', () => {
  const bare = new Set(loaded([], cleanEnv(), ['-e', 'process.exit(0)'])); // the command exits by process.exit() too
  const listing = loaded(['--user=alice', '--list=1000'], cleanEnv());
  assert.deepEqual(listing.filter((name) => !bare.has(name)), [], 'listing ports');
  assert.deepEqual(loaded(['--user=alice'], cleanEnv()).filter((name) => !bare.has(name)), [], 'a search with the testing switch');
  const checking = loaded(['--user=alice', '--include=40000-49999'], cleanEnv({}, 'real'));
  assert.ok(checking.includes('NativeModule net'));
});
