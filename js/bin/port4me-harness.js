#!/usr/bin/env node
// port4me-harness: this package behind the harness protocol 1.0 (spec/INTERPRETING.md
// section 11). One JSON request per line on stdin, one answer per line on stdout, in one
// process for a whole run. Both interfaces: `cli` runs the command's main() with the
// request's arguments and environment; `library` calls port4me().
//
// Errors map to kinds so: UsageError is `usage`; NoFreePortError, PortCheckError and any
// other Port4meError are `runtime`; anything else is `crash`.

import { writeSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { main } from '../lib/cli.js';
import { Port4meError, UsageError, VERSION, initialState, lcgNext, port4me, seedString, stringHash } from '../lib/port4me.js';

const PROTOCOL = '1.0';
const UNIT = { string_hash: stringHash, initial_state: initialState, lcg_next: lcgNext, seed_string: (pair) => seedString(...pair) };
const SETTINGS = { max_tries: 'maxTries' };

console.log = console.error; // stdout carries answers only

function toBytes(value) {
  return typeof value === 'string' ? value : Buffer.from(value.hex, 'hex');
}

function fromBytes(buffer) {
  const text = buffer.toString('utf8');
  return Buffer.from(text, 'utf8').equals(buffer) ? text : { hex: buffer.toString('hex') };
}

async function callCli(request) {
  const out = [];
  const err = [];
  const env = new Map(Object.entries(request.env).map(([name, value]) => [name, toBytes(value)]));
  const code = await main({
    args: request.argv.map(toBytes),
    getVariable: (name) => env.get(name),
    stdout: (text) => out.push(Buffer.from(text)),
    stderr: (text) => err.push(Buffer.from(text)),
  });
  return { stdout: fromBytes(Buffer.concat(out)), stderr: fromBytes(Buffer.concat(err)), exit_code: code };
}

async function callLibrary(request) {
  const options = { env: request.env };
  for (const [name, value] of Object.entries(request.settings)) options[SETTINGS[name] ?? name] = value;
  try {
    const result = await port4me(options);
    if (typeof result === 'boolean') return { free: result };
    return { ports: Array.isArray(result) ? result : [result] };
  } catch (error) {
    const kind = error instanceof UsageError ? 'usage' : error instanceof Port4meError ? 'runtime' : 'crash';
    return { error: { kind, message: String(error && error.message) } };
  }
}

function describe() {
  return {
    name: 'port4me-js',
    version: VERSION,
    language: 'JavaScript',
    language_version: `Node.js ${process.versions.node}`,
    homepage: '',
    issues: '',
    interfaces: ['cli', 'library'],
    unit: Object.keys(UNIT),
    notes: 'the JavaScript port of the port4me kit (js/)',
  };
}

async function answer(request) {
  if (request.op === 'hello') return { protocol: PROTOCOL, implementation: describe() };
  if (request.op === 'unit') return { value: UNIT[request.function](request.input) };
  return request.interface === 'cli' ? callCli(request) : callLibrary(request);
}

function send(message) {
  const data = Buffer.from(`${JSON.stringify(message)}\n`);
  let offset = 0;
  while (offset < data.length) {
    try {
      offset += writeSync(1, data, offset);
    } catch (error) {
      if (error.code !== 'EAGAIN') throw error;
    }
  }
}

for await (const line of createInterface({ input: process.stdin, crlfDelay: Infinity })) {
  const request = JSON.parse(line);
  if (request.op === 'stop') break;
  send({ seq: request.seq, ...(await answer(request)) });
}
process.exit(0);
