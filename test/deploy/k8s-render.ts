// Renders the Kustomize overlays with a real kubectl and validates every object against the
// Kubernetes API schemas two ways: the JSON-schema validators of kubernetes-models (types, enums,
// required fields) and its TypeScript interfaces (tsc's excess-property check finds unknown or
// misspelt fields, which the JSON schemas allow).
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { parseAllDocuments } from 'yaml';
import { Deployment, StatefulSet } from 'kubernetes-models/apps/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { Ingress } from 'kubernetes-models/networking.k8s.io/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { ConfigMap, Namespace, Secret, Service, ServiceAccount } from 'kubernetes-models/v1';
import { ROOT } from './expected.js';

export const KUBECTL = '/usr/bin/kubectl';
export const OVERLAYS = ['dev', 'prod', 'multi-region'] as const;
export type Overlay = (typeof OVERLAYS)[number];

/** A rendered Kubernetes object, as plain data. */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [field: string]: unknown;
}

export function renderKustomization(dir: string, kubectl = KUBECTL): K8sObject[] {
  const text = execFileSync(kubectl, ['kustomize', join(ROOT, dir)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 });
  return parseAllDocuments(text).map((d) => {
    if (d.errors.length) throw new Error(`${dir}: ${d.errors[0]!.message}`);
    return d.toJS() as K8sObject;
  }).filter((o) => o !== null);
}

export const renderOverlay = (o: Overlay | 'base', kubectl = KUBECTL): K8sObject[] =>
  renderKustomization(o === 'base' ? 'deploy/k8s/base' : `deploy/k8s/overlays/${o}`, kubectl);

interface Model { validate(): void }
type ModelClass = new (data: never) => Model;
// apiVersion/kind -> model class and where its TypeScript interface lives.
const MODELS: Record<string, { model: ModelClass; module: string; iface: string }> = {
  'v1/Namespace': { model: Namespace as unknown as ModelClass, module: 'kubernetes-models/v1/Namespace', iface: 'INamespace' },
  'v1/ServiceAccount': { model: ServiceAccount as unknown as ModelClass, module: 'kubernetes-models/v1/ServiceAccount', iface: 'IServiceAccount' },
  'v1/ConfigMap': { model: ConfigMap as unknown as ModelClass, module: 'kubernetes-models/v1/ConfigMap', iface: 'IConfigMap' },
  'v1/Secret': { model: Secret as unknown as ModelClass, module: 'kubernetes-models/v1/Secret', iface: 'ISecret' },
  'v1/Service': { model: Service as unknown as ModelClass, module: 'kubernetes-models/v1/Service', iface: 'IService' },
  'apps/v1/Deployment': { model: Deployment as unknown as ModelClass, module: 'kubernetes-models/apps/v1/Deployment', iface: 'IDeployment' },
  'apps/v1/StatefulSet': { model: StatefulSet as unknown as ModelClass, module: 'kubernetes-models/apps/v1/StatefulSet', iface: 'IStatefulSet' },
  'policy/v1/PodDisruptionBudget': { model: PodDisruptionBudget as unknown as ModelClass, module: 'kubernetes-models/policy/v1/PodDisruptionBudget', iface: 'IPodDisruptionBudget' },
  'autoscaling/v2/HorizontalPodAutoscaler': { model: HorizontalPodAutoscaler as unknown as ModelClass, module: 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler', iface: 'IHorizontalPodAutoscaler' },
  'networking.k8s.io/v1/Ingress': { model: Ingress as unknown as ModelClass, module: 'kubernetes-models/networking.k8s.io/v1/Ingress', iface: 'IIngress' },
};

export const describeObject = (o: K8sObject): string => `${o.kind}/${o.metadata?.name}`;

/** Schema errors of every object, as "Kind/name: message" lines (empty when all are valid). */
export function schemaErrors(objects: K8sObject[]): string[] {
  const errors: string[] = [];
  for (const o of objects) {
    const entry = MODELS[`${o.apiVersion}/${o.kind}`];
    if (!entry) {
      errors.push(`${describeObject(o)}: no schema known for ${o.apiVersion} ${o.kind} (add it to MODELS)`);
      continue;
    }
    try {
      new entry.model(o as never).validate();
    } catch (e: unknown) {
      errors.push(`${describeObject(o)}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  return errors;
}

/**
 * Type-checks the objects as literals of their kubernetes-models interfaces with tsc and returns
 * the diagnostics (unknown fields, wrong types), each naming the object.
 */
export function typeErrors(objects: K8sObject[]): string[] {
  const dir = join(ROOT, 'test-output', `k8s-types-${process.pid}-${Date.now()}`);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'objects.ts');
  const known = objects.filter((o) => MODELS[`${o.apiVersion}/${o.kind}`]);
  const imports = [...new Set(known.map((o) => MODELS[`${o.apiVersion}/${o.kind}`]!))].map((m) => `import type { ${m.iface} } from '${m.module}';`);
  const lines = [...imports];
  const objectAtLine: number[] = lines.map(() => -1);
  known.forEach((o, i) => {
    const decl = `export const o${i}: ${MODELS[`${o.apiVersion}/${o.kind}`]!.iface} = ${JSON.stringify(o, null, 1)};`.split('\n');
    lines.push(...decl);
    objectAtLine.push(...decl.map(() => i));
  });
  writeFileSync(file, lines.join('\n'));
  try {
    const program = ts.createProgram([file], {
      strict: true, noEmit: true, skipLibCheck: true, types: [],
      module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, target: ts.ScriptTarget.ES2022,
    });
    const source = program.getSourceFile(file)!;
    return ts.getPreEmitDiagnostics(program).map((d) => {
      const msg = ts.flattenDiagnosticMessageText(d.messageText, ' ');
      if (d.file !== source || d.start === undefined) return msg;
      const o = known[objectAtLine[source.getLineAndCharacterOfPosition(d.start).line] ?? -1];
      return `${o ? describeObject(o) : 'objects.ts'}: ${msg}`;
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Strips what differs between kustomize versions but not in meaning: generator hash suffixes, empty annotations, order. */
export function normalizeRender(objects: K8sObject[]): string[] {
  const text = (o: K8sObject) => JSON.stringify(o, (k, v: unknown) => {
    if (k === 'annotations' && v && typeof v === 'object' && Object.keys(v).length === 0) return undefined;
    return typeof v === 'string' ? v.replace(/^(pulseguard-config)-[a-z0-9]{10}$/, '$1') : v;
  });
  return objects.map(text).sort();
}
