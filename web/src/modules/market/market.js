// Technology market helpers shared by the market pages: the enumerations of
// src/core/market.c and market_flow.c, money in fen, who may do what (the
// server has the last word), and the highlighting of matched terms.
import { api } from '../../api.js'
import { i18n } from '../../i18n.js'
import { roles, session } from '../../session.js'

export const TECH_FIELDS = [
  'electronic_information', 'advanced_manufacturing', 'new_energy', 'aerospace', 'modern_transport',
  'biomedicine', 'new_materials', 'agriculture', 'nuclear', 'urban_social', 'environment',
]
export const MODES = ['transfer', 'licence', 'open_licence', 'pay_after_use', 'joint_development']
export const STATUSES = ['draft', 'under_review', 'published', 'expired', 'withdrawn']
export const DEMAND_TYPES = ['need', 'scenario', 'challenge']
export const DECLINE_REASONS = ['too_early', 'benefit_unclear', 'route_unclear', 'price', 'ip_unclear', 'other']
export const IP_TYPES = ['invention', 'utility_model', 'design', 'software', 'layout_design', 'plant_variety', 'know_how']
export const KINDS = ['listings', 'demands']

// Workflow steps offered from each status (src/core/market_flow.c), and who
// takes them: 'owner' (market.edit) or 'moderator' (market.moderate).
export const FLOW = {
  draft: [['submit', 'owner'], ['withdraw', 'owner']],
  under_review: [['approve', 'moderator'], ['reject', 'moderator'], ['withdraw', 'owner']],
  published: [['renew', 'owner'], ['withdraw', 'owner']],
  expired: [['renew', 'owner'], ['withdraw', 'owner']],
  withdrawn: [['reopen', 'owner']],
}

const STATUS_TAG = { draft: 'info', under_review: 'warning', published: 'success', expired: 'info', withdrawn: 'danger' }
export function statusTag(s) {
  return STATUS_TAG[s] || 'info'
}

// Money in fen: 万元 in Chinese, yuan in English.
export function fmtFen(fen) {
  if (fen === null || fen === undefined || fen === '') return '—'
  const v = Number(fen)
  if (!Number.isFinite(v)) return String(fen)
  const loc = i18n.global.locale.value
  if (loc === 'en') {
    return new Intl.NumberFormat('en', { style: 'currency', currency: 'CNY', maximumFractionDigits: 0 }).format(v / 100)
  }
  if (Math.abs(v) >= 1000000) {
    return `${new Intl.NumberFormat('zh-CN', { maximumFractionDigits: 2 }).format(v / 1000000)} 万元`
  }
  return `${new Intl.NumberFormat('zh-CN', { maximumFractionDigits: 2 }).format(v / 100)} 元`
}

// Forms take money in 万元 (10,000 yuan); the API wants fen.
export function wanToFen(w) {
  if (w === null || w === undefined || w === '') return null
  return Math.round(Number(w) * 1000000)
}
export function fenToWan(f) {
  return f === null || f === undefined ? null : f / 1000000
}

// The organisations the caller acts for (org_admin or org_member grants).
export function myOrgIds() {
  return roles().filter((r) => (r.role === 'org_admin' || r.role === 'org_member') && r.org_id != null)
    .map((r) => Number(r.org_id))
}
export function isOwner(item) {
  return !!item && (roles().some((r) => r.role === 'admin') || myOrgIds().includes(Number(item.org_id)))
}
export function canModerate() {
  return roles().some((r) => r.role === 'admin' || r.role === 'operator' || r.role === 'broker')
}
// May the caller read everything about the item (market.read_all in
// src/core/authz.c)? Used to avoid asking for what would be refused.
export function canReadAll(item, assignedUsernames = []) {
  if (!item) return false
  if (isOwner(item)) return true
  const region = String(item.region_code || '')
  return roles().some((r) => {
    if (r.role === 'admin') return true
    if (r.role === 'operator') {
      if (r.level === 'national' || !r.region_code) return true
      return region.startsWith(String(r.region_code).replace(/(00)+$/, ''))
    }
    return false
  }) || assignedUsernames.includes(session.user && session.user.username)
}

