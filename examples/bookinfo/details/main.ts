/**
 * Entry point of the details service: `node details/main.ts [port]` (upstream `ruby details.rb 9080`).
 * Binds `POD_IP` (else 0.0.0.0) on the port from argv, default 9080.
 */
import { bindHost, type EnvVar, parsePort } from '../common/config.ts';
import { die, printHelp, runService, wantsHelp } from '../common/run.ts';
import { createServer } from './details.ts';

const USAGE = 'node examples/bookinfo/details/main.ts [port]';
const ENV: readonly EnvVar[] = [
  { name: 'POD_IP', description: 'address to bind; 0.0.0.0 when unset' },
  {
    name: 'ENABLE_EXTERNAL_BOOK_SERVICE',
    default: 'false',
    description: 'details v2 (Google Books lookup); not implemented, ignored with a warning',
  },
];

const args = process.argv.slice(2);
if (wantsHelp(args)) printHelp(USAGE, ENV);
let port = 9080;
try {
  if (args[0] !== undefined) port = parsePort(args[0], 'argv[1]');
} catch (err) {
  die((err as Error).message, USAGE, ENV);
}
if (process.env.ENABLE_EXTERNAL_BOOK_SERVICE === 'true') {
  process.stderr.write('ENABLE_EXTERNAL_BOOK_SERVICE=true is not supported; serving the v1 record\n');
}
await runService({
  usageLine: USAGE,
  env: ENV,
  host: bindHost(process.env),
  port,
  build: () => createServer(),
});
