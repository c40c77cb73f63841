// port4me for Node.js, written from the port4me specification, version 1.2: everything
// but the check (check.js) and the command line (cli.js). The public API is port4me.js.
//
// The same free TCP port for a user and a tool, every time: a string hash of
// "user,tool" seeds a linear congruential generator whose draws, minus excluded
// ports, are checked one by one until one is free. The spec's section numbers and
// requirement IDs (P4M-...) are cited where the code implements them.

import { NoFreePortError, UsageError } from './errors.js';
import { builtin, createChecker, describe } from './check.js';

/** This package's version. */
export const VERSION = '1.0.0';
/** The version of the port4me specification it implements. */
export const SPEC_VERSION = '1.2';

// ---------------------------------------------------------------------------
// Section 3: hash, seed and generator

const LONE_SURROGATE = /\p{Cs}/u; // in a /u pattern a surrogate pair is one code point, never Cs

/** Does the string hold a lone surrogate? (String#isWellFormed is native from Node 20; the pattern costs more to compile.) */
function hasLoneSurrogate(text) {
  return typeof text.isWellFormed === 'function' ? !text.isWellFormed() : LONE_SURROGATE.test(text);
}

/** P4M-HASH-1: h = 31·h + c mod 2³² over the string's code points (not UTF-16 units). */
export function stringHash(text) {
  if (typeof text !== 'string') throw new UsageError(`stringHash() expects a string, not ${describe(text)}`);
  if (hasLoneSurrogate(text)) throw new UsageError('stringHash(): the string holds a lone surrogate, which is not a Unicode scalar value');
  let hash = 0;
  for (const char of text) hash = (Math.imul(hash, 31) + char.codePointAt(0)) >>> 0;
  return hash;
}

/** P4M-SEED-1: user + "," + tool, with exactly one trailing comma removed. */
export function seedString(user, tool = '') {
  const seed = `${user},${tool}`;
  return seed.endsWith(',') ? seed.slice(0, -1) : seed;
}

/** P4M-LCG-1: the generator's initial state for a seed string. */
export function initialState(seed) {
  return stringHash(seed) % 65537;
}

/** P4M-LCG-2: the generator's next state (and draw); next(65536) is 74. */
export function lcgNext(state) {
  if (!Number.isInteger(state) || state < 0 || state > 65536) {
    throw new UsageError(`lcgNext() expects a state from 0 to 65536, not ${describe(state)}`);
  }
  return state === 65536 ? 74 : (75 * state + 74) % 65537;
}

// ---------------------------------------------------------------------------
// Section 9: the ports browsers block, as of 2022-10-24

/** {chrome}: Chrome's restricted ports, in the spec's order (P4M-UNSAFE-1). */
export const CHROME_PORTS = Object.freeze([
  1, 7, 9, 11, 13, 15, 17, 19, 20, 21, 22, 23, 25, 37, 42, 43, 53, 69, 77, 79, 87, 95, 101, 102, 103, 104,
  109, 110, 111, 113, 115, 117, 119, 123, 135, 137, 139, 143, 161, 179, 389, 427, 465, 512, 513, 514,
  515, 526, 530, 531, 532, 540, 548, 554, 556, 563, 587, 601, 636, 989, 990, 993, 995, 1719, 1720,
  1723, 2049, 3659, 4045, 5060, 5061, 6000, 6566, 6665, 6666, 6667, 6668, 6669, 6697, 10080,
]);

/** {firefox}: Firefox's banned ports, in the spec's order (P4M-UNSAFE-1). */
export const FIREFOX_PORTS = Object.freeze([
  1, 7, 9, 11, 13, 15, 17, 19, 20, 21, 22, 23, 25, 37, 42, 43, 53, 77, 79, 87, 95, 101, 102, 103, 104, 109,
  110, 111, 113, 115, 117, 119, 123, 135, 139, 143, 179, 389, 465, 512, 513, 514, 515, 526, 530, 531,
  532, 540, 556, 563, 587, 601, 636, 993, 995, 2049, 4045, 6000,
]);

