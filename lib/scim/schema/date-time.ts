/**
 * The one xsd:dateTime reader (RFC 7643 §2.3.5), used by writes (schema/coerce.ts) and by the filter compiler
 * alike, so a value that can be stored can be filtered on and the other way round. Strict: a calendar date,
 * optionally a time and a zone (Z or ±hh[:mm]); no month or day names, no out-of-range fields.
 */
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?)?([Zz]|[+-]\d{2}(?::?\d{2})?)?$/

/** An xsd:dateTime as a UTC ISO string; no zone means UTC. Undefined if invalid. */
export function parseDateTime(text: string): string | undefined {
  const match = DATE_TIME.exec(text.trim())
  if (!match) return undefined
  const [, year, month, day, hour = '00', minute = '00', second = '00', fraction = '', zone = 'Z'] = match
  const days = new Date(Date.UTC(Number(year), Number(month), 0)).getUTCDate()
  if (Number(month) < 1 || Number(month) > 12 || Number(day) < 1 || Number(day) > days) return undefined
  if (Number(hour) > 23 || Number(minute) > 59 || Number(second) > 59) return undefined
  const offset = /^[+-]\d{2}$/.test(zone) ? `${zone}:00` : zone.replace(/^([+-]\d{2})(\d{2})$/, '$1:$2').toUpperCase()
  const time = Date.parse(`${year}-${month}-${day}T${hour}:${minute}:${second}${fraction.slice(0, 4)}${offset}`)
  return Number.isNaN(time) ? undefined : new Date(time).toISOString()
}
