// Reading a TLS peer's certificate for results (expiry, issuer) and wording verification errors.
import type { TLSSocket } from 'node:tls';

const CERT_ERRORS: Record<string, string> = {
  DEPTH_ZERO_SELF_SIGNED_CERT: 'self-signed certificate',
  SELF_SIGNED_CERT_IN_CHAIN: 'self-signed certificate in the chain',
  CERT_HAS_EXPIRED: 'certificate has expired',
  CERT_NOT_YET_VALID: 'certificate is not yet valid',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'unable to verify the certificate (unknown issuer)',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'unknown issuer',
  UNABLE_TO_GET_ISSUER_CERT: 'unknown issuer',
  ERR_TLS_CERT_ALTNAME_INVALID: 'certificate does not match the host name',
  CERT_REVOKED: 'certificate revoked',
};

/** A short human text for `TLSSocket.authorizationError` (an OpenSSL or Node code). */
export function describeCertError(code: string | Error | undefined): string {
  const c = code instanceof Error ? ((code as { code?: string }).code ?? code.message) : (code ?? 'unknown');
  const text = CERT_ERRORS[c];
  return text ? `${text} (${c})` : c;
}

function first(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

export interface CertInfo {
  expiresAt: string | null;
  issuer: string | null;
}

/** The peer (leaf) certificate's expiry as ISO 8601 and issuer as "CN=…, O=…"; nulls if none was sent. */
export function peerCertInfo(socket: TLSSocket): CertInfo {
  const cert = socket.getPeerCertificate();
  if (!cert || !cert.valid_to) return { expiresAt: null, issuer: null };
  const expires = new Date(cert.valid_to);
  const issuer = cert.issuer as unknown as Record<string, string | string[] | undefined> | undefined;
  const cn = first(issuer?.CN);
  const o = first(issuer?.O);
  const parts = [cn && `CN=${cn}`, o && `O=${o}`].filter(Boolean);
  return { expiresAt: Number.isNaN(expires.getTime()) ? null : expires.toISOString(), issuer: parts.length ? parts.join(', ') : null };
}