// ---------------------------------------------------------------------------
// Section 5: port lists. A list is parsed into intervals [low, high] of ports 1..65535.

const SEPARATORS = /[\t-\r ,]+/; // comma, space, \t \n \v \f \r (P4M-LIST-1)
const ITEM = /^([0-9]+)(?:-([0-9]+))?$/; // a port or a range; [0-9] is ASCII only

/** Why a port list is bad: the offending item and what is wrong with it. */
class ListError {
  constructor(item, describeWith) {
    this.item = item;
    this.describeWith = describeWith; // (quote) => text
  }
}

/** A decimal port (leading zeros allowed, P4M-LIST-2), or -1 when it is above 65535. */
function portNumber(digits) {
  let start = 0;
  while (start < digits.length - 1 && digits.charCodeAt(start) === 48) start += 1;
  if (digits.length - start > 5) return -1;
  const value = Number(digits.slice(start));
  return value > 65535 ? -1 : value;
}

/**
 * Parse a port list (section 5) and push its intervals onto `out`, in the order written.
 * `tokens` expands {chrome} and {firefox} to intervals, or is null where tokens are not allowed.
 */
function parseList(text, tokens, out) {
  for (const item of text.split(SEPARATORS)) {
    if (item === '') continue;
    const match = ITEM.exec(item);
    if (match !== null) {
      const low = portNumber(match[1]);
      if (low < 0) throw new ListError(match[1], (q) => `port ${q(match[1])} is above 65535`);
      let high = low;
      if (match[2] !== undefined) {
        high = portNumber(match[2]);
        if (high < 0) throw new ListError(match[2], (q) => `port ${q(match[2])} in ${q(item)} is above 65535`);
        if (low > high) throw new ListError(item, (q) => `the range ${q(item)} goes down (P4M-LIST-3)`);
      }
      if (high > 0) out.push([low === 0 ? 1 : low, high]); // port 0 is dropped (P4M-LIST-4)
    } else if (item === '{chrome}' || item === '{firefox}') {
      if (tokens === null) throw new ListError(item, (q) => `the token ${q(item)} is not allowed here`);
      for (const interval of tokens(item)) out.push(interval);
    } else if (item.startsWith('{') && item.endsWith('}')) {
      throw new ListError(item, (q) => `${q(item)} is not a known token ({chrome} or {firefox})`);
    } else {
      throw new ListError(item, (q) => `${q(item)} is not a port, a range or a token`);
    }
  }
  return out;
}

/** Intervals sorted, overlapping and adjacent ones joined: a value's cost is its distinct ports. */
function merge(intervals) {
  if (intervals.length < 2) return intervals;
  const sorted = intervals.slice().sort((a, b) => a[0] - b[0]);
  const out = [[sorted[0][0], sorted[0][1]]];
  for (let i = 1; i < sorted.length; i += 1) {
    const [low, high] = sorted[i];
    const last = out[out.length - 1];
    if (low <= last[1] + 1) {
      if (high > last[1]) last[1] = high;
    } else {
      out.push([low, high]);
    }
  }
  return out;
}

function sizeOf(merged) {
  let size = 0;
  for (const [low, high] of merged) size += high - low + 1;
  return size;
}

/** The number of ports two merged interval lists share. */
function overlap(a, b) {
  let shared = 0;
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const low = Math.max(a[i][0], b[j][0]);
    const high = Math.min(a[i][1], b[j][1]);
    if (low <= high) shared += high - low + 1;
    if (a[i][1] < b[j][1]) i += 1;
    else j += 1;
  }
  return shared;
}

/** A membership table of 65536 entries for merged intervals. */
function table(merged) {
  const member = new Uint8Array(65536);
  for (const [low, high] of merged) member.fill(1, low, high + 1);
  return member;
}

