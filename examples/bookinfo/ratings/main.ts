/**
 * Entry point of the ratings service: `node ratings/main.ts [port]` (upstream `node ratings.js 9080`).
 * Binds `POD_IP` (else 0.0.0.0) on the port from argv, default 9080.
 */
import { bindHost, type EnvVar, parsePort, readEnv } from '../common/config.ts';
import { die, printHelp, runService, wantsHelp } from '../common/run.ts';
import { createServer, RATINGS_VERSIONS, type RatingsVersion } from './ratings.ts';

const USAGE = 'node examples/bookinfo/ratings/main.ts [port]';
const ENV: readonly EnvVar[] = [
  { name: 'POD_IP', description: 'address to bind; 0.0.0.0 when unset' },
  { name: 'SERVICE_VERSION', default: 'v1', description: `variant: ${RATINGS_VERSIONS.join(', ')}` },
];

const args = process.argv.slice(2);
if (wantsHelp(args)) printHelp(USAGE, ENV);
const env = readEnv(ENV, process.env);
let port = 9080;
try {
  if (args[0] !== undefined) port = parsePort(args[0], 'argv[1]');
} catch (err) {
  die((err as Error).message, USAGE, ENV);
}
const requested = env.SERVICE_VERSION ?? 'v1';
let version: RatingsVersion = 'v1';
if ((RATINGS_VERSIONS as readonly string[]).includes(requested)) version = requested as RatingsVersion;
else process.stderr.write(`unknown SERVICE_VERSION ${JSON.stringify(requested)}; behaving as v1\n`);
await runService({
  usageLine: USAGE,
  env: ENV,
  host: bindHost(process.env),
  port,
  build: () => createServer({ version }),
});
