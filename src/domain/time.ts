import { TZDate } from '@date-fns/tz';
import { format } from 'date-fns/format';

/** e.g. `Tue 24 Nov 14:05 GMT` in the given IANA zone (times are stored in UTC). */
export function formatInZone(date: Date, timeZone: string): string {
  const zoned = new TZDate(date.getTime(), timeZone);
  return `${format(zoned, 'EEE d MMM HH:mm')} ${zoneAbbreviation(date, timeZone)}`;
}

/** Building an Intl.DateTimeFormat costs far more than using one: one per locale and zone. */
const zoneNameFormats = new Map<string, Intl.DateTimeFormat>();
function zoneNameFormat(locale: string, timeZone: string): Intl.DateTimeFormat {
  const key = `${locale} ${timeZone}`;
  let f = zoneNameFormats.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(locale, { timeZone, timeZoneName: 'short' });
    zoneNameFormats.set(key, f);
  }
  return f;
}

/** BST/GMT from British English, EST/PST from American English; a GMT offset where neither names it. */
function zoneAbbreviation(date: Date, timeZone: string): string {
  let fallback = timeZone;
  for (const locale of ['en-GB', 'en-US']) {
    const name = zoneNameFormat(locale, timeZone)
      .formatToParts(date)
      .find((p) => p.type === 'timeZoneName')?.value;
    if (!name) continue;
    if (!/^(GMT|UTC)[+-]/.test(name)) return name;
    if (fallback === timeZone) fallback = name;
  }
  return fallback;
}

export function isValidTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-GB', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}
