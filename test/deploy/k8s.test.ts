// The Kustomize overlays (deploy/k8s), rendered by a real kubectl and validated offline: the
// Kubernetes schemas, our hardening rules, and agreement with the code (roles, CLI, ports,
// settings). Set PULSEGUARD_TEST_KUBECTL_COMPAT to a second kubectl (e.g. 1.20, kustomize v2.0.3)
// to also check that it renders every overlay the same.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { needs } from '../helpers/services.js';
import { API_PORT, DEPLOYED_ROLES, ENV_NAMES, HEALTH_PORT, SECRET_ENV_NAMES, parseRoleCommand, portOfRole } from './expected.js';
import { normalizeRender, OVERLAYS, renderOverlay, schemaErrors, typeErrors, type K8sObject, type Overlay } from './k8s-render.js';
import { byKind, COMPONENT_LABEL, danglingReferences, podProblems, realSecretValues, roleDeployments, targetProblems, workloads, type Workload } from './k8s-checks.js';

const ALL = ['base', ...OVERLAYS] as const;
type Name = (typeof ALL)[number];
const cache = new Map<Name, K8sObject[]>();
const render = (o: Name): K8sObject[] => {
  if (!cache.has(o)) cache.set(o, renderOverlay(o as Overlay | 'base'));
  return cache.get(o)!;
};
const IMAGES: Record<Name, string> = {
  base: 'pulseguard:0.1.0',
  dev: 'pulseguard:dev',
  prod: 'registry.example.com/pulseguard:0.1.0',
  'multi-region': 'pulseguard:0.1.0',
};
const config = (objects: K8sObject[]) => {
  const cms = byKind<K8sObject & { data: Record<string, string> }>(objects, 'ConfigMap').filter((c) => c.metadata.name.startsWith('pulseguard-config'));
  assert.equal(cms.length, 1, 'one pulseguard-config ConfigMap');
  return cms[0]!.data;
};

test('every overlay renders with kubectl kustomize and every object passes the Kubernetes schemas', async (t) => {
  if (!(await needs(t, 'kubectl'))) return;
  const all = ALL.flatMap((o) => render(o));
  assert.ok(all.length > 60, `rendered only ${all.length} objects`);
  assert.deepEqual(schemaErrors(all), []);
  assert.deepEqual(typeErrors(all), []);
  const compat = process.env.PULSEGUARD_TEST_KUBECTL_COMPAT;
  if (compat) {
    for (const o of ALL) assert.deepEqual(normalizeRender(renderOverlay(o as Overlay | 'base', compat)), normalizeRender(render(o)), `${compat} renders ${o} differently`);
  }
});

test('every container has readiness and liveness probes, resource limits and the restricted securityContext', async (t) => {
  if (!(await needs(t, 'kubectl'))) return;
  for (const o of ALL) {
    const ws = workloads(render(o));
    assert.ok(ws.length >= DEPLOYED_ROLES.length, `${o}: ${ws.length} workloads`);
    assert.deepEqual(ws.flatMap(podProblems), [], o);
  }
});

