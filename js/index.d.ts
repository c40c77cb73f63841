// Type declarations of port4me-kit-js, the JavaScript port4me (spec 1.1).

/**
 * Ports: a port list in the spec's grammar ("8080", "5000-5999", "{chrome}", separated by
 * commas or white space), or an array of integers from 0 to 65535 (0 is dropped).
 */
export type PortList = string | readonly number[];

/** A whole number: a safe integer, a bigint, or a string of ASCII digits. */
export type WholeNumber = number | bigint | string;

/** Where PORT4ME_* variables are read from (default: process.env). */
export type Environment = Readonly<Record<string, string | undefined>> | ReadonlyMap<string, string>;

/**
 * What shapes the sequence. An option that is undefined, null or "" reads its PORT4ME_*
 * variable (user: PORT4ME_USER, then USER, LOGNAME, USERNAME, then the account name).
 */
export interface SequenceOptions {
  /** User name in the seed. */
  user?: string | null;
  /** Tool name in the seed. */
  tool?: string | null;
  /** Ports to try first, in order; PORT4ME_PREPEND_SITE always follows. */
  prepend?: PortList | null;
  /** Candidate ports (default 1024-65535); PORT4ME_INCLUDE_SITE is always added. */
  include?: PortList | null;
  /** Ports never to pick; PORT4ME_EXCLUDE_SITE and the unsafe ports are always added. */
  exclude?: PortList | null;
  /** Skip the first N ports of the sequence; no upper bound. */
  skip?: WholeNumber | null;
  /** Replaces process.env as the source of variables. */
  env?: Environment | null;
}

/** What port4me() does: test a port, list ports, or search for a free one. */
export interface Port4meOptions extends SequenceOptions {
  /** List mode: the first N ports (1-65536), unchecked. */
  list?: WholeNumber | null;
  /** Search mode: check at most N ports (1-65535, default 65535). */
  maxTries?: WholeNumber | null;
  /** Test mode: whether this port (1-65535) is free; every other setting is ignored. */
  test?: WholeNumber | null;
}

/** In test mode (a test port given): whether the port is free. */
export function port4me(options: Port4meOptions & { test: number | bigint }): Promise<boolean>;
/**
 * Your port. Search mode resolves to the first free port of the sequence; list mode
 * (`list`, or PORT4ME_LIST) to an array of ports; test mode (`test`, or PORT4ME_TEST) to
 * a boolean. A string is the tool. Rejects with UsageError (bad input), NoFreePortError
 * (every checked port busy) or PortCheckError (a socket cannot be created).
 */
export function port4me(options?: Port4meOptions | string | null): Promise<number | number[] | boolean>;
export default port4me;

/**
 * The port sequence, unchecked and without end: the prepended ports, then the candidates,
 * after `skip`. Throws UsageError at the call for bad options.
 */
export function port4meSequence(options?: SequenceOptions | string | null): Generator<number, never, undefined>;

/** The spec's check (section 8): could a TCP server listen on the port on 0.0.0.0 and [::] now? */
export function isPortFree(port: number | string): Promise<boolean>;

/** P4M-HASH-1: 31·h + c mod 2³² over the code points of a string. */
export function stringHash(text: string): number;
/** P4M-SEED-1: user + "," + tool, with one trailing comma removed. */
export function seedString(user: string, tool?: string): string;
/** P4M-LCG-1: the hash of a seed string modulo 65537. */
export function initialState(seed: string): number;
/** P4M-LCG-2: the generator's next state; next(65536) is 74. */
export function lcgNext(state: number): number;

/** The ports {chrome} stands for by default (2022-10-24). */
export const CHROME_PORTS: readonly number[];
/** The ports {firefox} stands for by default (2022-10-24). */
export const FIREFOX_PORTS: readonly number[];
/** This package's version. */
export const VERSION: string;
/** The version of the port4me specification implemented. */
export const SPEC_VERSION: string;

/** Base class of the errors port4me throws on purpose. */
export class Port4meError extends Error {}
/** Bad input; the command exits 2. */
export class UsageError extends Port4meError {
  readonly code: 'PORT4ME_USAGE';
  readonly exitCode: 2;
}
/** No free port within max tries; the command exits 1. */
export class NoFreePortError extends Port4meError {
  readonly code: 'PORT4ME_NO_FREE_PORT';
  readonly exitCode: 1;
}
/** A port could not be checked (a socket could not be created); the command exits 1. `cause` is Node's error. */
export class PortCheckError extends Port4meError {
  readonly code: 'PORT4ME_CHECK_FAILED';
  readonly exitCode: 1;
}
