// The driver's own codes for a connection that is gone (postgres.js `Errors.connection`), and
// the socket errors it passes on.
const DRIVER_CODES = new Set([
  'CONNECTION_CLOSED',
  'CONNECTION_DESTROYED',
  'CONNECTION_ENDED',
  'CONNECT_TIMEOUT',
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

/**
 * True when an error means the database connection is lost or unusable (the server closed it,
 * shut down, or cannot be reached), as opposed to a statement that failed on a healthy one:
 * SQLSTATE class 08 (connection exception), 57P01 to 57P03 (shutdown, cannot connect now), and
 * any FATAL report, after which the server closes the session.
 */
export function isConnectionLost(e: unknown): boolean {
  if (typeof e !== 'object' || e === null) return false;
  const { code, severity } = e as { code?: unknown; severity?: unknown };
  if (severity === 'FATAL' || severity === 'PANIC') return true;
  if (typeof code !== 'string') return false;
  return DRIVER_CODES.has(code) || code.startsWith('08') || /^57P0[1-3]$/.test(code);
}
