// Helpers of the gradient cultivation pages: tiers, money in 万元 <-> integer
// fen, and the shapes of an evaluation result; the role helpers of roles.js
// (the caller's enterprise, review grants) are re-exported.
import { fmtNumber } from '../../format.js'
export * from './roles.js'

export const TIERS = ['innovative_sme', 'specialized_sme', 'little_giant']
export const FEN_PER_WAN = 1000000 // 1 万元 = 10,000 yuan = 1,000,000 fen

// The oldest and newest fiscal years the store accepts (org_fact_years).
const FACT_YEAR_MIN = 1990
const FACT_YEAR_MAX = 2100

// The fiscal years the facts form shows, newest first: the last three completed
// ones (a fiscal year is the calendar year), so the form moves on by itself
// every January, and every year the enterprise already has facts for (`stored`,
// the keys of the document's `years`), so older or current-year facts stay
// editable.
export function factYears(today = new Date(), stored = []) {
  const y = today.getUTCFullYear()
  const years = new Set([y - 1, y - 2, y - 3])
  for (const k of stored) {
    const n = Number(k)
    if (/^\d{4}$/.test(String(k)) && n >= FACT_YEAR_MIN && n <= FACT_YEAR_MAX) years.add(n)
  }
  return [...years].sort((a, b) => b - a)
}

export function wanToFen(w) {
  if (w === null || w === undefined || w === '') return null
  return Math.round(Number(w) * FEN_PER_WAN)
}

export function fenToWan(f) {
  if (f === null || f === undefined) return null
  return Number(f) / FEN_PER_WAN
}

export function fmtWan(fen) {
  return fen === null || fen === undefined ? '—' : fmtNumber(Math.round(fenToWan(fen) * 100) / 100)
}

export function fmtPercent(v, digits = 1) {
  if (v === null || v === undefined || !Number.isFinite(Number(v))) return '—'
  return `${(Number(v) * 100).toFixed(digits)}%`
}

// Criteria whose value is a ratio, shown as a percentage; money is in fen.
function isRatio(id) {
  return /intensity|share|ratio|growth|cagr|margin/.test(id)
}
function isMoney(id) {
  return /amount|revenue(?!_share|_growth)|equity|rd_sum|rd_input|fen/.test(id) && !isRatio(id)
}

export function fmtCriterionValue(id, v) {
  if (v === null || v === undefined) return '—'
  if (typeof v !== 'number') return String(v)
  if (isRatio(id)) return fmtPercent(v)
  if (isMoney(id) && Math.abs(v) >= 10000) return `${fmtWan(v)} 万元`
  return fmtNumber(Math.round(v * 100) / 100)
}

// Score groups of a scored tier: the engine lists each group's subtotal
// (value = the group's points, threshold = its minimum) just before the
// total `score`, after the indicators that carry `points`.
export function scoreGroups(criteria) {
  const list = criteria || []
  const at = list.findIndex((c) => c.id === 'score')
  const groups = []
  for (let i = at - 1; at > 0 && i >= 0; i--) {
    const c = list[i]
    if (c.points !== undefined || c.value === undefined || c.threshold === undefined) break
    groups.unshift({ id: c.id, points: c.value, minimum: c.threshold, outcome: c.outcome })
  }
  return groups
}
