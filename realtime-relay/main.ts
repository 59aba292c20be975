// The realtime relay's entry point: `npm run relay`, or `node --import tsx realtime-relay/main.ts`
// (a process manager should run the latter, so SIGTERM reaches the relay itself).
import { ConfigError, useConfig } from '../shared/config.ts';
import { log } from '../shared/http/logger.ts';
import { relayConfig } from './config.ts';
import { startRelay } from './relay.ts';

let config;
try {
  config = relayConfig();
} catch (e) {
  console.error(e instanceof ConfigError ? e.message : e);
  process.exit(1);
}
// shared/ (token verification, the log, push) reads this configuration, not the environment.
useConfig(config.shared);

let relay;
try {
  relay = await startRelay({ config });
} catch (e) {
  log('error', 'relay_start_failed', { code: (e as { code?: string })?.code ?? 'unknown' });
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
}

// SIGTERM (a deployment replacing the process) and SIGINT (Ctrl-C): stop gracefully, once.
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    relay.stop().then(() => process.exit(0), (e) => {
      console.error(e instanceof Error ? e.message : e);
      process.exit(1);
    });
  });
}
