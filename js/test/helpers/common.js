// Shared by the tests: where things are, the vectors, and running the command.

import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const PACKAGE = fileURLToPath(new URL('../..', import.meta.url));
export const COMMAND = fileURLToPath(new URL('../../bin/port4me.cjs', import.meta.url));
export const VECTORS = fileURLToPath(new URL('../../../vectors', import.meta.url));
export const FAILSOCKET = fileURLToPath(new URL('./failsocket.py', import.meta.url));

/** Every case of the repository's vectors (vectors/*.json), each with its file; [] outside the repository. */
export function loadCases() {
  if (!existsSync(VECTORS)) return [];
  const cases = [];
  for (const name of readdirSync(VECTORS).filter((file) => file.endsWith('.json')).sort()) {
    const document = JSON.parse(readFileSync(`${VECTORS}/${name}`, 'utf8'));
    for (const item of document.cases) cases.push({ ...item, file: name });
  }
  return cases;
}

/** The environment the conformance runner gives each call (INTERPRETING.md 2.1), plus extra. */
export function cleanEnv(extra = {}, check = 'any') {
  const env = { PATH: '/usr/local/bin:/usr/bin:/bin', HOME: '/nonexistent', LANG: 'C.UTF-8' };
  if (check === 'any') env._PORT4ME_CHECK_AVAILABLE_PORTS_ = 'any';
  return { ...env, ...extra };
}

/** Run the command with this Node; stdout and stderr as strings. */
export function run(args, { env = cleanEnv(), ...options } = {}) {
  const result = spawnSync(process.execPath, [COMMAND, ...args], { env, encoding: 'utf8', timeout: 60_000, ...options });
  return { status: result.status, signal: result.signal, stdout: result.stdout, stderr: result.stderr };
}

/** printf's octal escapes for raw bytes, for a shell word that holds them: "$(printf '...')". */
export function shellBytes(bytes) {
  return `"$(printf '${[...bytes].map((byte) => `\\${byte.toString(8).padStart(3, '0')}`).join('')}')"`;
}

/** Quote a string for /bin/sh. */
export function shellQuote(text) {
  return `'${text.replaceAll("'", "'\\''")}'`;
}

/** Is a program on PATH? */
export function have(program) {
  return spawnSync('sh', ['-c', `command -v ${program}`], { encoding: 'utf8' }).status === 0;
}

export const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
export const isLinux = process.platform === 'linux';
