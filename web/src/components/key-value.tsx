// Edits a string map (labels, HTTP headers) as rows of key and value.
import { useEffect, useState } from 'react';

interface Props {
  id?: string;
  value: Record<string, string>;
  onChange: (v: Record<string, string>) => void;
}

export function KeyValueEditor({ id, value, onChange }: Props) {
  const [rows, setRows] = useState<[string, string][]>(() => Object.entries(value));
  // Adopt outside changes (loading a target) without clobbering a half-typed row.
  useEffect(() => {
    const current = Object.fromEntries(rows.filter(([k]) => k !== ''));
    if (JSON.stringify(current) !== JSON.stringify(value)) setRows(Object.entries(value));
  }, [value]); // eslint-disable-line react-hooks/exhaustive-deps
  const update = (next: [string, string][]) => {
    setRows(next);
    onChange(Object.fromEntries(next.filter(([k]) => k.trim() !== '').map(([k, v]) => [k.trim(), v])));
  };
  return (
    <div className="kv" id={id}>
      {rows.map(([k, v], i) => (
        <div className="kv-row" key={i}>
          <input type="text" placeholder="key" value={k} aria-label="key" onChange={(e) => update(rows.map((r, j) => (j === i ? [e.target.value, r[1]] : r)))} />
          <input type="text" placeholder="value" value={v} aria-label="value" onChange={(e) => update(rows.map((r, j) => (j === i ? [r[0], e.target.value] : r)))} />
          <button type="button" className="btn ghost small" onClick={() => update(rows.filter((_, j) => j !== i))} aria-label="remove">×</button>
        </div>
      ))}
      <button type="button" className="btn ghost small" onClick={() => setRows([...rows, ['', '']])}>Add</button>
    </div>
  );
}
