/**
 * The client's address as the outermost of `trustedHops` proxies saw it. Each proxy appends the
 * address it received the request from to `X-Forwarded-For`, so the last `trustedHops` entries
 * were written by proxies we trust and everything before them by the client, who can write
 * anything there. The entry the outermost trusted proxy appended is the `trustedHops`-th from the
 * right. (Envoy's `xff_num_trusted_hops` applies the same rule.)
 */
export function clientAddress(forwardedFor: string | undefined, trustedHops: number): string {
  const entries = (forwardedFor ?? '').split(',').map((e) => e.trim()).filter(Boolean);
  // Fewer entries than trusted proxies: every entry came from a proxy, the leftmost from the
  // outermost one present.
  const address = entries[Math.max(0, entries.length - trustedHops)];
  // The address becomes a key in the database: anything but an IP literal (a misconfigured hop
  // count hands us a client's entry) is not trusted with that.
  return address !== undefined && IP_LITERAL.test(address) ? address : 'unknown';
}

/** IPv4 or IPv6, possibly bracketed and with a port, as proxies write them. */
const IP_LITERAL = /^[0-9A-Fa-f.:[\]]{2,47}$/;
