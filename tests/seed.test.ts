import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { db } from './helpers/db.ts';

const seed = () => readFile(new URL('../supabase/seed.sql', import.meta.url), 'utf8');

describe('seed', () => {
  it('names about thirty specialties in every language, each name present', async () => {
    const rows = await db`select * from public.specialties`;
    expect(rows.length).toBeGreaterThanOrEqual(30);
    for (const s of rows) {
      for (
        const column of ['name', 'name_fr', 'name_he', 'name_en', 'name_ru', 'name_am', 'name_es']
      ) {
        expect(s[column], `${s.name} ${column}`).toMatch(/\S/);
      }
      expect(s.name_he, s.name).toMatch(/[\u05D0-\u05EA]/);
      expect(s.name_ru, s.name).toMatch(/[\u0400-\u04FF]/);
      expect(s.name_am, s.name).toMatch(/[\u1200-\u137F]/);
    }
    const cardiology = rows.find((s) => s.name === 'Cardiology');
    expect(cardiology).toMatchObject({
      name_fr: 'Cardiologie',
      name_he: 'קרדיולוגיה',
      name_es: 'Cardiología',
    });
  });

  it('offers global appointment reasons in English, French and Hebrew', async () => {
    // Only the seeded rows (fixed ids): other test files add global reasons of their own.
    const rows = await db`
      select * from public.appointment_reasons
      where practitioner_id is null and id::text like '5eed0000-%'`;
    expect(rows.length).toBeGreaterThanOrEqual(5);
    for (const r of rows) {
      expect(r.label_fr).toMatch(/\S/);
      expect(r.label_he).toMatch(/[\u05D0-\u05EA]/);
    }
  });

  it('can run again without changing anything', async () => {
    // One snapshot for the whole check: rows other test files add meanwhile stay out of it.
    await db.begin('isolation level repeatable read', async (tx) => {
      const count = () =>
        tx`
        select (select count(*)::int from public.specialties) as specialties,
               (select count(*)::int from public.appointment_reasons where practitioner_id is null) as reasons`;
      const before = await count();
      await tx.unsafe(await seed());
      expect(await count()).toEqual(before);
    });
  });
});
