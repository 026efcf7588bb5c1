// Locale-aware formatting of numbers, dates (ISO 8601 "2025-06-30") and
// instants (RFC 3339, UTC).
import { i18n } from './i18n.js'

function loc() {
  return i18n.global.locale.value
}

export function fmtNumber(n) {
  if (n === null || n === undefined || n === '') return '—'
  const v = Number(n)
  if (!Number.isFinite(v)) return String(n)
  return new Intl.NumberFormat(loc()).format(v)
}

export function fmtDate(s) {
  if (!s) return '—'
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(String(s))
  const d = m ? new Date(Date.UTC(+m[1], +m[2] - 1, +m[3])) : new Date(s)
  if (Number.isNaN(d.getTime())) return String(s)
  return new Intl.DateTimeFormat(loc(), { dateStyle: 'medium', timeZone: m ? 'UTC' : undefined }).format(d)
}

export function fmtInstant(s) {
  if (!s) return '—'
  const d = new Date(s)
  if (Number.isNaN(d.getTime())) return String(s)
  return new Intl.DateTimeFormat(loc(), { dateStyle: 'medium', timeStyle: 'short' }).format(d)
}

// A bilingual field in the chosen language: obj[field + '_en'] in English when
// present, the Chinese obj[field] otherwise.
export function localName(obj, field) {
  if (!obj) return ''
  const en = obj[field + '_en']
  return loc() === 'en' && en ? en : obj[field]
}
