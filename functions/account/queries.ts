import type { Tx } from '../../shared/db/client.ts';

/**
 * The caller's account deleted (app.delete_account): one statement, handed back unsent. Answers
 * the Storage keys of the pictures that went with it, null when it was already gone.
 */
export const deleteAccount = (tx: Tx) =>
  tx<[{ pictures: string[] | null }]>`select app.delete_account() as pictures`;
