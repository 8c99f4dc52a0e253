/**
 * Entry point of the reviews service: `node reviews/main.ts [port]` (upstream Liberty listens on
 * 9080). Binds `POD_IP` (else 0.0.0.0). v1/v2/v3 differ only by `ENABLE_RATINGS` and `STAR_COLOR`.
 */
import { bindHost, type EnvVar, parsePort, readEnv, serviceBase } from '../common/config.ts';
import { die, printHelp, runService, wantsHelp } from '../common/run.ts';
import { createServer } from './reviews.ts';

const USAGE = 'node examples/bookinfo/reviews/main.ts [port]';
const ENV: readonly EnvVar[] = [
  { name: 'POD_IP', description: 'address to bind; 0.0.0.0 when unset' },
  { name: 'ENABLE_RATINGS', default: 'false', description: '"true" (any case) calls ratings: v2/v3' },
  {
    name: 'STAR_COLOR',
    default: 'black',
    description: 'star colour; black => 10 s ratings timeout, else 2.5 s',
  },
  { name: 'SERVICES_DOMAIN', description: 'appended as ".<domain>" to the ratings host name' },
  { name: 'RATINGS_HOSTNAME', default: 'ratings', description: 'ratings host name' },
  { name: 'RATINGS_SERVICE_PORT', default: '9080', description: 'ratings port' },
  { name: 'HOSTNAME', description: 'reported as "podname" (pod name)' },
  { name: 'CLUSTER_NAME', description: 'reported as "clustername"; "null" when unset' },
];

const args = process.argv.slice(2);
if (wantsHelp(args)) printHelp(USAGE, ENV);
const env = readEnv(ENV, process.env);
let port = 9080;
try {
  if (args[0] !== undefined) port = parsePort(args[0], 'argv[1]');
  parsePort(env.RATINGS_SERVICE_PORT ?? '', 'RATINGS_SERVICE_PORT');
} catch (err) {
  die((err as Error).message, USAGE, ENV);
}
await runService({
  usageLine: USAGE,
  env: ENV,
  host: bindHost(process.env),
  port,
  build: () =>
    createServer({
      // Java Boolean.valueOf: true only for "true", ignoring case.
      enableRatings: (env.ENABLE_RATINGS ?? '').toLowerCase() === 'true',
      starColor: env.STAR_COLOR ?? 'black',
      ratingsBase: serviceBase(
        env.RATINGS_HOSTNAME ?? 'ratings',
        env.SERVICES_DOMAIN,
        env.RATINGS_SERVICE_PORT ?? '9080',
      ),
      podName: env.HOSTNAME,
      clusterName: env.CLUSTER_NAME,
    }),
});
