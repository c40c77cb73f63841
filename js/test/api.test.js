// The library API: modes and results, option types, variables, errors.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import net from 'node:net';
import { test } from 'node:test';
import port4meDefault, {
  NoFreePortError,
  Port4meError,
  PortCheckError,
  SPEC_VERSION,
  UsageError,
  VERSION,
  isPortFree,
  port4me,
  port4meSequence,
} from '../lib/port4me.js';
import { PACKAGE, isLinux, shellBytes } from './helpers/common.js';

const ANY = { _PORT4ME_CHECK_AVAILABLE_PORTS_: 'any' };

test('modes: search gives a port, list an array, test a boolean', async () => {
  assert.equal(await port4me({ user: 'alice', env: ANY }), 30845);
  assert.deepEqual(await port4me({ user: 'alice', list: 3, env: ANY }), [30845, 19654, 32310]);
  assert.equal(await port4me({ test: 8080, env: ANY }), true);
  assert.equal(await port4me({ test: 30845, env: { _PORT4ME_CHECK_AVAILABLE_PORTS_: 'any-except:30845' } }), false);
  assert.equal(await port4me({ user: 'alice', tool: 'rstudio', env: ANY }), 22486);
  assert.equal(port4meDefault, port4me);
  assert.equal(SPEC_VERSION, '1.2');
  assert.match(VERSION, /^\d+\.\d+\.\d+$/);
});

test('a string is the tool', async () => {
  const saved = process.env.PORT4ME_USER;
  const savedSwitch = process.env._PORT4ME_CHECK_AVAILABLE_PORTS_;
  process.env.PORT4ME_USER = 'alice';
  process.env._PORT4ME_CHECK_AVAILABLE_PORTS_ = 'any';
  try {
    assert.equal(await port4me('rstudio'), 22486);
    assert.equal(port4meSequence('rstudio').next().value, 22486);
    assert.equal(await port4me(), 30845, 'variables come from process.env by default');
  } finally {
    restore('PORT4ME_USER', saved);
    restore('_PORT4ME_CHECK_AVAILABLE_PORTS_', savedSwitch);
  }
});

function restore(name, value) {
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
}

test('ports as strings or arrays of integers, numbers as numbers, bigints or digits', async () => {
  const env = {};
  const same = [
    { include: '5000-5002', list: 3 },
    { include: [5000, 5001, 5002], list: 3 },
    { include: [0, 5000, 5001, 5002, 5002], list: 3n },
    { include: '05000 , 5001\t5002', list: '003' },
  ];
  for (const options of same) assert.deepEqual(await port4me({ user: 'alice', env, ...options }), [5001, 5002, 5000]);
  assert.deepEqual(await port4me({ user: 'alice', prepend: [8080, 8080, 0, 1], list: 3, env }), [8080, 1, 30845]);
  assert.deepEqual(await port4me({ user: 'alice', exclude: [30845], list: 1, env }), [19654]);
  assert.deepEqual(await port4me({ user: 'alice', skip: 2, list: 1, env }), [32310]);
  assert.deepEqual(await port4me({ user: 'alice', skip: 2n, list: 1, env }), [32310]);
  assert.deepEqual(await port4me({ user: 'alice', include: [], list: 1, env: { PORT4ME_INCLUDE: '5000' } }), [30845], 'an empty array is a list, which replaces the variable');
});

