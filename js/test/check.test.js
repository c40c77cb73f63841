// Section 8, the check: its decisions with a simulated socket layer, real sockets on the
// wildcard and loopback addresses, and the command on a host where socket() fails
// (a seccomp filter: no IPv6, EMFILE, EACCES), under a real descriptor limit, and under strace.

import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import dgram from 'node:dgram';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { test } from 'node:test';
import { createChecker, listenOnce, localAddresses } from '../lib/check.js';
import { main } from '../lib/cli.js';
import { PortCheckError, isPortFree } from '../lib/port4me.js';
import { COMMAND, FAILSOCKET, PACKAGE, cleanEnv, have, isLinux, isRoot } from './helpers/common.js';

/** A socket layer that answers from a script: key 'host port' -> error code or null. */
function fakeListen(answers) {
  const calls = [];
  const listen = async (host, port, ipv6Only) => {
    calls.push([host, port, ipv6Only]);
    const code = answers[`${host} ${port}`] ?? answers[host] ?? null;
    if (code === null) return null;
    return Object.assign(new Error(`listen ${code}: simulated ${host}:${port}`), { code });
  };
  return { listen, calls };
}

test('free takes a listen on 0.0.0.0 and on [::] with IPV6_V6ONLY (P4M-CHECK-1)', async () => {
  const { listen, calls } = fakeListen({});
  assert.equal(await createChecker(listen)(30845), true);
  assert.deepEqual(calls, [
    ['0.0.0.0', 30845, false],
    ['::', 30845, true],
  ]);
});

test('EADDRINUSE on either family is busy', async () => {
  for (const host of ['0.0.0.0', '::']) {
    const { listen, calls } = fakeListen({ [host]: 'EADDRINUSE' });
    assert.equal(await createChecker(listen)(8080), false);
    assert.equal(calls.length, host === '::' ? 2 : 1, 'IPv4 busy: IPv6 is not asked');
  }
});

test('no IPv6 (EAFNOSUPPORT, EPROTONOSUPPORT, EADDRNOTAVAIL on [::]): IPv4 decides, and IPv6 is not asked again (P4M-CHECK-6)', async () => {
  for (const code of ['EAFNOSUPPORT', 'EPROTONOSUPPORT', 'EADDRNOTAVAIL']) {
    const { listen, calls } = fakeListen({ '::': code, '0.0.0.0 2000': 'EADDRINUSE' });
    const check = createChecker(listen);
    assert.equal(await check(1000), true);
    assert.equal(await check(2000), false);
    assert.equal(await check(3000), true);
    assert.deepEqual(
      calls.map(([host]) => host),
      ['0.0.0.0', '::', '0.0.0.0', '0.0.0.0'],
    );
  }
});

test('a socket that cannot be created is a runtime error, not busy (P4M-CHECK-7)', async () => {
  for (const [answers, code] of [
    [{ '0.0.0.0': 'EMFILE' }, 'EMFILE'],
    [{ '::': 'EMFILE' }, 'EMFILE'],
    [{ '0.0.0.0': 'ENFILE' }, 'ENFILE'],
    [{ '0.0.0.0': 'ENOBUFS' }, 'ENOBUFS'],
    [{ '0.0.0.0': 'EPERM' }, 'EPERM'],
    [{ '0.0.0.0': 'EAFNOSUPPORT' }, 'EAFNOSUPPORT'], // no IPv4 is not "no IPv6"
    [{ '0.0.0.0 5000': 'EACCES', '0.0.0.0 0': 'EACCES' }, 'EACCES'], // socket() forbidden: even port 0 fails
    [{ '::': 'EACCES' }, 'EACCES'],
  ]) {
    const { listen } = fakeListen(answers);
    await assert.rejects(createChecker(listen)(5000), (error) => {
      assert.ok(error instanceof PortCheckError, String(error));
      assert.equal(error.exitCode, 1);
      assert.equal(error.cause.code, code);
      assert.match(error.message, new RegExp(`^cannot check port 5000: ${code}`));
      return true;
    });
  }
});

test('EACCES from bind on a port we may not bind is busy (P4M-CHECK-3): a socket on port 0 tells it from a forbidden socket()', async () => {
  for (const host of ['0.0.0.0', '::']) {
    const { listen, calls } = fakeListen({ [`${host} 80`]: 'EACCES' });
    assert.equal(await createChecker(listen)(80), false);
    assert.deepEqual(calls.at(-1), [host, 0, host === '::']);
  }
});

