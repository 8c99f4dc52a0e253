/**
 * Entry point of productpage: `node productpage/main.ts [port]` (upstream
 * `gunicorn -b [::]:9080` / `python productpage.py <port>`). Binds `POD_IP` (else 0.0.0.0).
 */
import { bindHost, type EnvVar, parsePort, readEnv, serviceBase } from '../common/config.ts';
import { die, printHelp, runService, wantsHelp } from '../common/run.ts';
import { createServer } from './productpage.ts';

const USAGE = 'node examples/bookinfo/productpage/main.ts [port]';
const ENV: readonly EnvVar[] = [
  { name: 'POD_IP', description: 'address to bind; 0.0.0.0 when unset' },
  { name: 'SERVICES_DOMAIN', description: 'appended as ".<domain>" to every upstream host name' },
  { name: 'DETAILS_HOSTNAME', default: 'details', description: 'details host name' },
  { name: 'DETAILS_SERVICE_PORT', default: '9080', description: 'details port' },
  { name: 'REVIEWS_HOSTNAME', default: 'reviews', description: 'reviews host name' },
  { name: 'REVIEWS_SERVICE_PORT', default: '9080', description: 'reviews port' },
  { name: 'RATINGS_HOSTNAME', default: 'ratings', description: 'ratings host name' },
  { name: 'RATINGS_SERVICE_PORT', default: '9080', description: 'ratings port' },
  { name: 'FLOOD_FACTOR', default: '0', description: 'extra, ignored reviews calls per /productpage' },
  {
    name: 'SESSION_SECRET',
    default: 'flotilla-bookinfo-demo',
    description: 'session cookie HMAC key; replicas sharing it share logins',
  },
  { name: 'HOSTNAME', description: 'own pod name, shown in the page footer' },
  { name: 'CLUSTER_NAME', description: 'own cluster name, shown in the page footer' },
];

const args = process.argv.slice(2);
if (wantsHelp(args)) printHelp(USAGE, ENV);
const env = readEnv(ENV, process.env);
let port = 9080;
let floodFactor = 0;
try {
  if (args[0] !== undefined) port = parsePort(args[0], 'argv[1]');
  for (const name of ['DETAILS_SERVICE_PORT', 'REVIEWS_SERVICE_PORT', 'RATINGS_SERVICE_PORT']) {
    parsePort(env[name] ?? '', name);
  }
  floodFactor = Number(env.FLOOD_FACTOR);
  if (!Number.isInteger(floodFactor) || floodFactor < 0 || floodFactor > 1000) {
    throw new Error(`FLOOD_FACTOR: expected an integer 0..1000, got ${JSON.stringify(env.FLOOD_FACTOR)}`);
  }
} catch (err) {
  die((err as Error).message, USAGE, ENV);
}
const base = (svc: 'DETAILS' | 'REVIEWS' | 'RATINGS'): string =>
  serviceBase(
    env[`${svc}_HOSTNAME`] ?? svc.toLowerCase(),
    env.SERVICES_DOMAIN,
    env[`${svc}_SERVICE_PORT`] ?? '9080',
  );
await runService({
  usageLine: USAGE,
  env: ENV,
  host: bindHost(process.env),
  port,
  build: () =>
    createServer({
      detailsBase: base('DETAILS'),
      reviewsBase: base('REVIEWS'),
      ratingsBase: base('RATINGS'),
      floodFactor,
      sessionSecret: env.SESSION_SECRET || 'flotilla-bookinfo-demo',
      podName: env.HOSTNAME,
      clusterName: env.CLUSTER_NAME,
    }),
});
