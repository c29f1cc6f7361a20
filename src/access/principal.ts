import { createHash, timingSafeEqual } from 'node:crypto';

/** A bearer token and whose books it sees; an admin token sees (and retries) every book. */
export interface ApiToken {
  owner: string;
  token: string;
  admin: boolean;
}

/** Who is asking: the owner their books are filed under, and whether they may see everyone's. */
export interface Principal {
  owner: string;
  admin: boolean;
}

/** The owner of every book when the API runs without tokens (loopback only; see config.ts). */
export const OPEN_ACCESS: Principal = { owner: 'local', admin: true };

/** A caller of the public probes without a (valid) token: sees no book and no detail. */
export const ANONYMOUS: Principal = { owner: '', admin: false };

/** Others' books are answered as if they did not exist. */
export const canSee = (principal: Principal, owner: string) =>
  principal.admin || principal.owner === owner;

const digest = (s: string) => createHash('sha256').update(s).digest();

/**
 * Maps an Authorization header to its principal. Tokens are compared by digest
 * in constant time, so a near-miss takes as long as a miss.
 */
export function tokenIdentifier(tokens: ApiToken[]) {
  const known = tokens.map((t) => ({ digest: digest(t.token), owner: t.owner, admin: t.admin }));
  return (header: string | undefined): Principal | undefined => {
    const m = /^Bearer\s+(\S+)$/i.exec(header ?? '');
    if (!m?.[1]) return undefined;
    const d = digest(m[1]);
    const hit = known.find((k) => timingSafeEqual(k.digest, d));
    return hit && { owner: hit.owner, admin: hit.admin };
  };
}
