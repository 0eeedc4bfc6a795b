// Every Prometheus metric PulseGuard exports, created once per process and passed to the roles.
// Labels are bounded: kind, region, error class, role; per-target series only when
// `metrics_per_target` is on (one series per target). See docs/metrics.md.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
const LAG_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 60];
const WRITE_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

export function createMetrics(opts: { perTarget: boolean; defaults?: boolean }) {
  const registry = new Registry();
  if (opts.defaults !== false) collectDefaultMetrics({ register: registry, prefix: '' });
  const r = [registry];
  const m = {
    registry,
    perTarget: opts.perTarget,
    info: new Gauge({ name: 'pulseguard_info', help: 'Always 1; labels say which role and store/bus run in this process.', labelNames: ['role', 'store', 'bus', 'version'], registers: r }),
    probes: new Counter({ name: 'pulseguard_probes_total', help: 'Probes run, by kind, region and result (ok or an error class).', labelNames: ['kind', 'region', 'result'], registers: r }),
    probeDuration: new Histogram({ name: 'pulseguard_probe_duration_seconds', help: 'Total duration of probes.', labelNames: ['kind', 'region'], buckets: LATENCY_BUCKETS, registers: r }),
    probesInFlight: new Gauge({ name: 'pulseguard_probes_in_flight', help: 'Probes running now in this process.', registers: r }),
    scheduleLag: new Histogram({ name: 'pulseguard_schedule_lag_seconds', help: 'How late probes started after they were due.', labelNames: ['region'], buckets: LAG_BUCKETS, registers: r }),
    skippedRuns: new Counter({ name: 'pulseguard_skipped_runs_total', help: 'Runs skipped because the previous one was still pending or the job expired before a prober took it.', labelNames: ['region', 'reason'], registers: r }),
    jobsEmitted: new Counter({ name: 'pulseguard_jobs_emitted_total', help: 'Probe jobs the scheduler emitted.', labelNames: ['region'], registers: r }),
    scheduledTargets: new Gauge({ name: 'pulseguard_scheduled_targets', help: 'Enabled targets the active scheduler knows.', registers: r }),
    schedulerActive: new Gauge({ name: 'pulseguard_scheduler_active', help: '1 when this scheduler holds the lease.', registers: r }),
    storeWrite: new Histogram({ name: 'pulseguard_store_write_seconds', help: 'Duration of batched result writes.', buckets: WRITE_BUCKETS, registers: r }),
    ingested: new Counter({ name: 'pulseguard_ingested_results_total', help: 'Results written to the store (duplicates not counted).', registers: r }),
    ingestPending: new Gauge({ name: 'pulseguard_ingest_pending', help: 'Results received but not yet written (the ingestion backlog in this process).', registers: r }),
    ingestErrors: new Counter({ name: 'pulseguard_ingest_errors_total', help: 'Failed batch writes (retried).', registers: r }),
    targetUp: new Gauge({ name: 'pulseguard_target_up', help: '1 when the target\'s last probe succeeded, 0 when it failed (per target; off with metrics_per_target=false).', labelNames: ['target_id', 'target'], registers: r }),
    targetLatency: new Gauge({ name: 'pulseguard_target_latency_seconds', help: 'Latency of the target\'s last probe.', labelNames: ['target_id', 'target'], registers: r }),
    incidentsOpen: new Gauge({ name: 'pulseguard_incidents_open', help: 'Incidents open now (not resolved; acknowledged included), by kind (exported by the anomaly role).', labelNames: ['kind'], registers: r }),
    incidentsTotal: new Counter({ name: 'pulseguard_incidents_total', help: 'Incidents opened, by kind.', labelNames: ['kind'], registers: r }),
    anomalyDetections: new Counter({ name: 'pulseguard_anomaly_detections_total', help: 'Detector scores at or above the threshold, before confirmation, by metric (latency, error_rate).', labelNames: ['metric'], registers: r }),
    anomalySeries: new Gauge({ name: 'pulseguard_anomaly_series', help: 'Series (target x region) the anomaly role keeps state for.', registers: r }),
    notifications: new Counter({ name: 'pulseguard_notifications_total', help: 'Notifications (one per incident transition and channel) by outcome: delivered, failed (final, or retries exhausted), retry (an attempt failed, another follows).', labelNames: ['channel', 'channel_type', 'outcome'], registers: r }),
    deliveriesPending: new Gauge({ name: 'pulseguard_deliveries_pending', help: 'Notifications in the outbox not yet delivered nor given up, all channels (read from the store by the notifier).', registers: r }),
  };
  return m;
}

export type Metrics = ReturnType<typeof createMetrics>;
