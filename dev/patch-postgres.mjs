// Run by `postinstall`, with plain Node (nothing else needs to be installed): makes postgres.js
// 3.4.9 survive a connection the server closes. Unpatched, a small write scheduled with
// setImmediate runs after the close has nulled the socket and throws outside every `try`, which
// ends the process (porsager/postgres#1154, #1208). The guard follows porsager/postgres#1209:
// settle the pending queries with CONNECTION_CLOSED rather than drop the write, or their callers
// wait forever. Three more hangs of the same close, seen in the fault tests, are mended with it:
// - a socket destroyed by an error (ECONNRESET, EPIPE) before its `close` drops writes silently;
// - `close` cancelled a write scheduled in between without forgetting it, so no later write on
//   that connection was ever scheduled, and after an error it left those queries unsettled;
// - a `reserve()` waiting for a connection was taken out of the queue to reconnect the closed
//   one, and the reconnect drops reserve requests, so it never settled (porsager/postgres#1195);
// - a `reserve()` rejected because its connection attempt failed stayed queued, and took the
//   next connection that opened with it: one connection lost to the pool per failed attempt;
// - statements queued on a reserved connection while it was busy never settled when the server
//   closed it (porsager/postgres#1186 describes the same for transactions);
// - a connection closed while it read the array types left that read's failure unhandled, which
//   ends a Deno process.
//
// Remove this script and the `postinstall` of package.json once a postgres release has the guard:
// the install then fails here, because the driver's code no longer matches.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// Marks a patched file, so that running the script again changes nothing.
const MARKER = '// dokal: patched by dev/patch-postgres.mjs';

const CONNECTION = [
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
    from:
      `    !hadError && (query || sent.length) && error(Errors.connection('CONNECTION_CLOSED', options, socket))`,
    // An `if`, not a line opening with `(`: without semicolons, that would call the result of
    // the `return reconnect()` above.
    to: `    if (query || sent.length)
      error(Errors.connection('CONNECTION_CLOSED', options, socket))`,
  },
  {
    from: `        return fetchArrayTypes()`,
    // A connection reads the array types before its first query; when the server closes it
    // meanwhile, that read's failure was left unhandled, which ends a Deno process. It fails
    // the query the connection was opened for instead.
    to: `        return fetchArrayTypes().catch(errored)`,
  },
];

const POOL = [
  {
    from: `    c.reserved.release = true

    const sql = Sql(handler)
    sql.release = () => {
      c.reserved = null
      onopen(c)
    }`,
    // Statements issued while the reserved connection was busy wait in this queue; when the
    // server closes the connection they must fail with it, or their callers wait forever
    // (porsager/postgres#1186, there for transactions).
    to: `    c.reserved.release = true
    c.onclose = (e) => { while (queue.length) queue.shift().reject(e) }

    const sql = Sql(handler)
    sql.release = () => {
      c.reserved = null
      c.onclose = null
      onopen(c)
    }`,
  },
  {
    from: `        const query = { reserve: resolve, reject }`,
    // A reserve request waits in the queue and may at once be the request a connection attempt
    // was made for; when that attempt fails it is rejected, and it must leave the queue too, or
    // the next connection to open is handed to it and lost to the pool for good.
    to:
      `        const query = { reserve: resolve, reject: (e) => (queries.remove(query), reject(e)) }`,
  },
  {
    from: `    queries.length && connect(c, queries.shift())
  }`,
    // Back in the queue, as `reserve()` itself leaves it while it connects: the reconnect drops a
    // reserve it was given, and the pool hands the reserve a connection from the queue instead.
    to: `    ${MARKER}
    if (queries.length) {
      const next = queries.shift()
      next.reserve && queries.push(next)
      connect(c, next)
    }
  }`,
  },
];

const PATCHES = ['src', 'cjs/src', 'cf/src'].flatMap((dir) => [
  { file: `${dir}/connection.js`, hunks: CONNECTION },
  { file: `${dir}/index.js`, hunks: POOL },
]);

// The copy both runtimes load: Deno's `nodeModulesDir: "manual"` resolves npm: imports here too.
const root = fileURLToPath(new URL('../node_modules/postgres/', import.meta.url));
const { version } = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));

const occurrences = (text, part) => text.split(part).length - 1;

const mismatched = [];
for (const { file, hunks } of PATCHES) {
  const full = path.join(root, file);
  const code = readFileSync(full, 'utf8');
  if (code.includes(MARKER)) continue;
  if (hunks.some(({ from }) => occurrences(code, from) !== 1)) {
    mismatched.push(file);
    continue;
  }
  writeFileSync(full, hunks.reduce((patched, { from, to }) => patched.replace(from, to), code));
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