test('outside Linux, each local address is listened on too: a wildcard bind there can succeed beside a listener (section 8.1)', async () => {
  assert.deepEqual(localAddresses('linux'), []);
  const interfaces = () => ({
    lo0: [
      { address: '127.0.0.1', family: 'IPv4' },
      { address: '::1', family: 'IPv6', scopeid: 0 },
      { address: 'fe80::1', family: 'IPv6', scopeid: 1 },
    ],
    en0: [
      { address: '192.168.1.5', family: 'IPv4' },
      { address: 'fe80::aa', family: 6, scopeid: 4 },
    ],
  });
  assert.deepEqual(localAddresses('darwin', interfaces), [
    ['127.0.0.1', false],
    ['::1', true],
    ['fe80::1%lo0', true],
    ['192.168.1.5', false],
    ['fe80::aa%en0', true],
  ]);
  assert.deepEqual(localAddresses('win32', interfaces).slice(2).map(([host]) => host), ['fe80::1%1', '192.168.1.5', 'fe80::aa%4']);

  const locals = () => [
    ['127.0.0.1', false],
    ['::1', true],
    ['192.168.1.5', false],
  ];
  let fake = fakeListen({ '192.168.1.5 5000': 'EADDRINUSE' });
  assert.equal(await createChecker(fake.listen, locals)(5000), false, 'a listener on one address');
  assert.deepEqual(fake.calls.map(([host]) => host), ['0.0.0.0', '::', '127.0.0.1', '::1', '192.168.1.5']);
  fake = fakeListen({ '::1': 'EADDRNOTAVAIL', '192.168.1.5': 'EINVAL' });
  assert.equal(await createChecker(fake.listen, locals)(5000), true, 'addresses that cannot be listened on hold nothing');
  fake = fakeListen({ '::': 'EAFNOSUPPORT' });
  assert.equal(await createChecker(fake.listen, locals)(5000), true);
  assert.deepEqual(fake.calls.map(([host]) => host), ['0.0.0.0', '::', '127.0.0.1', '192.168.1.5'], 'no IPv6: ::1 is not tried');
  fake = fakeListen({ '127.0.0.1 5000': 'EMFILE' });
  await assert.rejects(createChecker(fake.listen, locals)(5000), PortCheckError);
  fake = fakeListen({ '127.0.0.1 80': 'EACCES' });
  assert.equal(await createChecker(fake.listen, locals)(80), false, 'EACCES on an address, port 0 works there: busy');
  let looked = 0;
  const check = createChecker(fakeListen({}).listen, () => {
    looked += 1;
    return locals();
  });
  await check(1);
  await check(2);
  assert.equal(looked, 1, 'the addresses are looked up once per search');
});

test('the command stops a search at the first port it cannot check: exit 1, no port', async () => {
  const checked = [];
  const check = async (port) => {
    checked.push(port);
    if (port === 2222) throw new PortCheckError('cannot check port 2222: EMFILE (simulated)');
    return false;
  };
  let stdout = '';
  let stderr = '';
  const code = await main({
    args: ['--user=alice', '--prepend=1111,2222,3333'],
    getVariable: () => undefined,
    stdout: (text) => (stdout += text),
    stderr: (text) => (stderr += text),
    check,
  });
  assert.equal(code, 1);
  assert.equal(stdout, '');
  assert.equal(stderr, 'port4me: cannot check port 2222: EMFILE (simulated)\n');
  assert.deepEqual(checked, [1111, 2222]);
});

// ---------------------------------------------------------------------------
// Real sockets, on this machine's own addresses only

function hold(host, { port = 0, ipv6Only = false } = {}) {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen({ host, port, ipv6Only, exclusive: true }, () => resolve(server));
  });
}

const release = (server) => new Promise((resolve) => server.close(resolve));

async function freePort() {
  for (;;) {
    const server = await hold('0.0.0.0');
    const { port } = server.address();
    await release(server);
    if (await isPortFree(port)) return port;
  }
}

const hasIPv6 = await listenOnce('::', 0, true).then((error) => error === null || !['EAFNOSUPPORT', 'EPROTONOSUPPORT', 'EADDRNOTAVAIL'].includes(error.code));

test('real sockets: listeners make a port busy on every address, UDP does not', async (t) => {
  const cases = [
    ['0.0.0.0', {}],
    ['127.0.0.1', {}],
  ];
  if (hasIPv6) cases.push(['::', { ipv6Only: true }], ['::', { ipv6Only: false }], ['::1', {}]);
  else t.diagnostic('no IPv6 here: the IPv6 listeners are not tried');
  for (const [host, options] of cases) {
    const server = await hold(host, options);
    const { port } = server.address();
    try {
      assert.equal(await isPortFree(port), false, `a listener on ${host} ${JSON.stringify(options)}`);
    } finally {
      await release(server);
    }
  }
  const port = await freePort();
  const udp = dgram.createSocket('udp4');
  await new Promise((resolve) => udp.bind(port, '0.0.0.0', resolve));
  try {
    assert.equal(await isPortFree(port), true, 'only a UDP socket: free');
  } finally {
    udp.close();
  }
});

