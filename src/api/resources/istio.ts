/**
 * networking.istio.io (v1 preferred, also v1beta1 and v1alpha3): Gateway, VirtualService,
 * DestinationRule and ServiceEntry, with the printer columns of Istio's CRDs and the basic
 * checks of Istio's validation webhook.
 */
import type { KubeObject, StatusCause } from '../meta.ts';
import type { ResourceDef } from '../resource-def.ts';
import { type PrinterColumn, printerColumnsTable } from './crd.ts';
import { defineResource } from './define.ts';
import { AGE_DESCRIPTION } from './table-util.ts';
import { invalid, required } from './validation.ts';

// biome-ignore lint/suspicious/noExplicitAny: Istio specs are open JSON
type Obj = Record<string, any>;

const GROUP = 'networking.istio.io';
const VERSIONS = ['v1', 'v1beta1', 'v1alpha3'];
const CATEGORIES = ['istio-io', 'networking-istio-io'];
const AGE: PrinterColumn = {
  name: 'Age',
  type: 'date',
  jsonPath: '.metadata.creationTimestamp',
  description: AGE_DESCRIPTION,
};

function istioKind(
  kind: string,
  plural: string,
  shortName: string,
  columns: PrinterColumn[],
  validate?: (obj: KubeObject) => StatusCause[],
): ResourceDef {
  return defineResource({
    group: GROUP,
    versions: [...VERSIONS],
    kind,
    plural,
    namespaced: true,
    shortNames: [shortName],
    categories: [...CATEGORIES],
    subresources: { status: true },
    table: printerColumnsTable(columns),
    ...(validate ? { validate: (obj, ctx) => (ctx.status ? [] : validate(obj)) } : {}),
  });
}

function nonEmptyList(out: StatusCause[], value: unknown, field: string): void {
  if (!Array.isArray(value) || value.length === 0) out.push(required(field));
}

/** VirtualService basics: hosts present, every route destination has a host, weights non-negative. */
export function validateVirtualService(obj: KubeObject): StatusCause[] {
  const spec: Obj = obj.spec ?? {};
  const out: StatusCause[] = [];
  nonEmptyList(out, spec.hosts, 'spec.hosts');
  (Array.isArray(spec.hosts) ? spec.hosts : []).forEach((h: unknown, i: number) => {
    if (typeof h !== 'string' || h === '')
      out.push(invalid(`spec.hosts[${i}]`, h ?? '', 'host cannot be empty'));
  });
  for (const proto of ['http', 'tcp', 'tls']) {
    (Array.isArray(spec[proto]) ? spec[proto] : []).forEach((r: Obj, i: number) => {
      const routes: Obj[] = Array.isArray(r?.route) ? r.route : [];
      if (proto !== 'http' && routes.length === 0) out.push(required(`spec.${proto}[${i}].route`));
      if (proto === 'http' && routes.length === 0 && !r?.redirect && !r?.directResponse && !r?.delegate) {
        out.push(required(`spec.http[${i}].route`, 'http route or redirect is required'));
      }
      routes.forEach((d, j) => {
        const p = `spec.${proto}[${i}].route[${j}]`;
        if (!d?.destination?.host) out.push(required(`${p}.destination.host`));
        if (d?.weight !== undefined && (typeof d.weight !== 'number' || d.weight < 0)) {
          out.push(invalid(`${p}.weight`, d.weight, 'weight must be nonnegative'));
        }
      });
    });
  }
  return out;
}

function validateGateway(obj: KubeObject): StatusCause[] {
  const out: StatusCause[] = [];
  const servers: Obj[] = Array.isArray(obj.spec?.servers) ? obj.spec.servers : [];
  nonEmptyList(out, obj.spec?.servers, 'spec.servers');
  servers.forEach((s, i) => {
    if (!s?.port) out.push(required(`spec.servers[${i}].port`));
    nonEmptyList(out, s?.hosts, `spec.servers[${i}].hosts`);
  });
  return out;
}

function validateDestinationRule(obj: KubeObject): StatusCause[] {
  return obj.spec?.host ? [] : [required('spec.host')];
}

function validateServiceEntry(obj: KubeObject): StatusCause[] {
  const out: StatusCause[] = [];
  nonEmptyList(out, obj.spec?.hosts, 'spec.hosts');
  return out;
}

/** The Gateway resource (`gw`): `Name Age`. */
export function gatewayResource(): ResourceDef {
  return istioKind('Gateway', 'gateways', 'gw', [], validateGateway);
}

/** The VirtualService resource (`vs`): `Name Gateways Hosts Age`. */
export function virtualServiceResource(): ResourceDef {
  return istioKind(
    'VirtualService',
    'virtualservices',
    'vs',
    [
      {
        name: 'Gateways',
        type: 'string',
        jsonPath: '.spec.gateways',
        description: 'The names of gateways and sidecars that should apply these routes',
      },
      {
        name: 'Hosts',
        type: 'string',
        jsonPath: '.spec.hosts',
        description: 'The destination hosts to which traffic is being sent',
      },
      AGE,
    ],
    validateVirtualService,
  );
}

/** The DestinationRule resource (`dr`): `Name Host Age`. */
export function destinationRuleResource(): ResourceDef {
  return istioKind(
    'DestinationRule',
    'destinationrules',
    'dr',
    [
      {
        name: 'Host',
        type: 'string',
        jsonPath: '.spec.host',
        description: 'The name of a service from the service registry',
      },
      AGE,
    ],
    validateDestinationRule,
  );
}

/** The ServiceEntry resource (`se`): `Name Hosts Location Resolution Age`. */
export function serviceEntryResource(): ResourceDef {
  return istioKind(
    'ServiceEntry',
    'serviceentries',
    'se',
    [
      {
        name: 'Hosts',
        type: 'string',
        jsonPath: '.spec.hosts',
        description: 'The hosts associated with the ServiceEntry',
      },
      {
        name: 'Location',
        type: 'string',
        jsonPath: '.spec.location',
        description:
          'Whether the service is external to the mesh or part of the mesh (MESH_EXTERNAL or MESH_INTERNAL)',
      },
      {
        name: 'Resolution',
        type: 'string',
        jsonPath: '.spec.resolution',
        description: 'Service resolution mode for the hosts (NONE, STATIC, or DNS)',
      },
      AGE,
    ],
    validateServiceEntry,
  );
}
