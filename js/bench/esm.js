// The command from the ES modules of lib/, not the generated bundle: for bench/js_port.py,
// which measures what the bundle saves at start-up.
import { run } from '../lib/cli.js';

await run();