test('real sockets: a port found free can be bound at once, and the check connects to nothing (P4M-CHECK-2, P4M-CHECK-4)', async () => {
  const port = await freePort();
  assert.equal(await isPortFree(port), true);
  const server = await hold('0.0.0.0', { port });
  let connections = 0;
  server.on('connection', (socket) => {
    connections += 1;
    socket.destroy();
  });
  try {
    assert.equal(await isPortFree(port), false);
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(connections, 0);
  } finally {
    await release(server);
  }
});

test('real sockets: the per-address listens of other platforms, run here on the loopback addresses', async () => {
  const calls = [];
  const listen = async (host, port, ipv6Only) => {
    const error = await listenOnce(host, port, ipv6Only);
    calls.push([host, error?.code ?? null]);
    return error;
  };
  const loopback = () => ({ lo: [{ address: '127.0.0.1', family: 'IPv4' }, { address: '::1', family: 'IPv6', scopeid: 0 }] });
  const check = createChecker(listen, () => localAddresses('darwin', loopback));
  const port = await freePort();
  assert.equal(await check(port), true);
  assert.deepEqual(
    calls.map(([host]) => host),
    hasIPv6 ? ['0.0.0.0', '::', '127.0.0.1', '::1'] : ['0.0.0.0', '::', '127.0.0.1'],
  );
  for (const [host, code] of calls) assert.ok(code === null || (host.includes(':') && !hasIPv6), `${host}: ${code}`);
  const held = await hold('127.0.0.1', { port });
  try {
    assert.equal(await check(port), false);
  } finally {
    await release(held);
  }
});

// ---------------------------------------------------------------------------
// The command where socket() fails: a seccomp filter (failsocket.py), as the conformance
// runner does for the needs no-ipv6 and emfile

const python = have('python3') ? 'python3' : null;

function underFilter(errno, family, args) {
  return spawnSync(python, [FAILSOCKET, errno, family, '--', process.execPath, COMMAND, ...args], {
    env: cleanEnv({}, 'real'),
    encoding: 'utf8',
    timeout: 60_000,
  });
}

const filterWorks = isLinux && python !== null && underFilter('EMFILE', 'inet6', ['--version']).status === 0;
const noFilter = filterWorks ? false : 'needs Linux, python3 and a seccomp filter (failsocket.py)';

test('no IPv6 (socket(AF_INET6) fails with EAFNOSUPPORT): IPv4 alone decides (P4M-CHECK-6)', { skip: noFilter }, async () => {
  const port = await freePort();
  let result = underFilter('EAFNOSUPPORT', 'inet6', [`--test=${port}`]);
  assert.deepEqual([result.status, result.stdout, result.stderr], [0, '', '']);
  const held = await hold('0.0.0.0', { port });
  try {
    result = underFilter('EAFNOSUPPORT', 'inet6', [`--test=${port}`]);
    assert.deepEqual([result.status, result.stdout, result.stderr], [1, '', '']);
    const other = await freePort();
    result = underFilter('EAFNOSUPPORT', 'inet6', ['--user=alice', `--prepend=${port},${other}`]);
    assert.deepEqual([result.status, result.stdout, result.stderr], [0, `${other}\n`, '']);
  } finally {
    await release(held);
  }
  if (hasIPv6) {
    const v6 = await hold('::', { port, ipv6Only: true });
    try {
      result = underFilter('EAFNOSUPPORT', 'inet6', [`--test=${port}`]);
      assert.equal(result.status, 0, 'a listener on [::] alone is not seen without IPv6');
    } finally {
      await release(v6);
    }
  }
});

test('no socket can be created (EMFILE, EACCES): exit 1, one line, no port, in test and search mode (P4M-CHECK-7)', { skip: noFilter }, async () => {
  const port = await freePort();
  const other = await freePort();
  for (const [errno, family] of [
    ['EMFILE', 'any'],
    ['EACCES', 'any'],
    ['EMFILE', 'inet6'],
  ]) {
    for (const args of [[`--test=${port}`], ['--user=alice', `--prepend=${port},${other}`]]) {
      const result = underFilter(errno, family, args);
      assert.equal(result.status, 1, `${errno} ${family} ${args}: ${result.stderr}`);
      assert.equal(result.stdout, '');
      assert.match(result.stderr, new RegExp(`^port4me: cannot check port ${port}: ${errno} [^\\n]*\\n$`));
    }
  }
  const listed = underFilter('EMFILE', 'any', ['--user=alice', '--list=2']);
  assert.deepEqual([listed.status, listed.stdout], [0, '30845\n19654\n'], 'list mode opens no socket');
});

