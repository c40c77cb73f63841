// port4me for Node.js: the public API. The same free TCP port for a user and a tool,
// every time, as the port4me specification 1.2 defines it.

export { NoFreePortError, Port4meError, PortCheckError, UsageError } from './errors.js';
export { isPortFree } from './check.js';
export {
  CHROME_PORTS,
  FIREFOX_PORTS,
  SPEC_VERSION,
  VERSION,
  initialState,
  lcgNext,
  port4me,
  port4meSequence,
  seedString,
  stringHash,
} from './core.js';
export { port4me as default } from './core.js';
