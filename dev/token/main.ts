import { issueToken, parseTokenArgs, TokenArgsError } from './issue.ts';
import { readKeys } from '../lib/keys.ts';
import { runningStack, stateFiles } from '../stack/state.ts';

// The token alone goes to stdout, so `TOKEN=$(npm run -s token -- --email ...)` works.
try {
  const user = parseTokenArgs(process.argv.slice(2));
  const stack = await runningStack();
  if (!stack?.databaseUrl || !stack.supabaseUrl || !stack.keysFile) {
    console.error(
      `No Dokal stack is running (no live ${stateFiles().stack}). Start one with \`npm run dev\`.`,
    );
    process.exit(1);
  }
  const { userId, token } = await issueToken({
    databaseUrl: stack.databaseUrl,
    keys: await readKeys(stack.keysFile),
    supabaseUrl: stack.supabaseUrl,
    user,
  });
  console.error(
    `User ${user.email} (${userId})${
      user.role ? `, role ${user.role}` : ''
    }. Token valid for one hour:`,
  );
  console.log(token);
} catch (e) {
  console.error(
    e instanceof TokenArgsError ? e.message : `Could not issue a token: ${(e as Error).message}`,
  );
  process.exit(e instanceof TokenArgsError ? 2 : 1);
}