/** Section 4.2: C = include minus exclude; the include set is 1024-65535 when empty (P4M-SET-1). */
function candidateSet(include, exclude) {
  let included = merge(include);
  if (included.length === 0) included = [[1024, 65535]];
  const excluded = merge(exclude);
  const member = table(included);
  for (const [low, high] of excluded) member.fill(0, low, high + 1);
  return { member, size: sizeOf(included) - overlap(included, excluded) };
}

/**
 * P4M-SET-4: the ports in the order written, each once. The work is bounded by the
 * distinct ports, not by how often ranges repeat them (P4M-LIST-2): past a size,
 * each port is found through "next port not yet taken" links.
 */
function distinctInOrder(intervals) {
  const out = [];
  let total = 0;
  for (const [low, high] of intervals) total += high - low + 1;
  if (total <= 4 * 65536) {
    const seen = new Uint8Array(65536);
    for (const [low, high] of intervals) {
      for (let port = low; port <= high; port += 1) {
        if (seen[port] === 0) {
          seen[port] = 1;
          out.push(port);
        }
      }
    }
    return out;
  }
  const next = new Int32Array(65537); // next[p] leads to the first port >= p not taken yet
  for (let port = 0; port <= 65536; port += 1) next[port] = port;
  const find = (port) => {
    let root = port;
    while (next[root] !== root) root = next[root];
    while (next[port] !== root) {
      const up = next[port];
      next[port] = root;
      port = up;
    }
    return root;
  };
  for (const [low, high] of intervals) {
    for (let port = find(low); port <= high; port = find(port + 1)) {
      out.push(port);
      next[port] = port + 1;
    }
  }
  return out;
}

// ---------------------------------------------------------------------------
// Section 4.1: the output stream

/**
 * The candidate stream, indexed: the k-th draw (from 0) that lies in C. It is periodic
 * with period |C| (P4M-SEQ-6): the first 65536 draws hold each candidate once, so
 * k < |C| is all a caller needs, and no index costs more than 65536 steps.
 */
function candidateCycle(state, member, size) {
  const order = new Uint16Array(size);
  let found = 0;
  let current = state;
  return (k) => {
    while (found <= k) {
      current = current === 65536 ? 74 : (75 * current + 74) % 65537;
      if (member[current] === 1) {
        order[found] = current;
        found += 1;
      }
    }
    return order[k];
  };
}

/** A decimal number, given as digits, modulo m; linear in its length (P4M-SEQ-3). */
function remainder(digits, m) {
  let rest = 0;
  for (let i = 0; i < digits.length; i += 1) rest = (rest * 10 + digits.charCodeAt(i) - 48) % m;
  return rest;
}

/** The output stream after skip (P4M-SEQ-1, P4M-SEQ-2), without end. */
function* outputStream(request) {
  const { prepend, candidates, skip } = request;
  const next = candidateCycle(initialState(seedString(request.user, request.tool)), candidates.member, candidates.size);
  let k = 0;
  if (skip.length < 16 && Number(skip) < prepend.length) {
    for (let i = Number(skip); i < prepend.length; i += 1) yield prepend[i];
  } else {
    // skip - |P| modulo |C|, from the digits: the cost grows with the number of digits only
    k = (remainder(skip, candidates.size) - (prepend.length % candidates.size) + candidates.size) % candidates.size;
  }
  for (;;) {
    yield next(k);
    k = k + 1 === candidates.size ? 0 : k + 1;
  }
}

// ---------------------------------------------------------------------------
// Messages: values quoted on one line, control characters and bad bytes escaped (P4M-CLI-11)

let lenientDecoder;
let strictDecoder;

function decodeLenient(bytes) {
  lenientDecoder ??= new TextDecoder('utf-8', { ignoreBOM: true });
  return lenientDecoder.decode(bytes);
}

/** The text of valid UTF-8 (RFC 3629), or undefined. A BOM is kept as U+FEFF. */
function decodeStrict(bytes) {
  strictDecoder ??= new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  try {
    return strictDecoder.decode(bytes);
  } catch {
    return undefined;
  }
}

