// Create or edit a target with every probe option (fields generated from the kind's options
// schema). API validation errors show next to the field they name.
import { useEffect, useState, type FormEvent } from 'react';
import { api, ApiError, get } from '../api';
import { Link, navigate } from '../router';
import type { Kinds, Target } from '../types';
import { KeyValueEditor } from '../components/key-value';
import { errorFor, SchemaForm, type FieldError } from '../components/schema-form';

interface Form {
  name: string;
  url: string;
  type: string;
  enabled: boolean;
  interval_s: string;
  timeout_ms: string;
  regions: string;
  labels: Record<string, string>;
  options: Record<string, unknown>;
}

const TOP_FIELDS = ['name', 'url', 'type', 'enabled', 'interval_s', 'timeout_ms', 'regions', 'labels'];

function kindForUrl(kinds: Kinds | null, url: string): string | undefined {
  const scheme = /^([a-z][a-z0-9+.-]*:)/i.exec(url.trim())?.[1]?.toLowerCase();
  return kinds?.probes.find((k) => scheme && k.schemes.includes(scheme))?.type;
}

function Field({ label, path, error, children, hint }: { label: string; path: string; error: FieldError | null; children: React.ReactNode; hint?: string }) {
  const msg = errorFor(error, path);
  return (
    <div className={`field ${msg ? 'has-error' : ''}`} data-field={path}>
      <label htmlFor={`f-${path}`}>{label}</label>
      {children}
      {hint ? <small className="muted">{hint}</small> : null}
      {msg ? <small className="field-error" role="alert">{msg}</small> : null}
    </div>
  );
}

export function TargetFormPage({ id }: { id?: number }) {
  const [kinds, setKinds] = useState<Kinds | null>(null);
  const [form, setForm] = useState<Form | null>(id === undefined ? { name: '', url: '', type: '', enabled: true, interval_s: '60', timeout_ms: '', regions: '', labels: {}, options: {} } : null);
  const [error, setError] = useState<FieldError | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    get<Kinds>('/kinds').then(setKinds, () => setKinds({ probes: [], channels: [] }));
    if (id !== undefined) {
      get<Target>(`/targets/${id}`).then((t) => setForm({
        name: t.name, url: t.url, type: t.type, enabled: t.enabled, interval_s: String(t.interval_s), timeout_ms: String(t.timeout_ms),
        regions: t.regions.join(', '), labels: t.labels, options: t.options,
      }), (e: Error) => setError({ field: '(body)', message: e.message }));
    }
  }, [id]);

  if (!form) return <div className="loading">{error ? error.message : 'Loading…'}</div>;
  const effectiveType = form.type || kindForUrl(kinds, form.url) || '';
  const kind = kinds?.probes.find((k) => k.type === effectiveType);
  const set = <K extends keyof Form>(k: K, v: Form[K]) => setForm({ ...form, [k]: v });

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    const num = (s: string) => (s.trim() === '' ? undefined : Number(s));
    const body: Record<string, unknown> = {
      name: form.name.trim(), url: form.url.trim(), enabled: form.enabled,
      regions: form.regions.split(',').map((s) => s.trim()).filter(Boolean), labels: form.labels, options: form.options,
    };
    if (form.type) body.type = form.type;
    if (num(form.interval_s) !== undefined) body.interval_s = num(form.interval_s);
    if (num(form.timeout_ms) !== undefined) body.timeout_ms = num(form.timeout_ms);
    try {
      const t = await api<Target>(id === undefined ? 'POST' : 'PATCH', id === undefined ? '/targets' : `/targets/${id}`, body);
      navigate(`/ui/targets/${t.id}`);
    } catch (err: unknown) {
      setError(err instanceof ApiError ? { field: err.field ?? '(body)', message: err.message } : { field: '(body)', message: String(err) });
    } finally {
      setBusy(false);
    }
  };
  const unplaced = error && !TOP_FIELDS.some((f) => errorFor(error, f)) && !error.field.startsWith('options') ? error.message : null;
  const changeType = (type: string) => {
    const defaults = kinds?.probes.find((k) => k.type === (type || kindForUrl(kinds, form.url)))?.options_defaults ?? {};
    setForm({ ...form, type, options: id === undefined || type !== form.type ? { ...defaults } : form.options });
  };

  return (
    <form className="target-form" onSubmit={(e) => void submit(e)} noValidate>
      <div className="page-head">
        <div>
          <div className="crumbs"><Link to="/ui/manage">Manage</Link> / {id === undefined ? 'New target' : form.name}</div>
          <h1>{id === undefined ? 'New target' : 'Edit target'}</h1>
        </div>
        <div className="actions">
          <Link to={id === undefined ? '/ui/manage' : `/ui/targets/${id}`} className="btn ghost">Cancel</Link>
          <button className="btn" type="submit" disabled={busy}>{busy ? 'Saving…' : id === undefined ? 'Create target' : 'Save changes'}</button>
        </div>
      </div>
      {error ? <div className="alert" role="alert">{unplaced ?? 'The server rejected a field; see below.'}</div> : null}
      <div className="grid2">
        <section className="card">
          <h2>Target</h2>
          <Field label="Name *" path="name" error={error}><input id="f-name" value={form.name} onChange={(e) => set('name', e.target.value)} /></Field>
          <Field label="URL *" path="url" error={error} hint="http(s)://… or tcp://host:port">
            <input id="f-url" value={form.url} placeholder="https://example.com/health" onChange={(e) => set('url', e.target.value)} />
          </Field>
          <Field label="Probe kind" path="type" error={error}>
            <select id="f-type" value={form.type} onChange={(e) => changeType(e.target.value)}>
              <option value="">from the URL{effectiveType && !form.type ? ` (${effectiveType})` : ''}</option>
              {kinds?.probes.map((k) => <option key={k.type} value={k.type}>{k.type}</option>)}
            </select>
          </Field>
          <div className="row2">
            <Field label="Interval (s)" path="interval_s" error={error}><input id="f-interval_s" type="number" min={1} value={form.interval_s} onChange={(e) => set('interval_s', e.target.value)} /></Field>
            <Field label="Timeout (ms)" path="timeout_ms" error={error}><input id="f-timeout_ms" type="number" min={100} value={form.timeout_ms} placeholder="default" onChange={(e) => set('timeout_ms', e.target.value)} /></Field>
          </div>
          <Field label="Regions" path="regions" error={error} hint="comma-separated; empty = every region">
            <input id="f-regions" value={form.regions} placeholder="eu-west, us-east" onChange={(e) => set('regions', e.target.value)} />
          </Field>
          <Field label="Labels" path="labels" error={error}><KeyValueEditor id="f-labels" value={form.labels} onChange={(v) => set('labels', v)} /></Field>
          <div className="field field-check" data-field="enabled">
            <label htmlFor="f-enabled">Enabled (probing)</label>
            <input id="f-enabled" type="checkbox" checked={form.enabled} onChange={(e) => set('enabled', e.target.checked)} />
          </div>
        </section>
        <section className="card">
          <h2>{effectiveType ? `${effectiveType} options` : 'Probe options'}</h2>
          {kind ? <SchemaForm schema={kind.options_schema} value={id === undefined ? { ...kind.options_defaults, ...form.options } : form.options} prefix="options" error={error} onChange={(v) => set('options', v)} />
            : <p className="muted">Enter a URL to see the options of its probe kind.</p>}
          {errorFor(error, 'options') && !Object.keys(kind?.options_schema.properties ?? {}).some((k) => errorFor(error, `options.${k}`))
            ? <small className="field-error" role="alert">{error!.message}</small> : null}
        </section>
      </div>
    </form>
  );
}