test('bad values are UsageErrors that name the option and the value', async () => {
  const env = {};
  const bad = [
    [{ include: [5000, 70000] }, /include.*70000/],
    [{ include: [5000.5] }, /include.*5000\.5/],
    [{ include: ['5000'] }, /include/],
    [{ include: 5000 }, /include.*5000/],
    [{ include: new Set([5000]) }, /include.*Set/],
    [{ exclude: '30845;32310' }, /exclude.*30845;32310/],
    [{ prepend: '10-5' }, /prepend.*10-5/],
    [{ list: 0 }, /list.*0/],
    [{ list: 65537 }, /list.*65537/],
    [{ list: 1.5 }, /list.*1\.5/],
    [{ list: true }, /list.*true/],
    [{ list: '+3' }, /list.*\+3/],
    [{ skip: -1 }, /skip.*-1/],
    [{ skip: -1n }, /skip.*-1/],
    [{ skip: 'ten' }, /skip.*ten/],
    [{ maxTries: 0 }, /maxTries.*0/],
    [{ user: 42 }, /user/],
    [{ user: 'a\ud800' }, /user.*lone surrogate/],
    [{ tool: {} }, /tool/],
    [{ users: 'alice' }, /unknown option 'users'/],
    [{ env: 'PORT4ME_USER=alice' }, /env/],
  ];
  for (const [options, message] of bad) {
    await assert.rejects(port4me({ user: 'alice', env, ...options }), (error) => {
      assert.ok(error instanceof UsageError, `${Object.keys(options)}: ${error}`);
      assert.match(error.message, message);
      assert.ok(!error.message.includes('\n'));
      return true;
    });
  }
  await assert.rejects(port4me(42), UsageError);
  await assert.rejects(port4me([]), UsageError);
});

test('undefined, null and "" read the variable; an option replaces only its own (P4M-ENV-1, P4M-ENV-2)', async () => {
  const env = { PORT4ME_USER: 'alice', PORT4ME_LIST: '2', PORT4ME_EXCLUDE: '30845', PORT4ME_EXCLUDE_SITE: '19654' };
  assert.deepEqual(await port4me({ env }), [32310, 63992]);
  assert.deepEqual(await port4me({ user: null, list: undefined, env }), [32310, 63992]);
  assert.deepEqual(await port4me({ user: '', list: '', env }), [32310, 63992]);
  assert.deepEqual(await port4me({ exclude: '0', env }), [30845, 32310]);
  assert.deepEqual(await port4me({ env: new Map(Object.entries(env)) }), [32310, 63992], 'a Map works too');
  await assert.rejects(port4me({ env: { PORT4ME_USER: 7 } }), /PORT4ME_USER/);
  await assert.rejects(port4me({ env: { PORT4ME_SKIP: 'x', PORT4ME_USER: 'alice' } }), /PORT4ME_SKIP.*'x'/);
});

test('each mode reads only what it uses (P4M-ENV-6)', async () => {
  assert.deepEqual(await port4me({ user: 'alice', list: 1, maxTries: 'abc', env: { _PORT4ME_CHECK_AVAILABLE_PORTS_: 'all' } }), [30845]);
  assert.equal(await port4me({ test: 80, include: 'x', user: 42, env: ANY }), true);
  await assert.rejects(port4me({ user: 'alice', env: { _PORT4ME_CHECK_AVAILABLE_PORTS_: 'all' } }), /_PORT4ME_CHECK_AVAILABLE_PORTS_/);
  await assert.rejects(port4me({ test: 80, env: { _PORT4ME_CHECK_AVAILABLE_PORTS_: 'all' } }), UsageError);
});

test('the user comes from PORT4ME_USER, USER, LOGNAME, USERNAME, then the account (P4M-ENV-3)', async () => {
  assert.deepEqual(await port4me({ list: 1, env: { USER: 'alice', LOGNAME: 'bob' } }), [30845]);
  assert.deepEqual(await port4me({ list: 1, env: { LOGNAME: 'alice', USERNAME: 'bob' } }), [30845]);
  assert.deepEqual(await port4me({ list: 1, env: { USERNAME: 'alice', LNAME: 'bob' } }), [30845]);
  const account = await port4me({ list: 1, env: { LNAME: 'alice' } });
  if (typeof process.getuid === 'function' && process.getuid() === 0) {
    assert.deepEqual(account, await port4me({ user: 'root', list: 1, env: {} }), 'the account name of uid 0');
  }
});

