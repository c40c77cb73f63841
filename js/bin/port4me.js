#!/usr/bin/env node
// The port4me command (spec section 7). Node 22.1+ keeps compiled code in its compile
// cache between runs; it is enabled before the command's modules load.
import module from 'node:module';

module.enableCompileCache?.();
const { run } = await import('../lib/cli.js');
await run();
