// Builds the neutral Message of an event once; each channel only turns it into its own markup.
// Plain text only here: escaping (Slack mrkdwn, HTML, ...) is the channel's job.
import type { IncidentEvent, IncidentInfo, IncidentKind, IncidentSeverity } from './event.js';
import { formatDuration, formatTime, formatValue } from './format.js';

export type Severity = IncidentSeverity | 'ok';

export interface MessageField {
  name: string;
  value: string;
}

/** What every channel renders: built once per event by `renderMessage`. */
export interface Message {
  /** One plain line, no emoji: "Down: Checkout API". Email subject, PagerDuty summary, fallbacks. */
  title: string;
  /** An emoji for channels that show one beside the title. */
  emoji: string;
  severity: Severity;
  /** Colour of the severity, "#rrggbb". */
  color: string;
  /** Plain-text body: the evidence, or one line per incident for a burst. */
  lines: string[];
  /** Short name/value facts (target, kind, regions, since when). */
  fields: MessageField[];
  /** Where to look: the incident (or incident list) on the dashboard; absent without a dashboard URL. */
  link?: { label: string; url: string };
  /** The transition time (the event's `at`). */
  at: string;
}

/** An event and its message, handed to every channel together. */
export interface Notification {
  event: IncidentEvent;
  message: Message;
  /** The options the message was rendered with, for channels that render per incident (splitNotification). */
  options: RenderOptions;
}

export interface RenderOptions {
  /** Base URL of the dashboard (config `public_url`), for the link. */
  dashboardUrl?: string;
}

/** Most incidents listed line by line in a grouped message. */
export const GROUP_LINES_MAX = 10;

const KIND_LABELS: Record<string, string> = {
  down: 'Down',
  latency_anomaly: 'Latency anomaly',
  error_rate: 'Error rate anomaly',
  slo_burn: 'SLO burn',
  tls_expiry: 'TLS certificate expiring',
};

export const COLORS: Record<Severity, string> = { critical: '#D92D20', warning: '#F79009', info: '#2E90FA', ok: '#12B76A' };
const RANK: Record<IncidentSeverity, number> = { info: 0, warning: 1, critical: 2 };

