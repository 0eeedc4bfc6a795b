// Every probe kind by its `type` name. Adding a kind = one file, one line here, its tests and docs.
import type { ProbeKind } from './probe.js';
import { http } from './http.js';
import { tcp } from './tcp.js';

export const probeKinds = { http, tcp } satisfies Record<string, ProbeKind>;

export type ProbeKindName = keyof typeof probeKinds;

/** The kind registered under `type`, or undefined (never an inherited property like "toString"). */
export function getProbeKind(type: string): ProbeKind | undefined {
  return Object.hasOwn(probeKinds, type) ? probeKinds[type as ProbeKindName] : undefined;
}