// eslint-disable-next-line no-control-regex -- control characters are what this finds, to show them escaped
const UNSHOWABLE = /[\0-\x1f\x7f-\x9f\u2028\u2029]|\p{Cs}/gu;
const ESCAPES = { '\t': '\\t', '\n': '\\n', '\r': '\\r', '\\': '\\\\' };

function escapeText(text) {
  return text.replace(UNSHOWABLE, (char) => {
    if (ESCAPES[char]) return ESCAPES[char];
    const code = char.charCodeAt(0);
    return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

/** The length of the valid UTF-8 sequence at bytes[i] (RFC 3629, Table 3-7), or 0. */
function sequenceLength(bytes, i) {
  const b0 = bytes[i];
  if (b0 < 0x80) return 1;
  const cont = (k, low = 0x80, high = 0xbf) => i + k < bytes.length && bytes[i + k] >= low && bytes[i + k] <= high;
  if (b0 >= 0xc2 && b0 <= 0xdf) return cont(1) ? 2 : 0;
  if (b0 >= 0xe0 && b0 <= 0xef) {
    const low = b0 === 0xe0 ? 0xa0 : 0x80;
    const high = b0 === 0xed ? 0x9f : 0xbf;
    return cont(1, low, high) && cont(2) ? 3 : 0;
  }
  if (b0 >= 0xf0 && b0 <= 0xf4) {
    const low = b0 === 0xf0 ? 0x90 : 0x80;
    const high = b0 === 0xf4 ? 0x8f : 0xbf;
    return cont(1, low, high) && cont(2) && cont(3) ? 4 : 0;
  }
  return 0;
}

function escapeBytes(bytes) {
  let out = '';
  let start = 0;
  let i = 0;
  while (i < bytes.length) {
    const length = sequenceLength(bytes, i);
    if (length > 0) {
      i += length;
    } else {
      out += escapeText(decodeLenient(bytes.subarray(start, i))) + `\\x${bytes[i].toString(16).padStart(2, '0')}`;
      i += 1;
      start = i;
    }
  }
  return out + escapeText(decodeLenient(bytes.subarray(start)));
}

/** A value quoted for a one-line message; longer than 200 characters, shortened (P4M-CLI-11). */
export function quote(value) {
  const shown = value instanceof Uint8Array ? escapeBytes(value) : escapeText(String(value instanceof Unverified ? value.text : value));
  const chars = [...shown];
  if (chars.length <= 200) return `'${shown}'`;
  return `'${chars.slice(0, 150).join('')}...${chars.slice(-40).join('')}' (${chars.length} characters)`;
}

// ---------------------------------------------------------------------------
// Section 6: settings

/**
 * Text read from argv or the environment that holds U+FFFD where this platform cannot
 * show the raw bytes: Node may have put it there for bytes that are not UTF-8.
 */
export class Unverified {
  constructor(text) {
    this.text = text;
  }
}

const VARIABLES = {
  user: 'PORT4ME_USER',
  tool: 'PORT4ME_TOOL',
  prepend: 'PORT4ME_PREPEND',
  include: 'PORT4ME_INCLUDE',
  exclude: 'PORT4ME_EXCLUDE',
  skip: 'PORT4ME_SKIP',
  list: 'PORT4ME_LIST',
  maxTries: 'PORT4ME_MAX_TRIES',
  test: 'PORT4ME_TEST',
};
const FALLBACK_USER_VARIABLES = ['USER', 'LOGNAME', 'USERNAME']; // after --user and PORT4ME_USER (P4M-ENV-3)
const SWITCH = '_PORT4ME_CHECK_AVAILABLE_PORTS_';
const DIGITS = /^[0-9]+$/;

function isTextual(value) {
  return typeof value === 'string' || value instanceof Uint8Array || value instanceof Unverified;
}

function isEmpty(value) {
  return value === undefined || value === null || value === '' || (isTextual(value) && (value.length ?? value.text.length) === 0);
}

/**
 * A whole number (P4M-ENV-5): 1*DIGIT from the command line or a variable; a safe integer,
 * a bigint or digits from the library. In [low, high]; with no high (skip, which has no
 * bound and low 0) the normalized digits, so that any number of them can be reduced later.
 */
function wholeNumber(value, source, low, high, text) {
  const bounds = high === undefined ? ` of at least ${low}` : ` from ${low} to ${high}`;
  const bad = (shown) => new UsageError(`invalid ${source} value ${shown}: expected a whole number${bounds}`);
  let digits;
  if (isTextual(value)) {
    const written = text(value, source, false);
    if (!DIGITS.test(written)) throw bad(quote(value));
    digits = written.replace(/^0+(?=.)/, '');
  } else if ((typeof value === 'number' && Number.isSafeInteger(value)) || typeof value === 'bigint') {
    if (value < 0) throw bad(String(value));
    digits = String(value);
  } else {
    throw bad(describe(value));
  }
  if (high === undefined) return digits;
  const number = digits.length > 6 ? Infinity : Number(digits);
  if (number < low || number > high) throw bad(isTextual(value) ? quote(value) : digits);
  return number;
}

/**
 * Reads settings from options and variables, one at a time and only when asked, so that
 * a call validates only what its mode uses (P4M-ENV-6). Every error names the value and
 * its source (P4M-CLI-11).
 *
 * options: setting name -> value (strings; from the library also numbers and arrays).
 * Values from the command line or the environment may also be raw bytes (Uint8Array)
 * or Unverified text. label(name) is how an option is named in messages.
 */
export class Settings {
  constructor(options, { label, getVariable, accountName }) {
    this.options = options;
    this.label = label;
    this.getVariable = getVariable;
    this.accountName = accountName;
    this.tokenCache = new Map();
    this.tokens = (token) => this.token(token);
  }

  variable(name) {
    const value = this.getVariable(name);
    if (value === undefined || isTextual(value)) return value;
    throw new UsageError(`invalid ${name} value ${describe(value)}: expected a string`);
  }

  /** The option's value if set and not empty, else its variable's (P4M-ENV-1, P4M-ENV-2); with the source. */
  find(name) {
    const value = this.options[name];
    if (!isEmpty(value)) return { value, source: this.label(name) };
    const variable = VARIABLES[name];
    const text = this.variable(variable);
    return isEmpty(text) ? undefined : { value: text, source: variable };
  }

  /** A value as text. strict: the value is hashed, so it must be valid Unicode (P4M-HASH-3). */
  text(value, source, strict) {
    if (typeof value === 'string') {
      if (strict && hasLoneSurrogate(value)) {
        throw new UsageError(`invalid ${source} value ${quote(value)}: not valid Unicode (a lone surrogate)`);
      }
      return value;
    }
    if (value instanceof Uint8Array) {
      if (!strict) return decodeLenient(value);
      const text = decodeStrict(value);
      if (text === undefined) throw new UsageError(`invalid ${source} value ${quote(value)}: not valid UTF-8`);
      return text;
    }
    if (value instanceof Unverified) {
      if (strict && value.text.includes('\uFFFD')) {
        throw new UsageError(
          `invalid ${source} value ${quote(value)}: it holds U+FFFD, which Node puts in place of bytes ` +
            'that are not UTF-8, and this platform does not show the raw bytes to tell',
        );
      }
      return value.text;
    }
    throw new UsageError(`invalid ${source} value ${describe(value)}: expected a string`);
  }

  name(setting) {
    const found = this.find(setting);
    return found === undefined ? undefined : this.text(found.value, found.source, true);
  }

  /** P4M-ENV-3: --user, PORT4ME_USER, USER, LOGNAME, USERNAME, then the account name; nothing else. */
  user() {
    const user = this.name('user');
    if (user !== undefined) return user;
    for (const variable of FALLBACK_USER_VARIABLES) {
      const value = this.variable(variable);
      if (!isEmpty(value)) return this.text(value, variable, true);
    }
    const account = this.accountName();
    if (isEmpty(account)) {
      throw new UsageError(
        `cannot tell who the user is: ${this.label('user')}, PORT4ME_USER, USER, LOGNAME and USERNAME are unset, ` +
          'and the user database has no name for this user ID',
      );
    }
    return this.text(account, 'the account name', true);
  }

  number(setting, low, high) {
    const found = this.find(setting);
    return found === undefined ? undefined : wholeNumber(found.value, found.source, low, high, (...a) => this.text(...a));
  }

  /** Parse one port-list value onto out. Arrays of integers are the library's other form. */
  portList(value, source, out, tokens = this.tokens) {
    if (Array.isArray(value)) {
      for (const port of value) {
        if (!Number.isInteger(port) || port < 0 || port > 65535) {
          throw new UsageError(`invalid ${source} value: ${describe(port)} is not a port from 0 to 65535`);
        }
        if (port !== 0) out.push([port, port]);
      }
      return out;
    }
    if (!isTextual(value)) {
      throw new UsageError(`invalid ${source} value ${describe(value)}: expected a port list (a string) or an array of ports`);
    }
    const text = this.text(value, source, false);
    try {
      return parseList(text, tokens, out);
    } catch (error) {
      if (!(error instanceof ListError)) throw error;
      const detail = error.describeWith(quote);
      if (error.item === text.trim()) throw new UsageError(`invalid ${source} value: ${detail}`);
      throw new UsageError(`invalid ${source} value ${quote(value)}: ${detail}`);
    }
  }

  /** The setting's list (option, else variable), then its _SITE variable's (P4M-SET-2..4). */
  ports(setting) {
    const out = [];
    const found = this.find(setting);
    if (found !== undefined) this.portList(found.value, found.source, out);
    const site = `${VARIABLES[setting]}_SITE`;
    const value = this.variable(site);
    if (!isEmpty(value)) this.portList(value, site, out);
    return out;
  }

  /** P4M-SET-5: PORT4ME_EXCLUDE_UNSAFE when set (even empty), else {chrome},{firefox}. */
  unsafe(out) {
    const value = this.variable('PORT4ME_EXCLUDE_UNSAFE');
    if (value === undefined) return this.portList('{chrome},{firefox}', 'the default unsafe set', out);
    return this.portList(value, 'PORT4ME_EXCLUDE_UNSAFE', out);
  }

  /** P4M-UNSAFE-1, P4M-UNSAFE-2: a token's ports, from its variable when set, read only when used. */
  token(token) {
    let intervals = this.tokenCache.get(token);
    if (intervals === undefined) {
      const chrome = token === '{chrome}';
      const name = chrome ? 'PORT4ME_EXCLUDE_UNSAFE_CHROME' : 'PORT4ME_EXCLUDE_UNSAFE_FIREFOX';
      const value = this.variable(name);
      if (value === undefined) {
        intervals = (chrome ? CHROME_PORTS : FIREFOX_PORTS).map((port) => [port, port]);
      } else {
        intervals = this.portList(value, name, [], null);
      }
      this.tokenCache.set(token, intervals);
    }
    return intervals;
  }

  /** P4M-CHECK-5: null for real checks, or a table of the ports that count as busy. */
  busyPorts() {
    const value = this.variable(SWITCH);
    if (isEmpty(value)) return null;
    const text = this.text(value, SWITCH, false);
    if (text === 'any') return new Uint8Array(65536);
    if (text.startsWith('any-except:')) {
      const intervals = [];
      try {
        parseList(text.slice('any-except:'.length), null, intervals);
      } catch (error) {
        if (!(error instanceof ListError)) throw error;
        throw new UsageError(`invalid ${SWITCH} value ${quote(value)}: ${error.describeWith(quote)}`);
      }
      return table(merge(intervals));
    }
    throw new UsageError(`invalid ${SWITCH} value ${quote(value)}: expected 'any' or 'any-except:' and a port list`);
  }
}

/**
 * Resolve settings into a request (section 6). kind 'call' picks the mode (P4M-ENV-6):
 * test, list or search; kind 'sequence' reads only what shapes the sequence.
 */
export function resolve(settings, kind = 'call') {
  if (kind === 'call') {
    const test = settings.find('test');
    if (test !== undefined) {
      const port = wholeNumber(test.value, test.source, 1, 65535, (...a) => settings.text(...a));
      return { mode: 'test', port, busy: settings.busyPorts() };
    }
  }
  const user = settings.user();
  const tool = settings.name('tool') ?? '';
  const prepend = distinctInOrder(settings.ports('prepend'));
  const include = settings.ports('include');
  const exclude = settings.unsafe(settings.ports('exclude'));
  const candidates = candidateSet(include, exclude);
  if (candidates.size === 0) {
    throw new UsageError('no candidate ports: every port of the include set is excluded (P4M-SET-6)');
  }
  const skip = settings.number('skip', 0) ?? '0';
  const request = { mode: 'sequence', user, tool, prepend, candidates, skip };
  if (kind !== 'call') return request;
  const list = settings.find('list');
  if (list !== undefined) {
    request.mode = 'list';
    request.list = wholeNumber(list.value, list.source, 1, 65536, (...a) => settings.text(...a));
    return request;
  }
  request.mode = 'search';
  request.maxTries = settings.number('maxTries', 1, 65535) ?? 65535;
  request.busy = settings.busyPorts();
  return request;
}

/** Carry out a resolved request: a boolean (test), an array of ports (list) or a port (search). */
export async function execute(request, check) {
  if (request.mode === 'test') {
    if (request.busy !== null) return request.busy[request.port] === 0;
    return (check ?? createChecker())(request.port);
  }
  const stream = outputStream(request);
  if (request.mode === 'list') {
    const ports = new Array(request.list);
    for (let i = 0; i < request.list; i += 1) ports[i] = stream.next().value;
    return ports;
  }
  const { busy, maxTries } = request;
  if (busy !== null) {
    for (let i = 0; i < maxTries; i += 1) {
      const port = stream.next().value;
      if (busy[port] === 0) return port;
    }
  } else {
    const isFree = check ?? createChecker();
    for (let i = 0; i < maxTries; i += 1) {
      const port = stream.next().value;
      if (await isFree(port)) return port;
    }
  }
  throw new NoFreePortError(`no free port after ${maxTries} checks (max tries): every port checked was busy`);
}

// ---------------------------------------------------------------------------
// Where values come from: the process's environment and the user database

let environ; // name -> raw bytes, from /proc/self/environ; null where it cannot be read

function rawEnviron() {
  if (environ === undefined) {
    environ = null;
    try {
      const data = builtin('fs').readFileSync('/proc/self/environ');
      const map = new Map();
      let start = 0;
      for (let i = 0; i <= data.length; i += 1) {
        if (i === data.length || data[i] === 0) {
          const entry = data.subarray(start, i);
          const equals = entry.indexOf(0x3d);
          if (equals > 0) {
            const name = decodeLenient(entry.subarray(0, equals));
            if (!map.has(name)) map.set(name, entry.subarray(equals + 1)); // getenv() takes the first
          }
          start = i + 1;
        }
      }
      environ = map;
    } catch {
      // not Linux, or no /proc: see Unverified
    }
  }
  return environ;
}

/** Equal, counting a run of U+FFFD as one (decoders may replace a bad sequence by one or several). */
export function sameText(a, b) {
  return a === b || a.replace(/\uFFFD+/g, '\uFFFD') === b.replace(/\uFFFD+/g, '\uFFFD');
}

/**
 * A variable of this process's environment. Node decodes the environment with U+FFFD for
 * bytes that are not UTF-8 (P4M-HASH-3 needs to see them), so a value with U+FFFD is
 * looked up in /proc/self/environ: its raw bytes when they are what Node decoded; the
 * string when the variable was changed since the process started; Unverified where the
 * raw bytes cannot be read.
 */
export function processVariable(name) {
  const value = process.env[name];
  if (value === undefined || !value.includes('\uFFFD')) return value;
  const raw = rawEnviron();
  if (raw === null) return new Unverified(value);
  const bytes = raw.get(name);
  return bytes !== undefined && sameText(decodeLenient(bytes), value) ? bytes : value;
}

/** The name in /etc/passwd for a user ID, as bytes, or undefined. */
function passwdName(uid) {
  let data;
  try {
    data = builtin('fs').readFileSync('/etc/passwd');
  } catch {
    return undefined;
  }
  let start = 0;
  while (start < data.length) {
    let end = data.indexOf(0x0a, start);
    if (end < 0) end = data.length;
    const line = data.subarray(start, end);
    const first = line.indexOf(0x3a);
    const second = first < 0 ? -1 : line.indexOf(0x3a, first + 1);
    const third = second < 0 ? -1 : line.indexOf(0x3a, second + 1);
    if (third > 0 && line.subarray(second + 1, third).toString('latin1') === String(uid)) return line.subarray(0, first);
    start = end + 1;
  }
  return undefined;
}

/**
 * The account name of the process's real user ID (P4M-ENV-3): raw bytes on POSIX, or
 * undefined when the user database has no entry (no fallback to variables or the number).
 * os.userInfo() asks the user database (getpwuid_r) for the effective user ID, so it
 * answers only when the real and effective IDs agree; otherwise /etc/passwd is read.
 */
export function accountName() {
  const os = builtin('os');
  if (typeof process.getuid !== 'function') {
    try {
      return os.userInfo().username; // Windows: the account the process runs as
    } catch {
      return undefined;
    }
  }
  const uid = process.getuid();
  if (uid !== process.geteuid()) return passwdName(uid);
  try {
    return os.userInfo({ encoding: 'buffer' }).username;
  } catch {
    return undefined; // no entry for this user ID (uv_os_get_passwd: ENOENT)
  }
}

// ---------------------------------------------------------------------------
// The library API

const CALL_OPTIONS = new Set(['user', 'tool', 'prepend', 'include', 'exclude', 'skip', 'list', 'maxTries', 'test', 'env']);
const SEQUENCE_OPTIONS = new Set(['user', 'tool', 'prepend', 'include', 'exclude', 'skip', 'env']);

function librarySettings(options, allowed, caller) {
  let given = options;
  if (given === undefined || given === null) given = {};
  else if (typeof given === 'string') given = { tool: given };
  else if (typeof given !== 'object' || Array.isArray(given)) {
    throw new UsageError(`${caller}() takes an options object (or a tool name), not ${describe(given)}`);
  }
  for (const key of Object.keys(given)) {
    if (!allowed.has(key)) {
      const why = CALL_OPTIONS.has(key) ? `${caller}() does not use it` : `expected one of ${[...allowed].join(', ')}`;
      throw new UsageError(`unknown option '${key}' of ${caller}(): ${why}`);
    }
  }
  const env = given.env ?? process.env;
  let getVariable;
  if (env === process.env) getVariable = processVariable;
  else if (env instanceof Map) getVariable = (name) => env.get(name);
  else if (typeof env === 'object') getVariable = (name) => (Object.hasOwn(env, name) ? env[name] : undefined);
  else throw new UsageError(`invalid option 'env': expected an object of variable names to strings, not ${describe(env)}`);
  return new Settings(given, { label: (name) => `option '${name}'`, getVariable, accountName });
}

/**
 * Your port, as the spec defines it. Resolves to the first free port of the sequence; with
 * `list`, to an array of the first `list` ports, unchecked; with `test`, to whether that
 * port is free. Options left undefined read their PORT4ME_* variables from `env`
 * (default process.env). Rejects with UsageError, NoFreePortError or PortCheckError.
 */
export async function port4me(options) {
  return execute(resolve(librarySettings(options, CALL_OPTIONS, 'port4me')));
}

/**
 * The port sequence, unchecked and without end: the prepended ports, then the candidates
 * (after `skip`). A synchronous generator; bad options throw UsageError at the call.
 */
export function port4meSequence(options) {
  return outputStream(resolve(librarySettings(options, SEQUENCE_OPTIONS, 'port4meSequence'), 'sequence'));
}
