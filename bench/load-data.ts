// The on-call history the load benches share (bench/load.ts, bench/load-render.ts): 200 responders
// in 20 schedules of 10 with weekly rotations on two levels, and 50,000 pages over the last year
// to whoever was on call at level 1. Deterministic: every call gives the same data.
import type { OnCallPerson, OnCallStretch, PageEvent } from '../src/domain/on-call-load.ts';

export const RESPONDERS = 200;
export const PAGES = 50_000;
export const DAY = 24 * 3600_000;
export const WEEK = 7 * DAY;
export const NOW = new Date('2026-11-25T12:00:00Z');
/** The report's year. */
export const FROM = new Date(NOW.getTime() - 365 * DAY);
const ZONES = ['Europe/London', 'America/New_York', 'Asia/Kolkata', 'Australia/Adelaide', 'Europe/Berlin'];

/** The people, their on-call stretches since `stretchesSince` (default FROM) and the year's pages. */
export function loadBenchData(stretchesSince: Date = FROM): {
  people: OnCallPerson[];
  stretches: OnCallStretch[];
  pages: PageEvent[];
} {
  // Deterministic pseudo-random numbers (a run is repeatable).
  let seed = 42;
  const rand = () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  const people: OnCallPerson[] = Array.from({ length: RESPONDERS }, (_, i) => ({
    id: `PU${String(i).padStart(5, '0')}`,
    name: `Responder ${i}`,
    email: `r${i}@example.org`,
    timeZone: ZONES[i % ZONES.length]!,
  }));
  const stretches: OnCallStretch[] = [];
  for (let s = 0; s < 20; s++) {
    for (let t = stretchesSince.getTime(), k = 0; t < NOW.getTime(); t += WEEK, k++) {
      for (const level of [1, 2]) {
        const person = people[s * 10 + ((k + level - 1) % 10)]!;
        stretches.push({
          userId: person.id,
          scheduleId: `PS${s}`,
          escalationPolicyId: `PE${s}`,
          level,
          start: new Date(t),
          end: new Date(Math.min(t + WEEK, NOW.getTime())),
        });
      }
    }
  }
  const level1 = stretches.filter((x) => x.level === 1 && x.start >= FROM);
  const pages: PageEvent[] = Array.from({ length: PAGES }, (_, i) => {
    const st = level1[Math.floor(rand() * level1.length)]!;
    const at = new Date(st.start.getTime() + Math.floor(rand() * (st.end.getTime() - st.start.getTime())));
    return {
      id: `LE${i}`,
      incidentId: `PI${Math.floor(i / 2)}`,
      userId: st.userId,
      at,
      kind: i % 5 === 0 ? 'escalated' : 'assigned',
      serviceId: 'PSVC1',
    };
  });
  return { people, stretches, pages };
}
