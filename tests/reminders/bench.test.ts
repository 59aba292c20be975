import { describe, expect, it } from 'vitest';
import { parseBenchOptions } from '../../dev/bench/options.ts';
import {
  formatReminderBench,
  REMINDER_TARGETS,
  type ReminderBench,
} from '../../dev/bench/reminders.ts';

describe('npm run bench -- --group reminders', () => {
  it('is a group of its own', () => {
    expect(parseBenchOptions(['--group', 'reminders'], {}).group).toBe('reminders');
  });

  const result = (first: number, repeated: number, createdAgain = 0): ReminderBench => ({
    date: '2026-12-01',
    tomorrow: '2026-12-02',
    confirmedTomorrow: 100_000,
    generated: { appointments: 0, seconds: 0 },
    first: { seconds: first, created: 100_000, skipped: 0, rowsPerSecond: 100_000 / first },
    repeated: {
      seconds: repeated,
      created: createdAgain,
      skipped: 100_000 - createdAgain,
      rowsPerSecond: 100_000 / repeated,
    },
    targets: REMINDER_TARGETS,
  });

  it('prints both runs, their rows per second, and the targets on this machine', () => {
    expect(formatReminderBench(result(4, 0.5))).toEqual([
      'Reminders for 2026-12-02 (run of 2026-12-01), 100000 confirmed appointments:',
      '  first run:    4.00 s, created 100000, skipped 0: 25,000 reminders/s',
      '  repeated run: 0.50 s, created 0, skipped 100000: 200,000 appointments/s',
      'met      first run under 10 s (on this machine)',
      'met      repeated run under 1 s, creating nothing (on this machine)',
    ]);
    const slow = formatReminderBench(result(12, 1.5, 3));
    expect(slow.slice(-2)).toEqual([
      'NOT met  first run under 10 s (on this machine)',
      'NOT met  repeated run under 1 s, creating nothing (on this machine)',
    ]);
  });
});
