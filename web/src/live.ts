// One shared EventSource on /events (the session cookie authenticates it). Components subscribe
// to `result`, `incident` and `target` events; the connection state shows in the header.
import { useEffect, useState } from 'react';
import type { ProbeResult } from './types';

export type LiveEvent = 'result' | 'incident' | 'target';
type Handler = (data: unknown) => void;
export type LiveState = 'connecting' | 'live' | 'offline';

const handlers = new Map<LiveEvent, Set<Handler>>();
const stateListeners = new Set<(s: LiveState) => void>();
let source: EventSource | null = null;
let state: LiveState = 'connecting';

function setState(s: LiveState): void {
  state = s;
  for (const l of stateListeners) l(s);
}

function dispatch(event: LiveEvent, raw: string): void {
  let data: unknown;
  try {
    data = JSON.parse(raw);
  } catch {
    return;
  }
  for (const h of handlers.get(event) ?? []) h(data);
}

/**
 * Opens the stream (idempotent). EventSource reconnects by itself after a network drop, but not
 * after an HTTP error (401 when the session expired): then a later call opens a new one.
 */
export function connectLive(): void {
  if (source && source.readyState !== EventSource.CLOSED) return;
  source?.close();
  setState('connecting');
  source = new EventSource('/events');
  source.onopen = () => setState('live');
  source.onerror = () => setState(source?.readyState === EventSource.CLOSED ? 'offline' : 'connecting');
  for (const ev of ['result', 'incident', 'target'] as const) {
    source.addEventListener(ev, (e) => dispatch(ev, (e as MessageEvent<string>).data));
  }
}

export function disconnectLive(): void {
  source?.close();
  source = null;
  setState('offline');
}

export function onLive(event: 'result', h: (r: ProbeResult) => void): () => void;
export function onLive(event: LiveEvent, h: Handler): () => void;
export function onLive(event: LiveEvent, h: Handler | ((r: ProbeResult) => void)): () => void {
  let set = handlers.get(event);
  if (!set) handlers.set(event, (set = new Set()));
  // The server sends `result` events as ProbeResult JSON (GET /events).
  const fn = h as Handler;
  set.add(fn);
  return () => void set.delete(fn);
}

export function useLiveState(): LiveState {
  const [s, setS] = useState(state);
  useEffect(() => {
    stateListeners.add(setS);
    setS(state);
    return () => void stateListeners.delete(setS);
  }, []);
  return s;
}

/** Subscribes for the component's lifetime; `h` may change between renders. */
export function useLive(event: LiveEvent, h: Handler, deps: unknown[] = []): void {
  useEffect(() => onLive(event, h), deps); // eslint-disable-line react-hooks/exhaustive-deps
}
