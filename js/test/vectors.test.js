// The spec's vectors, run in this process: the unit entries against the functions of
// section 3, and every sequence-level case against the command's main() as
// spec/INTERPRETING.md builds the call (both variants). The conformance runner runs the
// same cases, and the check-level ones, against the command itself (make test).

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { main } from '../lib/cli.js';
import { initialState, lcgNext, seedString, stringHash } from '../lib/port4me.js';
import { loadCases } from './helpers/common.js';

const cases = loadCases();
const skipped = cases.length === 0 ? 'the vectors are not here (a packed copy?)' : false;

const UNIT = {
  string_hash: (input) => stringHash(input),
  initial_state: (input) => initialState(input),
  lcg_next: (input) => lcgNext(input),
  seed_string: ([user, tool]) => seedString(user, tool),
};

test('unit entries: hash, seed and generator (section 3)', { skip: skipped }, () => {
  let count = 0;
  for (const item of cases) {
    for (const entry of item.unit ?? []) {
      assert.deepEqual(UNIT[entry.function](entry.input), entry.output, `${item.id}: ${entry.function}(${JSON.stringify(entry.input)})`);
      count += 1;
    }
  }
  assert.ok(count >= 30, `only ${count} unit entries`);
});

const strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Raw bytes as the command receives them: text when it is UTF-8, else the bytes (see processArguments). */
function fromHex(hex) {
  const bytes = Buffer.from(hex, 'hex');
  try {
    return strict.decode(bytes);
  } catch {
    return bytes;
  }
}

// How spec 1.2's P4M-CLI-11 lets a message show a value, as INTERPRETING 4 judges it: each character as
// itself or in one of the listed escapes, each byte that is not UTF-8 as \xHH (or octal), or a run as U+FFFD.
const escapeRe = (text) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
const hex = (n, width) => n.toString(16).padStart(width, '0').replace(/[a-f]/g, (c) => `[${c}${c.toUpperCase()}]`);
const NAMED = { '\t': 't', '\n': 'n', '\r': 'r', '\0': '0', '\x07': 'a', '\b': 'b', '\f': 'f', '\v': 'v', '\x1b': 'e' };

function charForms(char) {
  const code = char.codePointAt(0);
  const forms = [/\p{Cc}/u.test(char) ? '' : escapeRe(char), `\\\\U${hex(code, 8)}`, `\\\\u\\{0*${hex(code, 1)}\\}`];
  if (code < 0x10000) forms.push(`\\\\u${hex(code, 4)}`);
  if (code < 0x80 && !/[A-Za-z0-9]/.test(char)) forms.push(`\\\\${escapeRe(char)}`);
  if (code < 0x100) forms.push(`\\\\x${hex(code, 2)}`, `\\\\${code.toString(8).padStart(3, '0')}`);
  if (NAMED[char]) forms.push(`\\\\${NAMED[char]}`);
  if (code > 0xffff) {
    const high = 0xd800 + ((code - 0x10000) >> 10);
    const low = 0xdc00 + ((code - 0x10000) & 0x3ff);
    forms.push(`\\\\u${hex(high, 4)}\\\\u${hex(low, 4)}`);
  }
  return `(?:${forms.filter(Boolean).join('|')})`;
}

/** A value in hex as pieces: characters, or arrays of the bytes of a run that is not UTF-8. */
function pieces(value) {
  const bytes = Buffer.from(value, 'hex');
  const out = [];
  for (let i = 0; i < bytes.length; ) {
    let length = 0;
    for (let n = Math.min(4, bytes.length - i); n >= 1 && !length; n -= 1) {
      try {
        const text = strict.decode(bytes.subarray(i, i + n));
        if ([...text].length === 1) length = n;
      } catch {
        // not one character of this length
      }
    }
    if (length) {
      out.push(strict.decode(bytes.subarray(i, i + length)));
      i += length;
    } else {
      if (Array.isArray(out.at(-1))) out.at(-1).push(bytes[i]);
      else out.push([bytes[i]]);
      i += 1;
    }
  }
  return out;
}

function shows(text, items) {
  const pattern = items
    .map((item) =>
      Array.isArray(item)
        ? `(?:${item.map((b) => `(?:\\\\x${hex(b, 2)}|\\\\${b.toString(8).padStart(3, '0')})`).join('')}|\ufffd{1,${item.length}})`
        : charForms(item),
    )
    .join('');
  return new RegExp(pattern, 'u').test(text);
}

/** A source or cause as a whole name: not inside a longer run of letters, digits, _ and - (P4M-CLI-11). */
const names = (text, name, flags = '') => new RegExp(`(?<![A-Za-z0-9_-])${escapeRe(name)}(?![A-Za-z0-9_-])`, flags).test(text);

const optionName = (setting) => `--${setting.replaceAll('_', '-')}`;
const variableName = (setting) => `PORT4ME_${setting.toUpperCase()}`;

