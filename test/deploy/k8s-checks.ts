// Our own rules for the rendered manifests, beyond the Kubernetes schemas: each returns a list
// of problems ("Kind/name: what is wrong"), empty when the objects follow the rule.
import type { K8sObject } from './k8s-render.js';
import { describeObject } from './k8s-render.js';

interface Probe { httpGet?: { path: string; port: string | number }; exec?: { command: string[] } }
interface SecurityContext {
  runAsNonRoot?: boolean; runAsUser?: number; allowPrivilegeEscalation?: boolean; readOnlyRootFilesystem?: boolean;
  capabilities?: { drop?: string[] }; seccompProfile?: { type: string };
}
export interface Container {
  name: string; image?: string; args?: string[];
  ports?: Array<{ name?: string; containerPort: number }>;
  readinessProbe?: Probe; livenessProbe?: Probe; startupProbe?: Probe;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: SecurityContext;
  volumeMounts?: Array<{ name: string; mountPath: string }>;
  envFrom?: Array<{ configMapRef?: { name: string }; secretRef?: { name: string } }>;
}
export interface PodSpec {
  containers: Container[];
  securityContext?: SecurityContext & { fsGroup?: number };
  volumes?: Array<{ name: string; emptyDir?: object }>;
  enableServiceLinks?: boolean; automountServiceAccountToken?: boolean; serviceAccountName?: string;
}
export interface Workload extends K8sObject {
  spec: {
    replicas?: number;
    selector: { matchLabels: Record<string, string> };
    template: { metadata: { labels: Record<string, string>; annotations?: Record<string, string> }; spec: PodSpec };
  };
}

export const NAME_LABEL = 'app.kubernetes.io/name';
export const COMPONENT_LABEL = 'app.kubernetes.io/component';

export const byKind = <T extends K8sObject = K8sObject>(objects: K8sObject[], kind: string): T[] => objects.filter((o) => o.kind === kind) as T[];
export const workloads = (objects: K8sObject[]): Workload[] => objects.filter((o) => o.kind === 'Deployment' || o.kind === 'StatefulSet') as Workload[];

/** PulseGuard's own Deployments, with the role each runs (its component label). */
export function roleDeployments(objects: K8sObject[]): Array<{ role: string; d: Workload; c: Container }> {
  return byKind<Workload>(objects, 'Deployment')
    .filter((d) => d.spec.template.metadata.labels[NAME_LABEL] === 'pulseguard')
    .map((d) => ({ role: d.spec.template.metadata.labels[COMPONENT_LABEL] ?? '?', d, c: d.spec.template.spec.containers[0]! }));
}

const subset = (a: Record<string, string>, b: Record<string, string>) => Object.entries(a).every(([k, v]) => b[k] === v);
/** Workloads whose pods a label selector selects. */
export const selected = (objects: K8sObject[], selector: Record<string, string>): Workload[] =>
  workloads(objects).filter((w) => Object.keys(selector).length > 0 && subset(selector, w.spec.template.metadata.labels));

/** Probes, resources, the restricted securityContext, a writable /tmp, no service links or token. */
export function podProblems(w: Workload): string[] {
  const out: string[] = [];
  const at = describeObject(w);
  const pod = w.spec.template.spec;
  const psc = pod.securityContext ?? {};
  if (!subset(w.spec.selector.matchLabels, w.spec.template.metadata.labels)) out.push(`${at}: selector does not match its own pod labels`);
  if (pod.enableServiceLinks !== false) out.push(`${at}: enableServiceLinks must be false (service env vars could shadow settings)`);
  if (pod.automountServiceAccountToken !== false) out.push(`${at}: automountServiceAccountToken must be false`);
  for (const c of pod.containers) {
    const where = `${at} container ${c.name}`;
    const sc = c.securityContext ?? {};
    const portNames = new Set((c.ports ?? []).map((p) => p.name));
    for (const kind of ['readinessProbe', 'livenessProbe'] as const) {
      const p = c[kind];
      if (!p) out.push(`${where}: no ${kind}`);
      else if (p.httpGet && typeof p.httpGet.port === 'string' && !portNames.has(p.httpGet.port)) out.push(`${where}: ${kind} uses unknown port ${p.httpGet.port}`);
    }
    for (const part of ['requests', 'limits'] as const) {
      for (const r of ['cpu', 'memory']) if (!c.resources?.[part]?.[r]) out.push(`${where}: no resources.${part}.${r}`);
    }
    if ((sc.runAsNonRoot ?? psc.runAsNonRoot) !== true) out.push(`${where}: runAsNonRoot is not true`);
    if ((sc.runAsUser ?? psc.runAsUser ?? 0) === 0) out.push(`${where}: no numeric non-root runAsUser (kubelet cannot verify a named image user)`);
    if (sc.allowPrivilegeEscalation !== false) out.push(`${where}: allowPrivilegeEscalation is not false`);
    if (sc.readOnlyRootFilesystem !== true) out.push(`${where}: readOnlyRootFilesystem is not true`);
    if (!sc.capabilities?.drop?.includes('ALL')) out.push(`${where}: capabilities do not drop ALL`);
    if ((sc.seccompProfile ?? psc.seccompProfile)?.type !== 'RuntimeDefault') out.push(`${where}: seccompProfile is not RuntimeDefault`);
    const tmp = c.volumeMounts?.find((m) => m.mountPath === '/tmp');
    if (!tmp || !pod.volumes?.find((v) => v.name === tmp.name)?.emptyDir) out.push(`${where}: /tmp is not an emptyDir`);
  }
  return out;
}

