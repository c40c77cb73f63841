// Section 3 and 4: the hash, the generator and the stream, against the spec's worked
// example and against deliberately naive models (property tests with a seeded PRNG).

import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  CHROME_PORTS,
  FIREFOX_PORTS,
  UsageError,
  initialState,
  lcgNext,
  port4me,
  port4meSequence,
  seedString,
  stringHash,
} from '../lib/port4me.js';

/** A small seeded PRNG (mulberry32), so that every run tests the same cases. */
function random(seed) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  next.int = (low, high) => low + Math.floor(next() * (high - low + 1));
  return next;
}

/** P4M-HASH-1 with BigInt and no shortcuts. */
function modelHash(text) {
  let hash = 0n;
  for (const char of text) hash = (31n * hash + BigInt(char.codePointAt(0))) % 2n ** 32n;
  return Number(hash);
}

test('the worked example of section 3.1', () => {
  assert.equal(seedString('alice', ''), 'alice');
  assert.equal(stringHash('alice'), 92903040);
  assert.equal(initialState('alice'), 37111);
  assert.equal(lcgNext(37111), 30845);
  assert.equal(lcgNext(30845), 19654);
  assert.equal(stringHash('alice,rstudio'), 3688618396);
  assert.equal(initialState('alice,rstudio'), 64962);
  assert.equal(lcgNext(64962), 22486);
});

test('the hash is over code points, with 32-bit unsigned arithmetic (P4M-HASH-1)', () => {
  const next = random(1);
  const pick = [0x41, 0x7f, 0xe9, 0x4e2d, 0xd7ff, 0xe000, 0xfeff, 0xfffd, 0xffff, 0x10000, 0x1f600, 0x10ffff];
  for (let round = 0; round < 2000; round += 1) {
    let text = '';
    const length = next.int(0, 40);
    for (let i = 0; i < length; i += 1) {
      text += String.fromCodePoint(next() < 0.5 ? pick[next.int(0, pick.length - 1)] : randomScalar(next));
    }
    assert.equal(stringHash(text), modelHash(text), JSON.stringify(text));
  }
  // An astral character counts once, with its value: not as two UTF-16 units.
  assert.equal(stringHash('\u{1F600}'), 0x1f600);
  assert.notEqual(stringHash('a\u{1F600}'), (97 * 31 * 31 + 0xd83d * 31 + 0xde00) >>> 0);
  // No normalization (P4M-HASH-2).
  assert.notEqual(stringHash('jo\u0308hn'), stringHash('jöhn'));
});

function randomScalar(next) {
  for (;;) {
    const code = next.int(0, 0x10ffff);
    if (code < 0xd800 || code > 0xdfff) return code;
  }
}

test('a lone surrogate is not a scalar value (P4M-HASH-3)', () => {
  for (const text of ['a\ud800', '\udfff', 'x\udc00y', '\ud83d']) {
    assert.throws(() => stringHash(text), UsageError);
    assert.throws(() => seedStringAndHash(text), UsageError);
  }
  assert.equal(stringHash('a\udbff\udfff'), 1117118); // a pair is one code point
});

function seedStringAndHash(user) {
  return initialState(seedString(user, ''));
}

test('seed strings lose exactly one trailing comma (P4M-SEED-1)', () => {
  assert.equal(seedString('alice', 'rstudio,'), 'alice,rstudio');
  assert.equal(seedString('alice,', ''), 'alice,');
  assert.equal(seedString('alice,,', ''), 'alice,,');
  assert.equal(seedString('alice'), 'alice');
});

test('the generator visits every draw 0..65535 once per 65536 steps (P4M-LCG-2, P4M-LCG-3)', () => {
  assert.equal(lcgNext(65536), 74);
  assert.equal(lcgNext(0), 74);
  for (const start of [0, 1, 74, 37111, 65535, 65536]) {
    const seen = new Uint8Array(65536);
    let state = start;
    for (let i = 0; i < 65536; i += 1) {
      state = lcgNext(state);
      assert.ok(state >= 0 && state <= 65535);
      assert.equal(seen[state], 0, `draw ${state} twice from ${start}`);
      seen[state] = 1;
    }
    assert.equal(state, start === 65536 ? 0 : start, 'the period is 65536'); // 65536 behaves as 0
  }
  for (const bad of [-1, 65537, 1.5, '3', null]) assert.throws(() => lcgNext(bad), UsageError);
});

/** The spec's stream, naively: prepended ports (each once), then draws in C, after skip. */
function modelStream({ user, tool = '', prepend = [], include = [], exclude = [], skip = 0 }, count) {
  const inSet = (ranges) => {
    const set = new Set();
    for (const [low, high] of ranges) for (let port = Math.max(low, 1); port <= high; port += 1) set.add(port);
    return set;
  };
  const included = include.length ? inSet(include) : inSet([[1024, 65535]]);
  const excluded = inSet([...exclude, ...[...CHROME_PORTS, ...FIREFOX_PORTS].map((port) => [port, port])]);
  if (![...included].some((port) => !excluded.has(port))) return null; // C is empty
  const first = [...new Set(prepend.filter((port) => port > 0))];
  const out = [];
  let state = initialState(seedString(user, tool));
  let index = 0;
  while (out.length < count) {
    let port;
    if (index < first.length) {
      port = first[index];
    } else {
      do state = lcgNext(state);
      while (!(included.has(state) && !excluded.has(state)));
      port = state;
    }
    if (index >= skip) out.push(port);
    index += 1;
  }
  return out;
}

