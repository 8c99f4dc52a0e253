/**
 * Test helpers for the process runtime: pods built as the API server would default them, a
 * runtime that is always stopped after the test (even a failing one), and polling until a
 * condition holds.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestContext } from 'node:test';
import type { KubeObject } from '../../api/meta.ts';
import { defaultPodSpec } from '../../api/resources/pod-spec.ts';
import type { PodStatusReport, RuntimeEvent, SyncContext } from '../types.ts';
import { ProcessRuntime, type ProcessRuntimeOptions } from './runtime.ts';

let serial = 0;

/** A defaulted Pod named `name` in `default` with a fresh UID. */
export function makePod(name: string, spec: Record<string, unknown>, namespace = 'default'): KubeObject {
  const s = structuredClone(spec);
  defaultPodSpec(s, { pod: true });
  serial++;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace, uid: `00000000-0000-4000-8000-${String(serial).padStart(12, '0')}` },
    spec: s,
  };
}

/** The sync context tests use. */
export const CTX: SyncContext = {
  serviceEnv: { DETAILS_SERVICE_HOST: '127.100.0.10', DETAILS_SERVICE_PORT: '9080' },
  clusterName: 'member1',
};

/** A runtime with a temporary state dir and fast back-off, stopped (and its dir removed) after the test. */
export function testRuntime(
  t: TestContext,
  options: Partial<ProcessRuntimeOptions> & { podCIDR: string },
): { rt: ProcessRuntime; events: RuntimeEvent[] } {
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'flotilla-rt-test-'));
  const rt = new ProcessRuntime({
    stateDir,
    backoff: { baseMs: 200, capMs: 800 },
    maxGracePeriodSeconds: 2,
    ...options,
  });
  const events: RuntimeEvent[] = [];
  rt.onEvent((e) => events.push(e));
  t.after(async () => {
    await rt.stop();
    fs.rmSync(stateDir, { recursive: true, force: true });
  });
  return { rt, events };
}

/** Polls `fn` every 20 ms until it returns a truthy value; rejects with `what` (and the last status) after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  fn: () => T | undefined | null | false,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The pod's first container status. */
export function first(status: PodStatusReport | undefined) {
  return status?.containerStatuses[0];
}

/** True when a process with `pid` still exists and is not a zombie (an orphan's zombie waits for pid 1 to reap it). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true;
  }
}
