/**
 * The program behind the injected `istio-proxy` container (`docker.io/istio/proxyv2` in the
 * process runtime's image catalog). It reads what injection and the image give it — the pod
 * (`POD_NAME`, `POD_NAMESPACE`, `INSTANCE_IP`), its identity (`ISTIO_META_CLUSTER_ID`,
 * `ISTIO_META_WORKLOAD_NAME`, `ISTIO_METAJSON_LABELS`) and the mesh endpoint
 * (`FLOTILLA_MESH_URL`, `FLOTILLA_MESH_TOKEN`) — and runs a sidecar proxy: outbound HTTP on
 * `INSTANCE_IP:15001`, metrics on `:15090/stats/prometheus`, readiness on `:15021/healthz/ready`.
 * Access log lines go to stdout (`kubectl logs POD -c istio-proxy`). On SIGTERM it stops taking
 * configuration, keeps serving in-flight and late calls for a short drain, then exits.
 * Arguments (`proxy sidecar --domain …`, as Istio's image takes them) are accepted and ignored.
 */
import { pino } from 'pino';
import { METRICS_PORT, OUTBOUND_PORT, STATUS_PORT } from './inject.ts';
import { runMeshProxy } from './run.ts';

const env = process.env;
const DRAIN_MS = 1_500;

function need(name: string): string {
  const v = env[name];
  if (v === undefined || v === '') {
    process.stderr.write(`istio-proxy: environment variable ${name} is required\n`);
    process.exit(2);
  }
  return v;
}

function labels(): Record<string, string> {
  try {
    const parsed = JSON.parse(env.ISTIO_METAJSON_LABELS ?? '{}') as unknown;
    return parsed !== null && typeof parsed === 'object' ? (parsed as Record<string, string>) : {};
  } catch {
    return {};
  }
}

const podIP = need('INSTANCE_IP');
const pod = need('POD_NAME');
const namespace = env.POD_NAMESPACE || 'default';
const cluster = env.ISTIO_META_CLUSTER_ID || env.CLUSTER_NAME || '';
const podLabels = labels();
const logger = pino({ level: env.FLOTILLA_PROXY_LOG_LEVEL ?? 'info', base: null }, pino.destination(1));

const running = await runMeshProxy({
  role: 'sidecar',
  id: `${cluster}/${namespace}/${pod}`,
  identity: {
    cluster,
    namespace,
    workload: env.ISTIO_META_WORKLOAD_NAME || pod,
    ...(podLabels.version !== undefined ? { version: podLabels.version } : {}),
    labels: podLabels,
    pod,
  },
  listen: [{ host: podIP, port: OUTBOUND_PORT }],
  metricsListen: { host: podIP, port: METRICS_PORT },
  statusListen: { host: podIP, port: STATUS_PORT },
  mesh: { url: need('FLOTILLA_MESH_URL'), token: need('FLOTILLA_MESH_TOKEN') },
  logger,
}).catch((err: unknown) => {
  process.stderr.write(`istio-proxy: ${(err as Error).message}\n`);
  process.exit(1);
});
logger.info({ podIP, cluster, namespace, pod }, 'sidecar listening');

let stopping = false;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    running.client.stop();
    setTimeout(() => {
      running.close().then(
        () => process.exit(0),
        () => process.exit(1),
      );
    }, DRAIN_MS);
  });
}
