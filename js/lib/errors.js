// The three ways a port4me call can fail, each with the exit code the command uses
// (spec section 7, P4M-CLI-6).

/** Base class of every error port4me throws on purpose. */
export class Port4meError extends Error {}

/** Bad input: a value that breaks the spec's grammar or bounds, or an empty candidate set. Exit code 2. */
export class UsageError extends Port4meError {
  constructor(message, options) {
    super(message, options);
    this.code = 'PORT4ME_USAGE';
    this.exitCode = 2;
  }
}

/** A search made max-tries checks and found every port busy. Exit code 1. */
export class NoFreePortError extends Port4meError {
  constructor(message, options) {
    super(message, options);
    this.code = 'PORT4ME_NO_FREE_PORT';
    this.exitCode = 1;
  }
}

/**
 * A port could not be checked: a socket could not be created (EMFILE, EACCES by policy, ...).
 * The port is neither free nor busy (P4M-CHECK-7). Exit code 1. `cause` is Node's error.
 */
export class PortCheckError extends Port4meError {
  constructor(message, options) {
    super(message, options);
    this.code = 'PORT4ME_CHECK_FAILED';
    this.exitCode = 1;
  }
}

for (const type of [Port4meError, UsageError, NoFreePortError, PortCheckError]) {
  Object.defineProperty(type.prototype, 'name', { value: type.name, writable: true, configurable: true });
}
