// Sign-in with the API token: POST /auth/session sets an HttpOnly cookie; the token is not kept.
import { useState, type FormEvent } from 'react';
import { api, ApiError } from '../api';

export function SignIn({ onSignedIn }: { onSignedIn: () => void }) {
  const [token, setToken] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await api('POST', '/auth/session', { token: token.trim() });
      setToken('');
      onSignedIn();
    } catch (err: unknown) {
      setError(err instanceof ApiError ? err.message : 'could not reach the server');
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="signin">
      <form className="card signin-card" onSubmit={(e) => void submit(e)}>
        <div className="brand big">
          <svg width="30" height="30" viewBox="0 0 24 24" aria-hidden="true"><path d="M2 12h4l3-8 4 16 3-8h6" fill="none" stroke="currentColor" strokeWidth="2.2" strokeLinecap="round" strokeLinejoin="round" /></svg>
          PulseGuard
        </div>
        <p className="muted">Sign in with the API token. It is exchanged for a session cookie and never stored in the browser.</p>
        <div className={`field ${error ? 'has-error' : ''}`}>
          <label htmlFor="token">API token</label>
          <input id="token" name="token" type="password" autoComplete="current-password" autoFocus value={token} onChange={(e) => setToken(e.target.value)} />
          {error ? <small className="field-error" role="alert">{error}</small> : null}
        </div>
        <button className="btn wide" type="submit" disabled={busy || token.trim() === ''}>{busy ? 'Signing in…' : 'Sign in'}</button>
      </form>
    </div>
  );
}