test('each role runs as its own Deployment of one image, with its command and the ports of the code', async (t) => {
  if (!(await needs(t, 'kubectl'))) return;
  for (const o of ALL) {
    const objects = render(o);
    const roles = roleDeployments(objects);
    assert.deepEqual([...new Set(roles.map((r) => r.role))].sort(), [...DEPLOYED_ROLES].sort(), `${o}: one Deployment per role`);
    const cm = config(objects);
    assert.equal(Number(cm.PULSEGUARD_PORT), API_PORT, `${o}: PULSEGUARD_PORT`);
    assert.equal(Number(cm.PULSEGUARD_HEALTH_PORT), HEALTH_PORT, `${o}: PULSEGUARD_HEALTH_PORT`);
    for (const { role, d, c } of roles) {
      const at = `${o} ${d.metadata.name}`;
      assert.equal(c.image, IMAGES[o], `${at}: image`);
      assert.equal(parseRoleCommand(c.args ?? []).role, role, `${at}: command`);
      const port = portOfRole(role);
      const named = c.ports?.find((p) => p.containerPort === port);
      assert.ok(named?.name, `${at}: exposes ${port} by name`);
      assert.deepEqual(c.readinessProbe?.httpGet, { path: '/ready', port: named.name }, `${at}: readiness`);
      assert.deepEqual(c.livenessProbe?.httpGet, { path: '/health', port: named.name }, `${at}: liveness`);
      assert.equal(d.spec.template.metadata.annotations?.['prometheus.io/port'], String(port), `${at}: scrape port`);
      const services = byKind<K8sObject & { spec: { selector: Record<string, string>; ports: Array<{ port: number }> } }>(objects, 'Service')
        .filter((s) => s.spec.selector[COMPONENT_LABEL] === role && s.spec.ports.some((p) => p.port === port));
      assert.ok(services.length >= 1, `${at}: a Service on port ${port}`);
    }
    const schedulers = roles.filter((r) => r.role === 'scheduler');
    assert.equal(schedulers.length, 1, `${o}: one scheduler Deployment`);
    assert.equal(schedulers[0]!.d.spec.replicas, 2, `${o}: two schedulers (the lease picks one)`);
  }
});

test('Services, PodDisruptionBudgets, HPAs and references point at objects that are rendered', async (t) => {
  if (!(await needs(t, 'kubectl'))) return;
  for (const o of ALL) {
    const objects = render(o);
    assert.deepEqual(targetProblems(objects), [], o);
    // prod renders no Secret: the operator creates pulseguard-secrets (docs/deploy.md).
    const external = o === 'prod' ? [{ kind: 'Secret', name: 'pulseguard-secrets' }] : [];
    assert.deepEqual(danglingReferences(objects, external), [], o);
    const budgets = byKind<K8sObject & { spec: { selector: { matchLabels: Record<string, string> } } }>(objects, 'PodDisruptionBudget');
    for (const role of DEPLOYED_ROLES) {
      assert.ok(budgets.some((b) => b.spec.selector.matchLabels[COMPONENT_LABEL] === role), `${o}: a PodDisruptionBudget for ${role}`);
    }
  }
});

test('the ConfigMap holds only non-secret settings; Secrets hold the secret ones, without real values', async (t) => {
  if (!(await needs(t, 'kubectl'))) return;
  for (const o of ALL) {
    const objects = render(o);
    for (const k of Object.keys(config(objects))) {
      assert.ok(ENV_NAMES.has(k), `${o}: ConfigMap key ${k} is not a PulseGuard setting`);
      assert.ok(!SECRET_ENV_NAMES.has(k), `${o}: secret setting ${k} in the ConfigMap`);
    }
    const secrets = byKind<K8sObject & { stringData?: Record<string, string> }>(objects, 'Secret');
    if (o === 'prod') {
      assert.equal(secrets.length, 0, 'prod renders no Secret, so applying it cannot blank the real one');
      continue;
    }
    assert.equal(secrets.length, 1, o);
    const keys = Object.keys(secrets[0]!.stringData ?? {});
    for (const k of keys) assert.ok(ENV_NAMES.has(k), `${o}: Secret key ${k} is not a PulseGuard setting`);
    for (const k of [...SECRET_ENV_NAMES, 'NATS_URL']) assert.ok(keys.includes(k), `${o}: Secret template lacks ${k}`);
    assert.deepEqual(realSecretValues(objects), [], o);
    if (o === 'base') assert.ok(Object.values(secrets[0]!.stringData ?? {}).every((v) => v === ''), 'the base template is empty');
  }
});

