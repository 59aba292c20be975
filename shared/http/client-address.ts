/**
 * The client's address as the outermost of `trustedHops` proxies saw it. Each proxy appends the
 * address it received the request from to `X-Forwarded-For`, so the last `trustedHops` entries
 * were written by proxies we trust and everything before them by the client, who can write
 * anything there. The entry the outermost trusted proxy appended is the `trustedHops`-th from the
 * right. (Envoy's `xff_num_trusted_hops` applies the same rule.)
 */
export function clientAddress(forwardedFor: string | undefined, trustedHops: number): string {
  const entries = (forwardedFor ?? '').split(',').map((e) => e.trim()).filter(Boolean);
  if (entries.length === 0) return 'unknown';
  // Fewer entries than trusted proxies: every entry came from a proxy, the leftmost from the
  // outermost one present.
  return entries[Math.max(0, entries.length - trustedHops)];
}
