import { parseArgs } from 'node:util';
import { createGateway } from './create-gateway.ts';
import { loadFunctionApps } from './function-apps.ts';

// Started by start.ts (from Node), which passes the address and the functions' environment.
const { values } = parseArgs({
  args: Deno.args,
  options: {
    port: { type: 'string', default: '54321' },
    hostname: { type: 'string', default: '127.0.0.1' },
    // `<group>=<path from the repo root>`, for apps that are never deployed.
    'extra-app': { type: 'string', multiple: true, default: [] },
  },
});
const extraApps = Object.fromEntries(values['extra-app'].map((pair) => pair.split('=', 2)));

const gateway = await createGateway(await loadFunctionApps(extraApps));

Deno.serve({
  port: Number(values.port),
  hostname: values.hostname,
  onListen: ({ hostname, port }) => console.log(`Gateway listening on http://${hostname}:${port}`),
}, gateway.fetch);
