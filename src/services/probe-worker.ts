// A probe thread of ProbePool: runs the probes it is sent and answers with their outcomes.
import { setMaxListeners } from 'node:events';
import { parentPort } from 'node:worker_threads';
import type { ProbeJob, ProbeOutcome } from '../domain/types.js';
import { runProbe } from './prober.js';

export type PoolCall = { type: 'probe'; id: number; target: ProbeJob['target'] } | { type: 'cancel'; id: number };
export interface PoolReply {
  id: number;
  outcome: ProbeOutcome;
}

const port = parentPort!;
const running = new Map<number, AbortController>();

port.on('message', (m: PoolCall) => {
  if (m.type === 'cancel') return running.get(m.id)?.abort();
  const ac = new AbortController();
  setMaxListeners(0, ac.signal);
  running.set(m.id, ac);
  // runProbe never throws: every probe answers with an outcome.
  void runProbe(m, ac.signal).then((outcome) => {
    running.delete(m.id);
    port.postMessage({ id: m.id, outcome } satisfies PoolReply);
  });
});
