import { afterAll, expect, it } from 'vitest';
import { closeDb } from '../../shared/db/client.ts';
import { call } from '../helpers/http.ts';

afterAll(closeDb);

it('refuses every call while SERVICE_SECRET is not set', async () => {
  delete process.env.SERVICE_SECRET;
  const { app } = await import('../../functions/reminders/app.ts');
  const attempts: Record<string, string>[] = [
    {},
    { authorization: 'Bearer ' },
    { authorization: 'Bearer undefined' },
  ];
  for (const headers of attempts) {
    const res = await call(app, 'POST', '/reminders/run', { headers, json: {} });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('unauthorized');
  }
});
