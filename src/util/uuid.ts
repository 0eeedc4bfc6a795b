// UUIDv7 (RFC 9562): 48-bit Unix ms timestamp, then random bits. Time-ordered, so result ids
// sort by creation and index well; minted by the prober so a redelivered result keeps its id.
import { randomFillSync } from 'node:crypto';

const pool = Buffer.alloc(16 * 256);
let poolPos = pool.length;

export function uuidv7(nowMs: number = Date.now()): string {
  if (poolPos + 10 > pool.length) {
    randomFillSync(pool);
    poolPos = 0;
  }
  const b = Buffer.allocUnsafe(16);
  b.writeUIntBE(nowMs, 0, 6);
  pool.copy(b, 6, poolPos, poolPos + 10);
  poolPos += 10;
  b[6] = (b[6]! & 0x0f) | 0x70;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** The ms timestamp a UUIDv7 carries. */
export function uuidv7Time(id: string): number {
  return parseInt(id.replace(/-/g, '').slice(0, 12), 16);
}
