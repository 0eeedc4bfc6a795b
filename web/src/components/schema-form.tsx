// Form fields generated from a JSON schema (probe-kind options, channel configs), so a new probe
// kind or channel needs no dashboard change. An API error naming a field shows beside it.
import type { JsonSchema } from '../types';
import { KeyValueEditor } from './key-value';

export interface FieldError {
  field: string;
  message: string;
}

interface Props {
  schema: JsonSchema;
  value: Record<string, unknown>;
  onChange: (v: Record<string, unknown>) => void;
  /** Dot path of this object in the request body, e.g. `options`. */
  prefix: string;
  error: FieldError | null;
  /** Fields shown as password inputs. */
  secret?: string[];
}

const ACRONYMS = new Set(['tls', 'json', 'ip', 'url', 'http', 'dns', 'id', 'smtp', 'api']);
export const humanize = (k: string) => k.split('_').map((w, i) => (ACRONYMS.has(w) ? w.toUpperCase() : i === 0 ? w[0]!.toUpperCase() + w.slice(1) : w)).join(' ');

export function errorFor(error: FieldError | null, path: string): string | null {
  if (!error) return null;
  return error.field === path || error.field.startsWith(path + '.') ? error.message : null;
}

function typeOf(s: JsonSchema): string {
  if (s.enum) return 'enum';
  if (Array.isArray(s.type)) return s.type.find((t) => t !== 'null') ?? 'string';
  if (s.type) return s.type;
  if (s.anyOf) return s.anyOf.some((a) => a.type === 'string') ? 'string' : 'any';
  return 'any';
}

function Scalar({ schema, value, onChange, id, secret }: { schema: JsonSchema; value: unknown; onChange: (v: unknown) => void; id: string; secret?: boolean }) {
  const t = typeOf(schema);
  if (t === 'enum') {
    const opts = schema.enum ?? [];
    return (
      <select id={id} value={value === undefined ? '' : String(value)} onChange={(e) => {
        const hit = opts.find((o) => String(o) === e.target.value);
        onChange(e.target.value === '' ? undefined : hit);
      }}>
        <option value="">(default)</option>
        {opts.map((o) => <option key={String(o)} value={String(o)}>{String(o)}</option>)}
      </select>
    );
  }
  if (t === 'boolean') return <input id={id} type="checkbox" checked={value === true} onChange={(e) => onChange(e.target.checked)} />;
  if (t === 'integer' || t === 'number') {
    return <input id={id} type="number" value={typeof value === 'number' ? value : ''} min={schema.minimum} max={schema.maximum}
      onChange={(e) => onChange(e.target.value === '' ? undefined : Number(e.target.value))} />;
  }
  if (t === 'array' && schema.items && typeOf(schema.items) !== 'object') {
    const text = Array.isArray(value) ? value.join(', ') : '';
    return <input id={id} type="text" value={text} placeholder="comma-separated"
      onChange={(e) => onChange(e.target.value.trim() === '' ? undefined : e.target.value.split(',').map((s) => s.trim()).filter(Boolean).map((s) => (typeOf(schema.items!) === 'integer' ? Number(s) : s)))} />;
  }
  if (t === 'any') {
    const text = value === undefined ? '' : typeof value === 'string' ? value : JSON.stringify(value);
    return <input id={id} type="text" value={text} placeholder="JSON or text" onChange={(e) => {
      const s = e.target.value;
      if (s === '') return onChange(undefined);
      try {
        onChange(JSON.parse(s));
      } catch {
        onChange(s);
      }
    }} />;
  }
  const text = Array.isArray(value) ? value.join(',') : value === undefined || value === null ? '' : String(value);
  const long = (schema as { maxLength?: number }).maxLength;
  if (long !== undefined && long > 10_000) return <textarea id={id} rows={3} value={text} onChange={(e) => onChange(e.target.value === '' ? undefined : e.target.value)} />;
  return <input id={id} type={secret ? 'password' : 'text'} autoComplete="off" value={text} onChange={(e) => onChange(e.target.value === '' ? undefined : e.target.value)} />;
}

function ObjectList({ schema, value, onChange, prefix, error }: { schema: JsonSchema; value: unknown; onChange: (v: unknown) => void; prefix: string; error: FieldError | null }) {
  const rows = Array.isArray(value) ? (value as Record<string, unknown>[]) : [];
  const item = schema.items ?? {};
  const set = (next: Record<string, unknown>[]) => onChange(next.length ? next : []);
  return (
    <div className="obj-list">
      {rows.map((row, i) => (
        <div key={i} className="obj-row">
          <SchemaForm schema={item} value={row} prefix={`${prefix}.${i}`} error={error} onChange={(v) => set(rows.map((r, j) => (j === i ? v : r)))} />
          <button type="button" className="btn ghost small" onClick={() => set(rows.filter((_, j) => j !== i))}>Remove</button>
        </div>
      ))}
      <button type="button" className="btn ghost small" onClick={() => set([...rows, {}])}>Add</button>
    </div>
  );
}

export function SchemaForm({ schema, value, onChange, prefix, error, secret = [] }: Props) {
  const props = Object.entries(schema.properties ?? {});
  const set = (k: string, v: unknown) => {
    const next = { ...value };
    if (v === undefined) delete next[k];
    else next[k] = v;
    onChange(next);
  };
  return (
    <div className="schema-form">
      {props.map(([k, s]) => {
        const path = prefix ? `${prefix}.${k}` : k;
        const id = `f-${path.replace(/\./g, '-')}`;
        const msg = errorFor(error, path);
        const t = typeOf(s);
        const ap = s.additionalProperties;
        let control;
        if (t === 'object' && ap && typeof ap === 'object') {
          control = <KeyValueEditor id={id} value={(value[k] as Record<string, string>) ?? {}} onChange={(v) => set(k, Object.keys(v).length ? v : undefined)} />;
        } else if (t === 'array' && s.items && typeOf(s.items) === 'object') {
          control = <ObjectList schema={s} value={value[k]} prefix={path} error={error} onChange={(v) => set(k, v)} />;
        } else {
          control = <Scalar schema={s} value={value[k]} id={id} secret={secret.includes(k)} onChange={(v) => set(k, v)} />;
        }
        return (
          <div key={k} className={`field ${t === 'boolean' ? 'field-check' : ''} ${msg ? 'has-error' : ''}`} data-field={path}>
            <label htmlFor={id}>{humanize(k)}{schema.required?.includes(k) ? ' *' : ''}</label>
            {control}
            {s.description ? <small className="muted">{s.description}</small> : null}
            {msg ? <small className="field-error" role="alert">{msg}</small> : null}
          </div>
        );
      })}
    </div>
  );
}
