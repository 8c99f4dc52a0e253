/**
 * The local cluster's kube-proxy: for every Service ClusterIP and TCP port it listens on that
 * loopback address and forwards each connection to a ready endpoint from the Service's
 * EndpointSlices, round-robin, trying the next endpoint when one refuses. A Service without
 * ready endpoints refuses connections, as kube-proxy's REJECT rule does.
 */
import net from 'node:net';
import type { KubeObject } from '../api/meta.ts';
import type { Informer } from '../controller/informer.ts';
import type { Logger } from '../log/index.ts';
import { hasClusterIP } from './service-env.ts';

// biome-ignore lint/suspicious/noExplicitAny: object specs are open JSON
type Obj = Record<string, any>;

/** One ready backend. */
export interface Backend {
  ip: string;
  port: number;
}

/** Ready backends of service port `portName` from a Service's EndpointSlices. */
export function readyBackends(slices: readonly KubeObject[], portName: string, protocol = 'TCP'): Backend[] {
  const out: Backend[] = [];
  for (const slice of slices) {
    const s = slice as Obj;
    if (s.addressType !== undefined && s.addressType !== 'IPv4') continue;
    const port = (Array.isArray(s.ports) ? s.ports : []).find(
      (p: Obj) => (p?.name ?? '') === portName && (p?.protocol ?? 'TCP') === protocol,
    );
    if (typeof port?.port !== 'number') continue;
    for (const ep of Array.isArray(s.endpoints) ? s.endpoints : []) {
      if (ep?.conditions?.ready === false) continue;
      for (const ip of Array.isArray(ep?.addresses) ? ep.addresses : [])
        out.push({ ip: String(ip), port: port.port });
    }
  }
  return out;
}

interface Listener {
  server: net.Server;
  namespace: string;
  service: string;
  portName: string;
  next: number;
}

/** Options of {@link ServiceProxy}. */
export interface ServiceProxyOptions {
  services: Informer;
  endpointSlices: Informer;
  logger: Logger;
}

/** Listens on Service ClusterIPs; call `start` after the informers are running. */
export class ServiceProxy {
  readonly #o: ServiceProxyOptions;
  readonly #listeners = new Map<string, Listener>();
  readonly #sockets = new Set<net.Socket>();
  #unsubscribe: (() => void) | undefined;
  #stopped = false;

  /** Builds the proxy; does no I/O. */
  constructor(options: ServiceProxyOptions) {
    this.#o = options;
    options.endpointSlices.addIndex('service', (s) => [
      `${s.metadata.namespace}/${s.metadata.labels?.['kubernetes.io/service-name'] ?? ''}`,
    ]);
  }

  /** Reconciles listeners with the Services now and on every change. */
  start(): void {
    const sync = () => this.#reconcile();
    this.#unsubscribe = this.#o.services.addHandlers({ onAdd: sync, onUpdate: sync, onDelete: sync });
    sync();
  }

  /** The `ip:port` addresses listened on (for tests). */
  addresses(): string[] {
    return [...this.#listeners.keys()];
  }

  /** Closes every listener and proxied connection. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#unsubscribe?.();
    for (const s of this.#sockets) s.destroy();
    await Promise.all([...this.#listeners.values()].map((l) => new Promise((r) => l.server.close(r))));
    this.#listeners.clear();
  }

  #reconcile(): void {
    if (this.#stopped) return;
    const wanted = new Map<
      string,
      { namespace: string; service: string; portName: string; ip: string; port: number }
    >();
    for (const svc of this.#o.services.store.list()) {
      if (!hasClusterIP(svc) || !net.isIPv4(String(svc.spec.clusterIP))) continue;
      for (const p of Array.isArray(svc.spec?.ports) ? svc.spec.ports : []) {
        if ((p?.protocol ?? 'TCP') !== 'TCP' || typeof p?.port !== 'number') continue;
        const ip = String(svc.spec.clusterIP);
        wanted.set(`${ip}:${p.port}`, {
          namespace: svc.metadata.namespace ?? 'default',
          service: svc.metadata.name ?? '',
          portName: p.name ?? '',
          ip,
          port: p.port,
        });
      }
    }
    for (const [addr, l] of this.#listeners) {
      const w = wanted.get(addr);
      if (w === undefined || w.namespace !== l.namespace || w.service !== l.service) {
        l.server.close();
        this.#listeners.delete(addr);
      } else l.portName = w.portName;
    }
    for (const [addr, w] of wanted) {
      if (this.#listeners.has(addr)) continue;
      const listener: Listener = {
        server: net.createServer(),
        namespace: w.namespace,
        service: w.service,
        portName: w.portName,
        next: 0,
      };
      listener.server.on('connection', (socket) => this.#forward(listener, socket));
      listener.server.on('error', (err) => {
        this.#o.logger.warn(
          { err, addr, service: `${w.namespace}/${w.service}` },
          'service proxy cannot listen',
        );
        if (this.#listeners.get(addr) === listener) this.#listeners.delete(addr);
      });
      listener.server.listen(w.port, w.ip);
      this.#listeners.set(addr, listener);
    }
  }

  #forward(l: Listener, client: net.Socket): void {
    this.#sockets.add(client);
    client.once('close', () => this.#sockets.delete(client));
    client.on('error', () => client.destroy());
    client.pause();
    const slices = this.#o.endpointSlices.store.byIndex('service', `${l.namespace}/${l.service}`);
    const backends = readyBackends(slices, l.portName);
    const attempt = (tries: number): void => {
      if (tries >= backends.length || client.destroyed) {
        client.resetAndDestroy();
        return;
      }
      const b = backends[l.next++ % backends.length] as Backend;
      const upstream = net.connect({ host: b.ip, port: b.port });
      upstream.once('error', () => {
        upstream.destroy();
        if (!connected) attempt(tries + 1);
        else client.destroy();
      });
      let connected = false;
      upstream.once('connect', () => {
        connected = true;
        this.#sockets.add(upstream);
        upstream.once('close', () => {
          this.#sockets.delete(upstream);
          client.end();
        });
        client.once('close', () => upstream.destroy());
        client.pipe(upstream);
        upstream.pipe(client);
        client.resume();
      });
    };
    attempt(0);
  }
}
