// Run by `postinstall`, with plain Node (nothing else needs to be installed): makes postgres.js
// 3.4.9 survive a connection the server closes. Unpatched, a small write scheduled with
// setImmediate runs after the close has nulled the socket and throws outside every `try`, which
// ends the process (porsager/postgres#1154, #1208). The guard follows porsager/postgres#1209:
// settle the pending queries with CONNECTION_CLOSED rather than drop the write, or their callers
// wait forever. Two more hangs of the same close, seen in the fault tests, are mended with it:
// - a socket destroyed by an error (ECONNRESET, EPIPE) before its `close` drops writes silently;
// - `close` cancelled a write scheduled in between without forgetting it, so no later write on
//   that connection was ever scheduled, and after an error it left those queries unsettled.
//
// Remove this script and the `postinstall` of package.json once a postgres release has the guard:
// the install then fails here, because the driver's code no longer matches.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const MARKER = '// dokal: porsager/postgres#1209';

const HUNKS = [
  {
    from: `  function nextWrite(fn) {
    const x = socket.write(chunk, fn)`,
    // `true`, not `false`: a caller told the connection is full parks it in the pool's `full`
    // queue, which a connection already closed would never leave.
    to: `  function nextWrite(fn) {
    ${MARKER}
    if (!socket || socket.destroyed) {
      nextWriteTimer !== null && clearImmediate(nextWriteTimer)
      chunk = nextWriteTimer = null
      error(Errors.connection('CONNECTION_CLOSED', options))
      return true
    }
    const x = socket.write(chunk, fn)`,
  },
  {
    from: `    incomings = null
    clearImmediate(nextWriteTimer)
    socket.removeListener('data', data)`,
    to: `    incomings = null
    clearImmediate(nextWriteTimer)
    chunk = nextWriteTimer = null
    socket.removeListener('data', data)`,
  },
  {
    from: `    !hadError && (query || sent.length) && error(Errors.connection('CONNECTION_CLOSED', options, socket))`,
    // An `if`, not a line opening with `(`: without semicolons, that would call the result of
    // the `return reconnect()` above.
    to: `    if (query || sent.length)
      error(Errors.connection('CONNECTION_CLOSED', options, socket))`,
  },
];

const FILES = ['src/connection.js', 'cjs/src/connection.js', 'cf/src/connection.js'];

// The copy both runtimes load: Deno's `nodeModulesDir: "manual"` resolves npm: imports here too.
const root = fileURLToPath(new URL('../node_modules/postgres/', import.meta.url));
const { version } = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));

const occurrences = (text, part) => text.split(part).length - 1;

const mismatched = [];
for (const file of FILES) {
  const full = path.join(root, file);
  const code = readFileSync(full, 'utf8');
  if (code.includes(MARKER)) continue;
  if (HUNKS.some(({ from }) => occurrences(code, from) !== 1)) {
    mismatched.push(file);
    continue;
  }
  writeFileSync(full, HUNKS.reduce((patched, { from, to }) => patched.replace(from, to), code));
}

if (mismatched.length > 0) {
  console.error(
    `dev/patch-postgres.mjs: postgres ${version} is not the code this script patches ` +
      `(${mismatched.join(', ')}).\nIf this release guards nextWrite against a closed socket ` +
      '(porsager/postgres#1208), remove dev/patch-postgres.mjs and the `postinstall` of ' +
      'package.json; otherwise adapt the script to the new code.',
  );
  process.exit(1);
}
