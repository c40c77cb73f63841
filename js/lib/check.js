// Checking a port (spec section 8): could a TCP server listen on it on 0.0.0.0 and,
// where the host has IPv6, on [::] with IPV6_V6ONLY, right now?
//
// Node's net.Server sets SO_REUSEADDR on every TCP listener it binds on POSIX systems
// (libuv's uv__tcp_bind), and IPV6_V6ONLY when `ipv6Only` is true; the test suite
// checks both with strace where it can. On Linux, the two wildcard binds decide both
// halves of P4M-CHECK-1 (section 8.1). Elsewhere (macOS, the BSDs, Windows) a wildcard
// bind can succeed beside a listener on one address, so the check also listens on each
// local address (os.networkInterfaces(), and 127.0.0.1 and ::1). Nothing connects to the
// port (P4M-CHECK-4), and every socket is closed before the answer (P4M-CHECK-2).

import { createRequire } from 'node:module';
import { PortCheckError, UsageError } from './errors.js';

let requireBuiltin;

/** A built-in module, loaded only when first needed; never through ESM's namespace (which loads more). */
export function builtin(name) {
  if (typeof process.getBuiltinModule === 'function') return process.getBuiltinModule(name);
  requireBuiltin ??= createRequire(import.meta.url);
  return requireBuiltin(name);
}

let net;

/**
 * Listen on host:port and close again. Resolves to null when the server listened (and
 * has been closed), or to Node's error (with `code`) when it could not.
 */
export function listenOnce(host, port, ipv6Only) {
  net ??= builtin('net');
  return new Promise((resolve) => {
    let server;
    try {
      server = net.createServer();
      server.once('error', resolve);
      server.listen({ host, port, ipv6Only, exclusive: true, backlog: 1 }, () => server.close(() => resolve(null)));
    } catch (error) {
      resolve(error);
    }
  });
}

// An IPv6 socket that fails with one of these means the host has no IPv6 (P4M-CHECK-6).
const NO_IPV6 = new Set(['EAFNOSUPPORT', 'EPROTONOSUPPORT', 'EADDRNOTAVAIL']);

function failure(port, error) {
  const code = error && error.code ? error.code : 'an unknown error';
  const detail = error && error.message ? error.message.split('\n', 1)[0] : String(error);
  return new PortCheckError(`cannot check port ${port}: ${code} (${detail})`, { cause: error });
}

/**
 * The local addresses to listen on besides the wildcards, as [host, isIPv6] pairs: none on
 * Linux, where the wildcard binds see listeners on every address (section 8.1).
 */
export function localAddresses(platform = process.platform, interfaces = () => builtin('os').networkInterfaces()) {
  if (platform === 'linux') return [];
  const hosts = new Map([
    ['127.0.0.1', false],
    ['::1', true],
  ]);
  for (const [name, entries] of Object.entries(interfaces())) {
    for (const entry of entries ?? []) {
      const ipv6 = entry.family === 'IPv6' || entry.family === 6;
      // a link-local IPv6 address names its interface: by number on Windows, by name elsewhere
      const zone = ipv6 && entry.scopeid ? `%${platform === 'win32' ? entry.scopeid : name}` : '';
      hosts.set(`${entry.address}${zone}`, ipv6);
    }
  }
  return [...hosts];
}

/**
 * A check function, port => Promise<boolean>, that remembers across calls whether the
 * host has IPv6. `listen` replaces listenOnce and `addresses` the local addresses (tests
 * use both to simulate failures and other platforms).
 * Rejects with PortCheckError when a socket cannot be created (P4M-CHECK-7).
 */
export function createChecker(listen = listenOnce, addresses = localAddresses) {
  let hasIPv6; // undefined until the first IPv6 socket answers
  let locals; // the local addresses, looked up once

  // Does this listen error mean "busy"? Throws when it means "cannot check".
  async function busy(error, host, port) {
    if (error.code === 'EADDRINUSE') return true;
    if (error.code === 'EACCES' || error.code === 'EPERM') {
      // EACCES (or EPERM) comes from bind() for a port we may not bind (busy, P4M-CHECK-3,
      // P4M-CHECK-7), or from socket() when policy forbids sockets (a runtime error, P4M-CHECK-7).
      // Node reports both as "listen EACCES": a socket on a port the system picks tells them apart.
      const probe = await listen(host, 0, host === '::');
      if (probe === null) return true;
      throw failure(port, probe.code === error.code ? error : probe);
    }
    throw failure(port, error);
  }

  // P4M-CHECK-1 (b), and on Linux (a): the wildcard addresses of both families.
  async function wildcards(port) {
    const ipv4 = await listen('0.0.0.0', port, false);
    if (ipv4 !== null && (await busy(ipv4, '0.0.0.0', port))) return false;
    if (hasIPv6 === false) return true;
    const ipv6 = await listen('::', port, true);
    if (ipv6 === null) {
      hasIPv6 = true;
      return true;
    }
    if (NO_IPV6.has(ipv6.code)) {
      hasIPv6 = false; // IPv4 alone decides, from now on
      return true;
    }
    return !(await busy(ipv6, '::', port));
  }

  return async function check(port) {
    if (!(await wildcards(port))) return false;
    locals ??= addresses();
    for (const [host, ipv6] of locals) {
      if (ipv6 && hasIPv6 === false) continue;
      const error = await listen(host, port, false);
      // an address that went away, or that cannot be listened on, holds no listener
      if (error === null || error.code === 'EADDRNOTAVAIL' || error.code === 'EINVAL') continue;
      if (await busy(error, host, port)) return false;
    }
    return true;
  };
}

/** A value as a message shows it: strings quoted, anything else by its type or value. */
export function describe(value) {
  if (typeof value === 'string') return `'${value.length > 60 ? `${value.slice(0, 60)}...` : value}'`;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (value === null || value === undefined) return String(value);
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value === 'object' ? (value.constructor?.name ?? 'object') : typeof value}`;
}

/** The spec's check of one port (section 8): true if free, false if busy. */
export async function isPortFree(port) {
  let number = port;
  if (typeof port === 'string' && /^[0-9]{1,5}$/.test(port)) number = Number(port);
  if (!Number.isInteger(number) || number < 1 || number > 65535) {
    throw new UsageError(`invalid port ${describe(port)}: expected a whole number from 1 to 65535`);
  }
  return createChecker()(number);
}