test('dev runs PostgreSQL 15+ and NATS JetStream in the cluster, and its Secret points at them', async (t) => {
  if (!(await needs(t, 'kubectl'))) return;
  const objects = render('dev');
  const sets = byKind<Workload>(objects, 'StatefulSet');
  const pg = sets.find((s) => s.metadata.name === 'postgres')?.spec.template.spec.containers[0];
  const nats = sets.find((s) => s.metadata.name === 'nats')?.spec.template.spec.containers[0];
  assert.ok(Number(/^postgres:(\d+)/.exec(pg?.image ?? '')?.[1]) >= 15, `postgres image ${pg?.image}`);
  assert.ok(nats?.args?.includes('-js'), 'nats runs with JetStream');
  const secret = byKind<K8sObject & { stringData: Record<string, string> }>(objects, 'Secret')[0]!;
  assert.equal(new URL(secret.stringData.DATABASE_URL!).hostname, 'postgres');
  assert.equal(new URL(secret.stringData.NATS_URL!).hostname, 'nats');
});

test('prod: an Ingress with cert-manager TLS to the api, and autoscaling/v2 HPAs for api and prober', async (t) => {
  if (!(await needs(t, 'kubectl'))) return;
  const objects = render('prod');
  const [ing, ...more] = byKind<K8sObject & { spec: { tls: Array<{ hosts: string[]; secretName: string }>; rules: Array<{ host: string; http: { paths: Array<{ backend: { service: { name: string; port: { name?: string } } } }> } }> } }>(objects, 'Ingress');
  assert.ok(ing && more.length === 0, 'one Ingress');
  assert.ok(ing.metadata.annotations?.['cert-manager.io/cluster-issuer'], 'cert-manager issuer annotation');
  assert.deepEqual(ing.spec.tls[0]?.hosts, [ing.spec.rules[0]?.host]);
  assert.ok(ing.spec.tls[0]?.secretName);
  const backend = ing.spec.rules[0]!.http.paths[0]!.backend.service;
  assert.equal(backend.name, 'pulseguard-api');
  const api = byKind<K8sObject & { spec: { ports: Array<{ name: string }> } }>(objects, 'Service').find((s) => s.metadata.name === 'pulseguard-api');
  assert.ok(api?.spec.ports.some((p) => p.name === backend.port.name), 'the Ingress uses a port the api Service has');
  const hpas = byKind<K8sObject & { spec: { scaleTargetRef: { name: string } } }>(objects, 'HorizontalPodAutoscaler');
  assert.ok(hpas.every((h) => h.apiVersion === 'autoscaling/v2'));
  assert.deepEqual(hpas.map((h) => h.spec.scaleTargetRef.name).sort(), ['pulseguard-api', 'pulseguard-prober']);
  for (const h of hpas) {
    const d = byKind<Workload>(objects, 'Deployment').find((x) => x.metadata.name === h.spec.scaleTargetRef.name);
    assert.equal(d?.spec.replicas, undefined, `${h.spec.scaleTargetRef.name}: no replicas in the manifest, so apply does not undo the HPA`);
  }
  assert.equal(config(objects).PULSEGUARD_PUBLIC_URL, `https://${ing.spec.rules[0]!.host}`);
});

test('multi-region: one prober per region of PULSEGUARD_REGIONS, each the base prober plus --region', async (t) => {
  if (!(await needs(t, 'kubectl'))) return;
  const objects = render('multi-region');
  const regions = config(objects).PULSEGUARD_REGIONS!.split(',');
  assert.ok(regions.length >= 2, 'two regions or more');
  const probers = roleDeployments(objects).filter((r) => r.role === 'prober');
  assert.deepEqual(probers.map((p) => String(parseRoleCommand(p.c.args ?? []).flags.region)).sort(), [...regions].sort());
  const baseProber = roleDeployments(render('base')).find((r) => r.role === 'prober')!.d;
  // Everything but names, region labels and --region must equal the base prober (no drift).
  const strip = (d: Workload) => JSON.parse(JSON.stringify(d, (k, v: unknown) => (k === 'pulseguard.io/region' || k === 'name' || k === 'args' ? undefined : v))) as unknown;
  for (const { d } of probers) {
    const region = d.spec.selector.matchLabels['pulseguard.io/region'];
    assert.ok(region && regions.includes(region), `${d.metadata.name}: selects its region`);
    assert.deepEqual(strip(d), strip(baseProber), `${d.metadata.name} drifted from base/prober/prober.yaml`);
  }
});
