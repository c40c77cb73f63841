// The port4me command (spec section 7): options written --name=value, ports on stdout,
// one line on stderr for an error, exit codes 0, 1 and 2.

import { builtin } from './check.js';
import { Port4meError, UsageError } from './errors.js';
import {
  SPEC_VERSION,
  Settings,
  Unverified,
  VERSION,
  accountName,
  execute,
  processVariable,
  quote,
  resolve,
  sameText,
} from './core.js';

const VALUE_OPTIONS = new Map([
  ['--user', 'user'],
  ['--tool', 'tool'],
  ['--prepend', 'prepend'],
  ['--include', 'include'],
  ['--exclude', 'exclude'],
  ['--skip', 'skip'],
  ['--list', 'list'],
  ['--max-tries', 'maxTries'],
  ['--test', 'test'],
]);
const LABELS = new Map([...VALUE_OPTIONS].map(([option, name]) => [name, option]));

export const HELP = `port4me: the same personal, free TCP port, every time (JavaScript)

Usage: port4me [--name=VALUE ...] [TOOL]

Prints the first free port of your personal sequence, which is seeded by your
user name and the tool name. Ports go to stdout, one per line; an error is one
line on stderr.

Options, always written --name=value; each replaces its variable [in brackets]:
  --user=NAME        user name in the seed          [PORT4ME_USER; then USER,
                     LOGNAME, USERNAME, then the account name]
  --tool=NAME        tool name in the seed; TOOL, the one argument, is the same
                                                                  [PORT4ME_TOOL]
  --prepend=PORTS    ports to try first, in order       [PORT4ME_PREPEND; always
                     followed by PORT4ME_PREPEND_SITE]
  --include=PORTS    candidate ports (default 1024-65535)     [PORT4ME_INCLUDE;
                     always joined by PORT4ME_INCLUDE_SITE]
  --exclude=PORTS    ports never to pick                      [PORT4ME_EXCLUDE;
                     always joined by PORT4ME_EXCLUDE_SITE and the unsafe set]
  --skip=N           skip the first N ports of the sequence       [PORT4ME_SKIP]
  --list=N           print the first N ports (1-65536), unchecked [PORT4ME_LIST]
  --max-tries=N      check at most N ports (1-65535, default 65535)
                                                             [PORT4ME_MAX_TRIES]
  --test=PORT        exit 0 if PORT is free, 1 if busy; reads nothing else
                                                                  [PORT4ME_TEST]
  --help, -h         show this help
  --version          show the version
  --                 what follows is the TOOL, even if it starts with '-'

An empty value counts as unset. PORTS is a list of ports (8080), ranges
(5000-5999) and the tokens {chrome} and {firefox}, separated by commas or white
space; port 0 is ignored, so --exclude=0 clears PORT4ME_EXCLUDE.

More variables:
  PORT4ME_EXCLUDE_UNSAFE          ports browsers block (default
                                  "{chrome},{firefox}"; empty or 0: none)
  PORT4ME_EXCLUDE_UNSAFE_CHROME   the ports {chrome} stands for (default:
  PORT4ME_EXCLUDE_UNSAFE_FIREFOX  Chrome's and Firefox's lists of 2022-10-24)
  _PORT4ME_CHECK_AVAILABLE_PORTS_ testing only: "any" makes every port count as
                                  free, "any-except:PORTS" all but those ports

A port is free when a TCP server could listen on it on 0.0.0.0 and [::] now.
Exit status: 0 success (--test: free), 1 no free port or a port cannot be
checked (--test: busy), 2 bad input.

Examples:
  port4me                        your port
  port4me jupyter                your port for Jupyter
  port4me --list=5               your first five ports
  port4me --test=8087 && echo free

port4me-js ${VERSION}, implementing the port4me specification ${SPEC_VERSION}
`;

function textOf(arg) {
  if (typeof arg === 'string') return arg;
  if (arg instanceof Uint8Array) return new TextDecoder('utf-8', { ignoreBOM: true }).decode(arg);
  return arg.text;
}

/** The value after the first '=' of an argument, in the argument's own form (text or bytes). */
function valueAfter(arg, text, equals) {
  if (typeof arg === 'string') return arg.slice(equals + 1);
  if (arg instanceof Uint8Array) return arg.subarray(arg.indexOf(0x3d) + 1); // the name before it is ASCII
  return new Unverified(text.slice(equals + 1));
}

/**
 * Parse the arguments (P4M-CLI-1..4, P4M-CLI-10): exact names, values after the first
 * '=', the last of a repeated option wins, at most one positional tool, '--' ends options.
 * Arguments are strings, or raw bytes where they hold bytes that may not be UTF-8.
 */