export function canPublish() {
  return roles().some((r) => r.role === 'admin') || myOrgIds().length > 0
}
export function isBrokerish() {
  return roles().some((r) => r.role === 'admin' || r.role === 'operator' || r.role === 'broker')
}

// The item's title and description in the chosen language.
export function itemTitle(it) {
  if (!it) return ''
  return i18n.global.locale.value === 'en' && it.title_en ? it.title_en : it.title
}
export function itemDescription(it) {
  if (!it) return ''
  return i18n.global.locale.value === 'en' && it.description_en ? it.description_en : (it.description || it.description_en || '')
}

let provinces = null
// Province names by 2-digit prefix, loaded once (for the province facet).
export async function provinceNames() {
  if (!provinces) {
    provinces = api.get('/regions', { level: 'province', limit: 500 })
      .then((r) => Object.fromEntries((r.items || []).map((p) => [p.code.slice(0, 2), p])))
      .catch(() => { provinces = null; return {} })
  }
  return provinces
}

const CJK = /[\u3400-\u9fff\uf900-\ufaff]/
const WORD = /[\p{L}\p{N}][\p{L}\p{N}./-]*/gu

// Whether a word of the text is an occurrence of an analysed term: English
// terms are Snowball stems (so a prefix, "fibr" of "fibre", "batteri" of
// "battery"), codes are whole words.
function wordMatches(word, term) {
  const w = word.toLowerCase()
  if (w === term || w.startsWith(term)) return true
  return term.endsWith('i') && w.startsWith(term.slice(0, -1) + 'y')
}

// Text split into [{text, hit}] pieces: the occurrences of the matched terms
// (CJK bigrams found as substrings, other terms as words) are hits.
export function highlightPieces(text, terms) {
  const s = String(text || '')
  if (!s || !terms || !terms.length) return [{ text: s, hit: false }]
  const lower = s.normalize('NFKC').toLowerCase().length === s.length ? s.normalize('NFKC').toLowerCase() : s.toLowerCase()
  const mark = new Uint8Array(s.length)
  for (const raw of terms) {
    const term = String(raw || '').toLowerCase()
    if (!term) continue
    if (CJK.test(term)) {
      for (let i = lower.indexOf(term); i >= 0; i = lower.indexOf(term, i + 1)) mark.fill(1, i, i + term.length)
    } else {
      for (const m of s.matchAll(WORD)) if (wordMatches(m[0], term)) mark.fill(1, m.index, m.index + m[0].length)
    }
  }
  const out = []
  let i = 0
  while (i < s.length) {
    let j = i
    while (j < s.length && mark[j] === mark[i]) j++
    out.push({ text: s.slice(i, j), hit: mark[i] === 1 })
    i = j
  }
  return out
}

// A window of about `max` characters around the first hit.
export function snippetPieces(text, terms, max = 120) {
  const pieces = highlightPieces(text, terms)
  const s = String(text || '')
  if (s.length <= max) return pieces
  let first = 0
  let pos = 0
  for (const p of pieces) {
    if (p.hit) { first = pos; break }
    pos += p.text.length
  }
  const start = Math.max(0, Math.min(first - 20, s.length - max))
  const end = start + max
  const out = []
  pos = 0
  for (const p of pieces) {
    const a = Math.max(pos, start)
    const b = Math.min(pos + p.text.length, end)
    if (a < b) out.push({ text: p.text.slice(a - pos, b - pos), hit: p.hit })
    pos += p.text.length
  }
  if (start > 0) out.unshift({ text: '…', hit: false })
  if (end < s.length) out.push({ text: '…', hit: false })
  return out
}