async function call(item, variant) {
  const input = item.input ?? {};
  const args = [...(input.args ?? []), ...(input.args_hex ?? []).map(fromHex)];
  const env = { PATH: '/usr/local/bin:/usr/bin:/bin', HOME: '/nonexistent', LANG: 'C.UTF-8' };
  if (item.check !== 'real') env._PORT4ME_CHECK_AVAILABLE_PORTS_ = 'any';
  Object.assign(env, input.env ?? {});
  for (const [name, hex] of Object.entries(input.env_hex ?? {})) env[name] = fromHex(hex);
  for (const [setting, value] of Object.entries(input.settings ?? {})) {
    if (variant === 'options') args.push(`${optionName(setting)}=${value}`);
    else env[variableName(setting)] = String(value);
  }
  let stdout = '';
  let stderr = '';
  const options = {
    args,
    getVariable: (name) => env[name],
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
  };
  if ((item.needs ?? []).includes('nameless-user')) options.accountName = () => undefined;
  if ((item.needs ?? []).includes('nobody')) options.accountName = () => 'nobody'; // the account the runner switches to
  const status = await main(options);
  return { status, stdout, stderr };
}

// Help mode describes every v1 option and variable (P4M-CLI-7; INTERPRETING section 4).
const HELP_NAMES = [
  '--user', '--tool', '--prepend', '--include', '--exclude', '--skip', '--list', '--max-tries', '--test',
  '--help', '--version', 'PORT4ME_USER', 'PORT4ME_TOOL', 'PORT4ME_PREPEND', 'PORT4ME_PREPEND_SITE',
  'PORT4ME_INCLUDE', 'PORT4ME_INCLUDE_SITE', 'PORT4ME_EXCLUDE', 'PORT4ME_EXCLUDE_SITE', 'PORT4ME_EXCLUDE_UNSAFE',
  'PORT4ME_EXCLUDE_UNSAFE_CHROME', 'PORT4ME_EXCLUDE_UNSAFE_FIREFOX', 'PORT4ME_SKIP', 'PORT4ME_LIST',
  'PORT4ME_TEST', 'PORT4ME_MAX_TRIES', '_PORT4ME_CHECK_AVAILABLE_PORTS_',
];

function judge(item, variant, { status, stdout, stderr }) {
  const expect = item.expect;
  const where = `${item.id}@${variant}: exit ${status}, stdout ${JSON.stringify(stdout.slice(0, 200))}, stderr ${JSON.stringify(stderr)}`;
  if (expect.ports) {
    assert.equal(status, 0, where);
    assert.equal(stdout, expect.ports.map((port) => `${port}\n`).join(''), where);
  } else if (expect.port_count) {
    assert.equal(status, 0, where);
    const lines = stdout.split('\n');
    assert.equal(lines.pop(), '', where);
    assert.equal(lines.length, expect.port_count, where);
    for (const line of lines) assert.ok(/^[1-9][0-9]*$/.test(line) && Number(line) <= 65535, where);
  } else if (expect.error) {
    assert.equal(status, expect.error === 'usage' ? 2 : 1, where);
    assert.equal(stdout, '', where);
    assert.match(stderr, /^port4me: [^\n]+\n$/, `${where}: one line on stderr`);
  } else if (expect.test) {
    assert.equal(status, expect.test === 'free' ? 0 : 1, where);
    assert.equal(stdout, '', where);
  } else if (expect.help) {
    assert.equal(status, 0, where);
    for (const name of HELP_NAMES) assert.ok(stdout.includes(name), `${where}: the help names ${name}`);
  } else if (expect.version) {
    assert.equal(status, 0, where);
    assert.match(stdout, /^[^\n]+\n$/, where);
  } else {
    assert.fail(`${where}: unknown expectation ${JSON.stringify(expect)}`);
  }
  const diagnostic = expect.diagnostic;
  if (diagnostic?.value !== undefined) assert.ok(shows(stderr, [...diagnostic.value]), `${where}: names the value`);
  if (diagnostic?.value_hex !== undefined) assert.ok(shows(stderr, pieces(diagnostic.value_hex)), `${where}: names the value`);
  if (diagnostic?.source !== undefined) {
    let source = diagnostic.source;
    if (/^[a-z_]+$/.test(source)) source = variant === 'options' ? optionName(source) : variableName(source);
    assert.ok(names(stderr, source), `${where}: names the source ${source}`);
  }
  if (diagnostic?.cause !== undefined) {
    assert.ok(diagnostic.cause.some((cause) => names(stderr, cause, 'i')), `${where}: names the cause`);
  }
  if (expect.stderr === 'empty') assert.equal(stderr, '', where);
}

test('every sequence-level vector, in process, both variants', { skip: skipped }, async (t) => {
  const runnable = cases.filter((item) => !(item.tags ?? []).includes('real-check') && !item.expect.unit_only);
  assert.ok(runnable.length > 450, `only ${runnable.length} cases`);
  let results = 0;
  for (const item of runnable) {
    const variants = item.input?.settings ? ['options', 'env'] : ['options'];
    await t.test(item.id, async () => {
      for (const variant of variants) {
        judge(item, variant, await call(item, variant));
        results += 1;
      }
    });
  }
  assert.ok(results > 700, `only ${results} results`);
});
