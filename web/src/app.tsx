// The shell: sign-in gate, navigation, live-connection indicator, and the page for the path.
import { useCallback, useEffect, useState } from 'react';
import { api, SIGNED_OUT_EVENT } from './api';
import { connectLive, disconnectLive, useLiveState } from './live';
import { Link, match, useLocation } from './router';
import { SignIn } from './pages/sign-in';
import { OverviewPage } from './pages/overview';
import { TargetPage } from './pages/target';
import { IncidentsPage } from './pages/incidents';
import { ManagePage } from './pages/manage';
import { TargetFormPage } from './pages/target-form';

interface Session {
  authenticated: boolean;
  auth_reads: boolean;
}

function Page({ path }: { path: string }) {
  let m: Record<string, string> | null;
  if (path === '/' || path === '') return <OverviewPage />;
  if (path === '/ui/incidents') return <IncidentsPage />;
  if ((m = match('/ui/incidents/:id', path))) return <IncidentsPage focus={m.id} />;
  if (path === '/ui/manage') return <ManagePage />;
  if (path === '/ui/manage/new') return <TargetFormPage />;
  if ((m = match('/ui/targets/:id/edit', path))) return <TargetFormPage id={Number(m.id)} />;
  if ((m = match('/ui/targets/:id', path))) return <TargetPage key={m.id} id={Number(m.id)} />;
  return (
    <div className="empty">
      <h2>Page not found</h2>
      <p><Link to="/">Back to the overview</Link></p>
    </div>
  );
}

function LiveIndicator() {
  const s = useLiveState();
  return <span className={`live live-${s}`} data-testid="live-state" title="live updates">{s === 'live' ? 'Live' : s === 'connecting' ? 'Connecting…' : 'Offline'}</span>;
}

export function App() {
  const [session, setSession] = useState<Session | null>(null);
  const { path } = useLocation();

  const check = useCallback(() => {
    api<Session>('GET', '/auth/session').then(setSession, () => setSession({ authenticated: false, auth_reads: true }));
  }, []);
  useEffect(check, [check]);
  useEffect(() => {
    const out = () => setSession((s) => ({ authenticated: false, auth_reads: s?.auth_reads ?? true }));
    window.addEventListener(SIGNED_OUT_EVENT, out);
    return () => window.removeEventListener(SIGNED_OUT_EVENT, out);
  }, []);

  const canRead = session !== null && (session.authenticated || !session.auth_reads);
  useEffect(() => {
    if (canRead) connectLive();
    else disconnectLive();
  }, [canRead]);

  if (!session) return <div className="boot" />;
  if (!canRead) return <SignIn onSignedIn={check} />;

  const signOut = async () => {
    await api('DELETE', '/auth/session');
    check();
  };
  const nav = [
    { to: '/', label: 'Overview', active: path === '/' || path.startsWith('/ui/targets/') && !path.endsWith('/edit') },
    { to: '/ui/incidents', label: 'Incidents', active: path.startsWith('/ui/incidents') },
    { to: '/ui/manage', label: 'Manage', active: path.startsWith('/ui/manage') || path.endsWith('/edit') },
  ];
  return (
    <div className="shell">
      <header className="topbar">
        <Link to="/" className="brand">
          <svg width="22" height="22" viewBox="0 0 24 24" aria-hidden="true"><path d="M2 12h4l3-8 4 16 3-8h6" fill="none" stroke="currentColor" strokeWidth="2.2" strokeLinecap="round" strokeLinejoin="round" /></svg>
          PulseGuard
        </Link>
        <nav>
          {nav.map((n) => <Link key={n.to} to={n.to} className={n.active ? 'active' : ''}>{n.label}</Link>)}
        </nav>
        <div className="topbar-right">
          <LiveIndicator />
          {session.authenticated
            ? <button className="btn ghost small" onClick={() => void signOut()}>Sign out</button>
            : <button className="btn small" onClick={() => setSession({ ...session, auth_reads: true })}>Sign in</button>}
        </div>
      </header>
      <main className="content">
        <Page path={path} />
      </main>
    </div>
  );
}