test('a real descriptor limit: EMFILE from socket() rejects with PortCheckError', { skip: isLinux && have('prlimit') ? false : 'needs Linux and prlimit' }, () => {
  const script = `
    import { openSync } from 'node:fs';
    const { isPortFree } = await import(${JSON.stringify(`${PACKAGE}lib/port4me.js`)});
    const fds = [];
    try { for (;;) fds.push(openSync('/dev/null', 'r')); } catch (error) { if (error.code !== 'EMFILE') throw error; }
    try { console.log('answered', await isPortFree(45678)); }
    catch (error) { console.log(error.name, error.cause?.code, error.exitCode); }`;
  const result = spawnSync('prlimit', ['--nofile=256:256', process.execPath, '--input-type=module', '-e', script], {
    encoding: 'utf8',
    timeout: 60_000,
  });
  assert.equal(result.stdout.trim(), 'PortCheckError EMFILE 1', result.stderr);
});

test('strace: SO_REUSEADDR and IPV6_V6ONLY are set, sockets are closed before exit, nothing connects', { skip: isLinux && have('strace') ? false : 'needs Linux and strace' }, async (t) => {
  const port = await freePort();
  const result = spawnSync('strace', ['-f', '-e', 'trace=socket,setsockopt,bind,listen,connect,close', process.execPath, COMMAND, `--test=${port}`], {
    env: cleanEnv({}, 'real'),
    encoding: 'utf8',
    timeout: 60_000,
  });
  if (result.status !== 0 && /ptrace|Operation not permitted/.test(result.stderr)) {
    t.skip('strace cannot trace here');
    return;
  }
  assert.equal(result.status, 0, result.stderr);
  const lines = result.stderr.split('\n');
  const sockets = lines.filter((line) => /socket\(AF_INET6?, SOCK_STREAM/.test(line)).map((line) => /= (\d+)/.exec(line)[1]);
  assert.equal(sockets.length, hasIPv6 ? 2 : 1, result.stderr);
  for (const fd of sockets) {
    assert.ok(lines.some((line) => line.includes(`setsockopt(${fd}, SOL_SOCKET, SO_REUSEADDR, [1]`)), `SO_REUSEADDR on ${fd}`);
    assert.ok(lines.some((line) => new RegExp(`listen\\(${fd}, `).test(line)), `listen on ${fd}`);
    assert.ok(lines.some((line) => new RegExp(`close\\(${fd}\\)`).test(line)), `close of ${fd}`);
  }
  if (hasIPv6) assert.ok(lines.some((line) => line.includes('IPV6_V6ONLY, [1]')), 'IPV6_V6ONLY');
  assert.ok(!lines.some((line) => /connect\(\d+, \{sa_family=AF_INET/.test(line)), 'no connect()');
  assert.ok(lines.some((line) => line.includes(`sin_port=htons(${port}), sin_addr=inet_addr("0.0.0.0")`)), 'binds 0.0.0.0');
});

test('the command runs real checks on a port held by another process', async () => {
  const held = await hold('127.0.0.1');
  const { port } = held.address();
  const other = await freePort();
  try {
    const child = spawn(process.execPath, [COMMAND, '--user=alice', `--prepend=${port},${other}`], { env: cleanEnv({}, 'real') });
    let stdout = '';
    child.stdout.on('data', (data) => (stdout += data));
    const status = await new Promise((resolve) => child.on('close', resolve));
    assert.equal(status, 0);
    assert.equal(stdout, `${other}\n`);
  } finally {
    await release(held);
  }
});

test('a privileged port is busy for a user who may not bind it (P4M-CHECK-3)', { skip: isRoot && isLinux && have('setpriv') ? false : 'needs root, Linux and setpriv' }, () => {
  const start = Number(readFileSync('/proc/sys/net/ipv4/ip_unprivileged_port_start', 'utf8'));
  if (!(start > 1)) return;
  const dir = mkdtempSync(`${tmpdir()}/port4me-js-`);
  try {
    const result = spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, COMMAND, `--test=${start - 1}`], {
      env: cleanEnv({}, 'real'),
      cwd: dir,
      encoding: 'utf8',
    });
    assert.deepEqual([result.status, result.stdout, result.stderr], [1, '', '']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
