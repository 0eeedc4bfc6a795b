// Notification channels: list, create (config fields from the channel's schema), send a test,
// delete. Shown only when the server offers /channels.
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { api, ApiError, get } from '../api';
import type { Channel, Kinds } from '../types';
import { errorFor, SchemaForm, type FieldError } from '../components/schema-form';

type Notice = { id: Channel['id']; ok: boolean; text: string };

function NewChannel({ kinds, onCreated }: { kinds: Kinds['channels']; onCreated: () => void }) {
  const [type, setType] = useState(kinds[0]?.type ?? '');
  const [name, setName] = useState('');
  const [config, setConfig] = useState<Record<string, unknown>>({});
  const [error, setError] = useState<FieldError | null>(null);
  const kind = kinds.find((k) => k.type === type);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    try {
      await api('POST', '/channels', { name: name.trim() || type, type, config });
      setName('');
      setConfig({});
      onCreated();
    } catch (err: unknown) {
      setError(err instanceof ApiError ? { field: err.field ?? '(body)', message: err.message } : { field: '(body)', message: String(err) });
    }
  };
  const placed = error && (errorFor(error, 'name') || errorFor(error, 'type') || errorFor(error, 'config'));
  return (
    <form className="new-channel" onSubmit={(e) => void submit(e)} noValidate>
      <h3>New channel</h3>
      <div className="row2">
        <div className={`field ${errorFor(error, 'type') ? 'has-error' : ''}`}>
          <label htmlFor="ch-type">Type</label>
          <select id="ch-type" value={type} onChange={(e) => { setType(e.target.value); setConfig({}); }}>
            {kinds.map((k) => <option key={k.type} value={k.type}>{k.label}</option>)}
          </select>
          {errorFor(error, 'type') ? <small className="field-error">{errorFor(error, 'type')}</small> : null}
        </div>
        <div className={`field ${errorFor(error, 'name') ? 'has-error' : ''}`}>
          <label htmlFor="ch-name">Name</label>
          <input id="ch-name" value={name} placeholder={type} onChange={(e) => setName(e.target.value)} />
          {errorFor(error, 'name') ? <small className="field-error">{errorFor(error, 'name')}</small> : null}
        </div>
      </div>
      {kind ? <SchemaForm schema={kind.config_schema} value={config} prefix="config" error={error} secret={kind.secret_fields} onChange={setConfig} /> : null}
      {error && !placed ? <div className="alert">{error.message}</div> : null}
      <button className="btn" type="submit">Add channel</button>
    </form>
  );
}

export function ChannelsSection() {
  const [list, setList] = useState<Channel[] | null>(null);
  const [kinds, setKinds] = useState<Kinds['channels']>([]);
  const [notice, setNotice] = useState<Notice | null>(null);
  const load = useCallback(() => {
    get<Channel[] | { channels: Channel[] }>('/channels').then((b) => setList(Array.isArray(b) ? b : b.channels), () => setList([]));
  }, []);
  useEffect(() => {
    load();
    get<Kinds>('/kinds').then((k) => setKinds(k.channels), () => undefined);
  }, [load]);
  const test = async (c: Channel) => {
    setNotice({ id: c.id, ok: true, text: 'sending…' });
    try {
      const r = await api<{ ok?: boolean; error?: string }>('POST', `/channels/${c.id}/test`, {});
      setNotice({ id: c.id, ok: r?.ok !== false, text: r?.ok === false ? `failed: ${r.error ?? 'unknown error'}` : 'test sent' });
    } catch (e: unknown) {
      setNotice({ id: c.id, ok: false, text: e instanceof Error ? e.message : String(e) });
    }
  };
  const remove = async (c: Channel) => {
    await api('DELETE', `/channels/${c.id}`).catch((e: Error) => setNotice({ id: c.id, ok: false, text: e.message }));
    load();
  };
  return (
    <section className="card" data-testid="channels">
      <h2>Notification channels</h2>
      {list === null ? <p className="muted">Loading…</p> : list.length === 0 ? <p className="muted">No channels yet.</p> : (
        <table className="simple">
          <thead><tr><th>Name</th><th>Type</th><th>Config</th><th /></tr></thead>
          <tbody>
            {list.map((c) => (
              <tr key={c.id}>
                <td><b>{c.name ?? c.type}</b></td>
                <td>{c.type}</td>
                <td className="muted ellipsis mono">{Object.entries(c.config ?? {}).map(([k, v]) => `${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`).join(' · ')}</td>
                <td className="actions">
                  {notice?.id === c.id ? <small className={notice.ok ? 'good' : 'bad'}>{notice.text}</small> : null}
                  <button className="btn ghost small" onClick={() => void test(c)}>Send test</button>
                  <button className="btn ghost small danger-text" onClick={() => void remove(c)}>Delete</button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {kinds.length ? <NewChannel kinds={kinds} onCreated={load} /> : null}
    </section>
  );
}