function rangeText(ranges) {
  return ranges.map(([low, high]) => (low === high ? `${low}` : `${low}-${high}`)).join(',');
}

test('port4me list mode matches a naive model of sections 4 and 5 (property)', async () => {
  const next = random(2);
  for (let round = 0; round < 150; round += 1) {
    const ranges = (n, width) =>
      Array.from({ length: next.int(0, n) }, () => {
        const low = next.int(0, 65535);
        return [low, Math.min(65535, low + next.int(0, width))];
      });
    const include = ranges(3, next() < 0.5 ? 40 : 5000);
    const exclude = ranges(3, 3000);
    const options = {
      user: `user${next.int(0, 999)}`,
      tool: next() < 0.5 ? '' : `tool${next.int(0, 9)}`,
      prepend: Array.from({ length: next.int(0, 4) }, () => next.int(0, 65535)),
      include,
      exclude,
      skip: next.int(0, 300),
    };
    const count = next.int(1, 60);
    const expected = modelStream(options, count);
    const model = { ...options, include: rangeText(include), exclude: rangeText(exclude) };
    const env = {};
    if (expected === null) {
      // C is empty: a usage error, even with prepended ports (P4M-SET-6)
      await assert.rejects(port4me({ ...model, list: count, env }), UsageError);
      continue;
    }
    assert.deepEqual(await port4me({ ...model, list: count, env }), expected, JSON.stringify({ ...model, list: count }));
    assert.deepEqual([...take(port4meSequence({ ...model, env }), count)], expected);
  }
});

function* take(iterator, count) {
  for (let i = 0; i < count; i += 1) yield iterator.next().value;
}

test('a skip of any size is reduced modulo |C| once past the prepended ports (P4M-SEQ-3, P4M-SEQ-6)', async () => {
  const env = {};
  const base = { user: 'alice', prepend: '1111,2222', include: '20000-20100,30000-30010', env };
  const size = 101 + 11;
  const next = random(3);
  for (let round = 0; round < 30; round += 1) {
    const skip = BigInt(next.int(2, 5000));
    const huge = skip + BigInt(size) * 10n ** BigInt(next.int(20, 3000));
    const small = await port4me({ ...base, skip, list: 5 });
    assert.deepEqual(await port4me({ ...base, skip: huge.toString(), list: 5 }), small);
    assert.deepEqual(await port4me({ ...base, skip: huge, list: 5 }), small);
  }
  const digits = `1${'0'.repeat(10000)}`;
  const ports = await port4me({ user: 'alice', skip: digits, list: 2, env });
  assert.equal(ports.length, 2);
  assert.deepEqual(await port4me({ user: 'alice', skip: `${'0'.repeat(10000)}1`, list: 1, env }), [19654]);
});

test('the candidate stream repeats with period |C| and lists each candidate once per period', async () => {
  const list = await port4me({ user: 'bob', include: '20000-20099', list: 300, env: {} });
  const period = list.slice(0, 100);
  assert.equal(new Set(period).size, 100);
  assert.deepEqual(list.slice(100, 200), period);
  const one = await port4me({ user: 'bob', include: '6001', list: 65536, env: {} });
  assert.equal(one.length, 65536);
  assert.ok(one.every((port) => port === 6001));
});

test('repeated ranges cost their distinct ports (P4M-LIST-2), and keep the order written (P4M-SET-4)', async () => {
  const env = {};
  const repeated = '1-65535,'.repeat(20000);
  assert.deepEqual(await port4me({ user: 'alice', prepend: repeated, list: 3, env }), [1, 2, 3]);
  assert.deepEqual(await port4me({ user: 'alice', prepend: repeated, skip: 65534, list: 2, env }), [65535, 30845]);
  assert.deepEqual(
    await port4me({ user: 'alice', include: '5000-5100,'.repeat(20000), list: 4, env }),
    [5007, 5055, 5014, 5065],
  );
  assert.deepEqual(await port4me({ user: 'alice', prepend: '30-40,35-45,1-5,3', list: 24, env }), [
    ...Array.from({ length: 16 }, (_, i) => 30 + i),
    1, 2, 3, 4, 5,
    30845, 19654, 32310,
  ]);
  // many distinct small ranges, past the simple path's limit, in order and each once
  const many = Array.from({ length: 40000 }, (_, i) => `${(i * 7919) % 65535 + 1}-${Math.min(65535, ((i * 7919) % 65535) + 9)}`);
  const expected = new Set();
  for (const range of many) {
    const [low, high] = range.split('-').map(Number);
    for (let port = low; port <= high; port += 1) expected.add(port);
  }
  assert.ok(expected.size > 4 * 65536 / 10 && many.length * 10 > 4 * 65536, 'takes the linked path');
  assert.deepEqual(await port4me({ user: 'alice', prepend: many.join(' '), list: expected.size, env }), [...expected]);
});
