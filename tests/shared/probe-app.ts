import { currentUser, requireRole } from '../../shared/auth/middleware.ts';
import { createApp } from '../../shared/http/create-app.ts';

/** A signed-in app of its own, to watch what the shared auth lets through. */
export function probeApp() {
  return createApp('probe', { auth: 'user' })
    .get('/me', (c) => {
      const { id, role } = currentUser(c);
      return c.json({ id, role });
    })
    .get('/admin-only', requireRole('admin'), (c) => c.json({ ok: true }))
    .get('/staff', requireRole('practitioner', 'admin'), (c) => c.json({ ok: true }));
}
