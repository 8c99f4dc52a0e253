/**
 * The mesh route compiler: one pure function from Istio configuration plus the merged services of
 * every member cluster (`MeshInput`) to the route tables every proxy serves (`CompiledMesh`).
 * Deterministic and free of I/O; invalid pieces become `Diagnostic`s and are skipped.
 */
import type { MeshInput } from '../input.ts';
import type { CompiledMesh } from './types.ts';

export type * from './types.ts';

/** Compiles Istio config and services into route tables; never throws on bad config. */
export function compileMesh(_input: MeshInput): CompiledMesh {
  throw new Error('compileMesh: not implemented');
}