/** configMapRef / secretRef / serviceAccountName that name nothing in the render (except `external`). */
export function danglingReferences(objects: K8sObject[], external: Array<{ kind: string; name: string }> = []): string[] {
  const exists = (kind: string, name: string) =>
    objects.some((o) => o.kind === kind && o.metadata.name === name) || external.some((e) => e.kind === kind && e.name === name);
  const out: string[] = [];
  for (const w of workloads(objects)) {
    const pod = w.spec.template.spec;
    if (pod.serviceAccountName && !exists('ServiceAccount', pod.serviceAccountName)) out.push(`${describeObject(w)}: ServiceAccount ${pod.serviceAccountName} is not rendered`);
    for (const c of pod.containers) {
      for (const e of c.envFrom ?? []) {
        if (e.configMapRef && !exists('ConfigMap', e.configMapRef.name)) out.push(`${describeObject(w)}: ConfigMap ${e.configMapRef.name} is not rendered`);
        if (e.secretRef && !exists('Secret', e.secretRef.name)) out.push(`${describeObject(w)}: Secret ${e.secretRef.name} is not rendered`);
      }
    }
  }
  return out;
}

/** Every Service, PodDisruptionBudget and HPA points at workloads that exist, on ports they have. */
export function targetProblems(objects: K8sObject[]): string[] {
  const out: string[] = [];
  for (const s of byKind(objects, 'Service') as Array<K8sObject & { spec: { selector?: Record<string, string>; ports: Array<{ port: number; targetPort?: string | number }> } }>) {
    const pods = selected(objects, s.spec.selector ?? {});
    if (pods.length === 0) out.push(`${describeObject(s)}: selects no workload`);
    for (const p of s.spec.ports) {
      for (const w of pods) {
        const ports = w.spec.template.spec.containers.flatMap((c) => c.ports ?? []);
        const t = p.targetPort ?? p.port;
        if (!ports.some((cp) => cp.name === t || cp.containerPort === t)) out.push(`${describeObject(s)}: port ${p.port} targets ${t}, which ${describeObject(w)} does not expose`);
      }
    }
  }
  for (const b of byKind(objects, 'PodDisruptionBudget') as Array<K8sObject & { spec: { selector: { matchLabels: Record<string, string> } } }>) {
    if (selected(objects, b.spec.selector.matchLabels).length !== 1) out.push(`${describeObject(b)}: selects ${selected(objects, b.spec.selector.matchLabels).length} workloads, not 1`);
  }
  for (const h of byKind(objects, 'HorizontalPodAutoscaler') as Array<K8sObject & { spec: { scaleTargetRef: { kind: string; name: string } } }>) {
    const t = h.spec.scaleTargetRef;
    if (!objects.some((o) => o.kind === t.kind && o.metadata.name === t.name)) out.push(`${describeObject(h)}: scales ${t.kind}/${t.name}, which is not rendered`);
  }
  return out;
}

/** A Secret value that is not empty and not a password-less URL of a Service in the render. */
export function realSecretValues(objects: K8sObject[]): string[] {
  const services = new Set(byKind(objects, 'Service').map((s) => s.metadata.name));
  const out: string[] = [];
  for (const s of byKind(objects, 'Secret') as Array<K8sObject & { data?: Record<string, string>; stringData?: Record<string, string> }>) {
    const values = { ...s.stringData, ...Object.fromEntries(Object.entries(s.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString()])) };
    for (const [k, v] of Object.entries(values)) {
      if (v === '') continue;
      let ok = false;
      try {
        const u = new URL(v);
        ok = u.password === '' && services.has(u.hostname);
      } catch {
        ok = false;
      }
      if (!ok) out.push(`${describeObject(s)}: ${k} holds a value that is neither empty nor a password-less URL of an in-cluster Service`);
    }
  }
  return out;
}
