// In-process timings of the JavaScript port, for bench/js_port.py: node bench/warm.js [SECONDS]
// Prints JSON: for each scenario, the first call (cold, in this process) and the median of
// repeated calls (warm), in seconds, and the output, so the harness can compare it.

import { main } from '../lib/cli.js';
import { port4me } from '../lib/port4me.js';

const budget = Number(process.argv[2] ?? 1);
const ENV = { LANG: 'C.UTF-8', _PORT4ME_CHECK_AVAILABLE_PORTS_: 'any' };

async function command(args) {
  let out = '';
  const code = await main({ args, getVariable: (name) => ENV[name], stdout: (text) => (out += text), stderr: (text) => (out += text) });
  if (code !== 0) throw new Error(`exit ${code}: ${out}`);
  return out;
}

const scenarios = {
  'command main(): --user=alice --include=1024-65535 --list=1000': () => command(['--user=alice', '--include=1024-65535', '--list=1000']),
  'command main(): --user=alice (search)': () => command(['--user=alice']),
  'library port4me({include: "1024-65535", list: 1000})': async () =>
    `${(await port4me({ user: 'alice', include: '1024-65535', list: 1000, env: ENV })).join('\n')}\n`,
};

const results = {};
for (const [name, call] of Object.entries(scenarios)) {
  let start = process.hrtime.bigint();
  const output = await call();
  const cold = Number(process.hrtime.bigint() - start) / 1e9;
  const times = [];
  const until = Date.now() + budget * 1000;
  while (Date.now() < until || times.length < 20) {
    start = process.hrtime.bigint();
    await call();
    times.push(Number(process.hrtime.bigint() - start) / 1e9);
  }
  times.sort((a, b) => a - b);
  results[name] = { cold, warm: times[Math.floor(times.length / 2)], calls: times.length, output };
}
process.stdout.write(`${JSON.stringify(results)}\n`);