export function parseArguments(args) {
  const options = {};
  const positional = [];
  let help = false;
  let version = false;
  let toolOption = false;
  let ended = false;
  for (const arg of args) {
    const text = textOf(arg);
    if (ended || text === '-' || !text.startsWith('-')) {
      positional.push(arg);
      continue;
    }
    if (text === '--') {
      ended = true;
      continue;
    }
    if (text === '-h') {
      help = true;
      continue;
    }
    const equals = text.indexOf('=');
    const name = equals < 0 ? text : text.slice(0, equals);
    if (name === '--help' || name === '--version') {
      if (equals >= 0) throw new UsageError(`the option ${name} takes no value: ${quote(text)}`);
      if (name === '--help') help = true;
      else version = true;
      continue;
    }
    const setting = VALUE_OPTIONS.get(name);
    if (setting === undefined) {
      throw new UsageError(`unknown option ${quote(text)} (options are written --name=value; see --help)`); // all of it: `--=x` has no name
    }
    if (equals < 0) throw new UsageError(`the option ${name} needs a value: write ${name}=VALUE`);
    options[setting] = valueAfter(arg, text, equals);
    if (setting === 'tool') toolOption = true;
  }
  if (positional.length > 1) {
    throw new UsageError(`at most one tool argument, got ${positional.map(quote).join(', ')}`);
  }
  if (positional.length === 1) {
    if (toolOption) throw new UsageError(`give the tool once, as --tool=NAME or as the argument ${quote(positional[0])}, not both`);
    options.tool = positional[0];
  }
  return { options, help, version, toolArgument: positional.length === 1 };
}

/**
 * Run the command. args: the arguments after the command's name; getVariable(name): a
 * variable's value; stdout/stderr: write functions. Resolves to the exit code.
 */
export async function main({ args, getVariable, accountName: account = accountName, stdout, stderr, check }) {
  try {
    const { options, help, version, toolArgument } = parseArguments(args);
    if (help) {
      stdout(HELP);
      return 0;
    }
    if (version) {
      stdout(`port4me-js ${VERSION} (port4me spec ${SPEC_VERSION})\n`);
      return 0;
    }
    const label = (name) => (name === 'tool' && toolArgument ? 'tool argument' : LABELS.get(name));
    const request = resolve(new Settings(options, { label, getVariable, accountName: account }));
    const result = await execute(request, check);
    if (request.mode === 'test') return result ? 0 : 1;
    stdout(request.mode === 'list' ? `${result.join('\n')}\n` : `${result}\n`);
    return 0;
  } catch (error) {
    const known = error instanceof Port4meError;
    const message = known ? error.message : `internal error: ${error && error.stack ? String(error.message) : String(error)}`;
    stderr(`port4me: ${message.replace(/[\r\n]+/g, ' ')}\n`);
    return known && error.exitCode ? error.exitCode : 1;
  }
}

// ---------------------------------------------------------------------------
// The process: raw argument bytes, and writes that survive a closed pipe

let cmdline;

/** The raw bytes of this process's arguments after the script, from /proc/self/cmdline, or null. */
function rawArguments(count) {
  if (cmdline === undefined) {
    cmdline = null;
    try {
      const data = builtin('fs').readFileSync('/proc/self/cmdline');
      const parts = [];
      let start = 0;
      for (let i = 0; i < data.length; i += 1) {
        if (data[i] === 0) {
          parts.push(data.subarray(start, i));
          start = i + 1;
        }
      }
      if (start < data.length) parts.push(data.subarray(start));
      if (parts.length >= count) cmdline = parts.slice(parts.length - count);
    } catch {
      // not Linux, or no /proc
    }
  }
  return cmdline;
}

/**
 * process.argv decodes arguments with U+FFFD in place of bytes that are not UTF-8
 * (P4M-HASH-3 must see them). An argument with U+FFFD is replaced by its raw bytes
 * from /proc/self/cmdline when they decode to it, and marked Unverified otherwise.
 */
export function processArguments(argv = process.argv.slice(2)) {
  return argv.map((arg, index) => {
    if (!arg.includes('\uFFFD')) return arg;
    const raw = rawArguments(argv.length);
    const bytes = raw === null ? undefined : raw[index];
    return bytes !== undefined && sameText(textOf(bytes), arg) ? bytes : new Unverified(arg);
  });
}

let pause;

/** Write all of text to a file descriptor; false if the reader went away (EPIPE). */
export function writeAll(fd, text) {
  const fs = builtin('fs');
  const buffer = Buffer.from(text);
  let offset = 0;
  while (offset < buffer.length) {
    try {
      offset += fs.writeSync(fd, buffer, offset);
    } catch (error) {
      if (error.code === 'EPIPE') return false;
      if (error.code !== 'EAGAIN') throw error;
      pause ??= new Int32Array(new SharedArrayBuffer(4));
      Atomics.wait(pause, 0, 0, 1); // a non-blocking pipe is full: wait for the reader
    }
  }
  return true;
}

/** The command as a process: exits with the code. A reader that closes stdout early is not an error. */
export async function run() {
  const stderr = (text) => {
    try {
      writeAll(2, text);
    } catch {
      // nowhere left to say it
    }
  };
  const stdout = (text) => {
    try {
      writeAll(1, text);
    } catch (error) {
      throw new Port4meError(`cannot write to stdout: ${error.code ?? error.message}`);
    }
  };
  const code = await main({ args: processArguments(), getVariable: processVariable, stdout, stderr });
  process.exit(code);
}