test('errors: classes, codes and exit codes', async () => {
  await assert.rejects(port4me({ user: 'alice', env: { _PORT4ME_CHECK_AVAILABLE_PORTS_: 'any-except:1-65535' } }), (error) => {
    assert.ok(error instanceof NoFreePortError && error instanceof Port4meError && error instanceof Error);
    assert.equal(error.name, 'NoFreePortError');
    assert.equal(error.code, 'PORT4ME_NO_FREE_PORT');
    assert.equal(error.exitCode, 1);
    assert.match(error.message, /65535/);
    return true;
  });
  await assert.rejects(port4me({ user: 'alice', include: '5000', exclude: '5000', env: {} }), (error) => {
    assert.equal(error.name, 'UsageError');
    assert.equal(error.code, 'PORT4ME_USAGE');
    assert.equal(error.exitCode, 2);
    return true;
  });
  const checkError = new PortCheckError('x');
  assert.equal(checkError.exitCode, 1);
  assert.equal(checkError.code, 'PORT4ME_CHECK_FAILED');
  assert.equal(checkError.name, 'PortCheckError');
});

test('port4meSequence: lazy, without end, options checked at the call', () => {
  const sequence = port4meSequence({ user: 'alice', prepend: '1111', skip: 1, env: {} });
  assert.equal(typeof sequence.next, 'function');
  assert.equal(sequence[Symbol.iterator](), sequence);
  const first = [];
  for (const port of sequence) {
    first.push(port);
    if (first.length === 70000) break;
  }
  assert.deepEqual(first.slice(0, 3), [30845, 19654, 32310]);
  assert.deepEqual(first.slice(64495, 64498), [30845, 19654, 32310], 'period |C| = 64495');
  assert.throws(() => port4meSequence({ user: 'alice', include: 'x', env: {} }), UsageError);
  assert.throws(() => port4meSequence({ user: 'alice', list: 3, env: {} }), /does not use it/);
  assert.throws(() => port4meSequence({ user: 'alice', test: 80, env: {} }), UsageError);
  assert.equal(port4meSequence({ user: 'alice', env: { PORT4ME_LIST: '0', PORT4ME_TEST: 'x' } }).next().value, 30845);
});

function listen(host, port = 0) {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen({ host, port, exclusive: true }, () => resolve(server));
  });
}

const close = (server) => new Promise((resolve) => server.close(resolve));

test('isPortFree and a real search (section 8)', async () => {
  const held = await listen('127.0.0.1');
  const busy = held.address().port;
  try {
    assert.equal(await isPortFree(busy), false, 'a listener on 127.0.0.1');
    const free = await port4me({ user: 'alice', prepend: [busy], include: '40000-49999', env: {} });
    assert.notEqual(free, busy);
    assert.ok(free >= 40000 && free <= 49999);
    assert.equal(await isPortFree(free), true);
    const again = await listen('0.0.0.0', free); // released before the answer (P4M-CHECK-2)
    await close(again);
    await assert.rejects(port4me({ user: 'alice', prepend: [busy], maxTries: 1, env: {} }), NoFreePortError);
    assert.equal(await port4me({ test: busy, env: {} }), false);
  } finally {
    await close(held);
  }
  assert.equal(await isPortFree(String(busy)), true, 'free once closed');
  for (const bad of [0, 65536, -1, 1.5, '80x', null, undefined, 'abc', Symbol('x')]) {
    await assert.rejects(isPortFree(bad), UsageError);
  }
});

test('a variable with bytes that are not UTF-8 is refused, a real U+FFFD is not (P4M-HASH-3)', { skip: !isLinux }, () => {
  const script = `import('${PACKAGE}lib/port4me.js').then((m) => m.port4me({ list: 1 })).then((p) => console.log(JSON.stringify(p)), (e) => console.log(e.name, e.message))`;
  const run = (bytes) =>
    spawnSync('/bin/sh', ['-c', `PORT4ME_USER=${shellBytes(bytes)} exec "$0" --input-type=module -e "$1"`, process.execPath, script], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH, _PORT4ME_CHECK_AVAILABLE_PORTS_: 'any' },
    }).stdout;
  assert.match(run(Buffer.from('6a6fe9', 'hex')), /^UsageError invalid PORT4ME_USER value 'jo\\xe9': not valid UTF-8/);
  assert.equal(run(Buffer.from('61efbfbd', 'hex')).trim(), '[28688]');
});