/** "Latency anomaly" for `latency_anomaly`; unknown kinds are humanised. */
export function kindLabel(kind: IncidentKind): string {
  const known = KIND_LABELS[kind];
  if (known) return known;
  const words = kind.replace(/[_-]+/g, ' ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** The incident's own severity, or the default of its kind: outages are critical, the rest warnings. */
export function incidentSeverity(inc: IncidentInfo): IncidentSeverity {
  return inc.severity ?? (inc.kind === 'down' ? 'critical' : 'warning');
}

function eventSeverity(event: IncidentEvent): Severity {
  if (event.kind === 'resolved') return 'ok';
  if (event.kind === 'test' || event.kind === 'acknowledged') return 'info';
  return event.incidents.map(incidentSeverity).reduce((a, b) => (RANK[b] > RANK[a] ? b : a));
}

function emojiOf(event: IncidentEvent, severity: Severity): string {
  switch (event.kind) {
    case 'opened':
      return severity === 'critical' ? '🔴' : severity === 'warning' ? '🟠' : '🔵';
    case 'acknowledged':
      return '👀';
    case 'resolved':
      return '✅';
    case 'reminder':
      return '⏰';
    case 'test':
      return '🧪';
  }
}

const since = (inc: IncidentInfo, atIso: string) => Date.parse(inc.ended_at ?? atIso) - Date.parse(inc.started_at);

function titleOf(event: IncidentEvent): string {
  if (event.kind === 'test') return 'Test notification from PulseGuard';
  const inc = event.incidents[0];
  const total = event.summary?.total ?? event.incidents.length;
  if (total > 1) {
    const oneKind = new Set(event.incidents.map((i) => i.kind)).size === 1;
    if (event.kind === 'opened') return oneKind ? `${kindLabel(inc.kind)}: ${total} targets` : `${total} incidents opened`;
    const verb = { acknowledged: 'Acknowledged', resolved: 'Resolved', reminder: 'Still open' }[event.kind];
    return `${verb}: ${total} incidents${oneKind ? ` (${kindLabel(inc.kind).toLowerCase()})` : ''}`;
  }
  const label = kindLabel(inc.kind);
  switch (event.kind) {
    case 'opened':
      return `${label}: ${inc.target_name}`;
    case 'acknowledged':
      return `Acknowledged: ${inc.target_name} (${label.toLowerCase()})`;
    case 'resolved':
      return `Resolved: ${inc.target_name} (${label.toLowerCase()} for ${formatDuration(since(inc, event.at))})`;
    case 'reminder':
      return `Still open: ${inc.target_name} (${label.toLowerCase()} for ${formatDuration(since(inc, event.at))})`;
  }
}

/** Evidence as plain lines: the detector's sentence, then observed values, baseline and score. */
export function evidenceLines(inc: IncidentInfo): string[] {
  const d = inc.details;
  const out: string[] = [];
  if (typeof d.message === 'string' && d.message) out.push(d.message);
  const pairs = (r: Record<string, unknown>) => Object.entries(r).map(([k, v]) => `${k} ${formatValue(v)}`).join(', ');
  if (Array.isArray(d.values) && d.values.length > 0) out.push(`Recent values: ${d.values.slice(-10).map(formatValue).join(', ')}`);
  else if (d.values && !Array.isArray(d.values) && Object.keys(d.values).length > 0) out.push(`Observed: ${pairs(d.values)}`);
  if (typeof d.baseline === 'number') out.push(`Baseline: ${formatValue(d.baseline)}`);
  else if (d.baseline && typeof d.baseline === 'object') out.push(`Baseline: ${pairs(d.baseline)}`);
  if (typeof d.score === 'number') out.push(`Anomaly score: ${formatValue(d.score)}`);
  return out;
}

function singleFields(event: IncidentEvent, inc: IncidentInfo): MessageField[] {
  const f: MessageField[] = [
    { name: 'Target', value: inc.target_name },
    { name: 'URL', value: inc.target_url },
    { name: 'Kind', value: kindLabel(inc.kind) },
  ];
  if (inc.regions.length > 0) f.push({ name: inc.regions.length > 1 ? 'Regions' : 'Region', value: inc.regions.join(', ') });
  if (event.kind === 'resolved') {
    f.push({ name: 'Started', value: formatTime(inc.started_at) });
    f.push({ name: 'Resolved', value: formatTime(inc.ended_at ?? event.at) });
    f.push({ name: 'Duration', value: formatDuration(since(inc, event.at)) });
  } else {
    const ago = since(inc, event.at);
    f.push({ name: 'Since', value: `${formatTime(inc.started_at)}${ago >= 1000 ? ` (${formatDuration(ago)})` : ''}` });
  }
  if (event.kind === 'acknowledged' && event.acknowledged_by) f.push({ name: 'Acknowledged by', value: event.acknowledged_by });
  if (event.kind === 'test' && event.requested_by) f.push({ name: 'Requested by', value: event.requested_by });
  return f;
}

function groupFields(event: IncidentEvent): MessageField[] {
  const counts = new Map<string, number>();
  for (const i of event.incidents) counts.set(kindLabel(i.kind), (counts.get(kindLabel(i.kind)) ?? 0) + 1);
  const regions = [...new Set(event.incidents.flatMap((i) => i.regions))];
  const f: MessageField[] = [
    { name: 'Incidents', value: String(event.summary?.total ?? event.incidents.length) },
    { name: 'Kinds', value: [...counts].map(([k, n]) => `${k} ×${n}`).join(', ') },
  ];
  if (regions.length > 0) f.push({ name: 'Regions', value: regions.join(', ') });
  const first = event.incidents.map((i) => i.started_at).sort()[0];
  if (first) f.push({ name: 'Since', value: formatTime(first) });
  return f;
}

function groupLines(event: IncidentEvent): string[] {
  const lines = event.incidents.slice(0, GROUP_LINES_MAX).map((i) => {
    const where = i.regions.length > 0 ? ` [${i.regions.join(', ')}]` : '';
    const msg = i.details.message ? `: ${i.details.message}` : '';
    return `${i.target_name}: ${kindLabel(i.kind).toLowerCase()}${where} since ${formatTime(i.started_at)}${msg}`;
  });
  const more = (event.summary?.total ?? event.incidents.length) - lines.length;
  if (more > 0) lines.push(`…and ${more} more`);
  return lines;
}

function linkOf(event: IncidentEvent, dashboardUrl: string | undefined): Message['link'] {
  if (!dashboardUrl) return undefined;
  const base = dashboardUrl.replace(/\/+$/, '');
  const grouped = event.incidents.length > 1 || (event.summary?.total ?? 1) > 1;
  if (event.kind === 'test') return { label: 'Open PulseGuard', url: `${base}/ui/` };
  if (grouped) return { label: 'Open incidents in PulseGuard', url: `${base}/ui/incidents` };
  return { label: 'Open incident in PulseGuard', url: `${base}/ui/incidents/${encodeURIComponent(event.incidents[0].id)}` };
}

/** Builds the neutral message of an event. Pure: the same event gives the same message. */
export function renderMessage(event: IncidentEvent, opts: RenderOptions = {}): Message {
  const severity = eventSeverity(event);
  const grouped = event.incidents.length > 1 || (event.summary?.total ?? 1) > 1;
  const inc = event.incidents[0];
  const link = linkOf(event, opts.dashboardUrl);
  return {
    title: titleOf(event),
    emoji: emojiOf(event, severity),
    severity,
    color: COLORS[severity],
    lines: grouped ? groupLines(event) : evidenceLines(inc),
    fields: grouped ? groupFields(event) : singleFields(event, inc),
    ...(link ? { link } : {}),
    at: event.at,
  };
}

/** The event plus its message, rendered once for every channel it goes to. */
export function buildNotification(event: IncidentEvent, opts: RenderOptions = {}): Notification {
  return { event, message: renderMessage(event, opts), options: opts };
}

/** One notification per incident of a grouped event (for channels that track incidents one by one). */
export function splitNotification(n: Notification): Notification[] {
  if (n.event.incidents.length === 1 && n.event.summary === undefined) return [n];
  return n.event.incidents.map((inc) => buildNotification({ ...n.event, incidents: [inc], summary: undefined }, n.options));
}

/** The whole message as plain text (email text part, logs of test sends). */
export function messageText(m: Message): string {
  const parts = [m.title, '', ...m.fields.map((f) => `${f.name}: ${f.value}`)];
  if (m.lines.length > 0) parts.push('', ...m.lines);
  if (m.link) parts.push('', `${m.link.label}: ${m.link.url}`);
  return parts.join('\n');
}
