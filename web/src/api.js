// Thin client for the public JSON API (same origin, base /api/v1).
import { session, clearSession } from './session.js'

export const API_BASE = '/api/v1'

let unauthorizedHandler = null
export function onUnauthorized(fn) {
  unauthorizedHandler = fn
}

// An error response. `problem` is the RFC 9457 problem+json body when there is one.
export class ApiError extends Error {
  constructor(status, problem) {
    super((problem && (problem.detail || problem.title)) || `HTTP ${status}`)
    this.name = 'ApiError'
    this.status = status
    this.problem = problem || {}
  }

  // {field: message} from problem.errors
  get fieldErrors() {
    const out = {}
    for (const e of this.problem.errors || []) {
      if (e && e.field) out[e.field] = out[e.field] ? `${out[e.field]}; ${e.message}` : e.message
    }
    return out
  }
}

function buildQuery(params) {
  if (!params) return ''
  const usp = new URLSearchParams()
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === null || v === '') continue
    usp.append(k, String(v))
  }
  const s = usp.toString()
  return s ? `?${s}` : ''
}

export async function request(method, path, { body, query, auth = true } = {}) {
  const headers = { Accept: 'application/json' }
  if (auth && session.token) headers.Authorization = `Bearer ${session.token}`
  const init = { method, headers }
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json'
    init.body = JSON.stringify(body)
  }
  let res
  try {
    res = await fetch(API_BASE + path + buildQuery(query), init)
  } catch (e) {
    throw new ApiError(0, { title: 'network', detail: String(e && e.message || e) })
  }
  let data = null
  const text = res.status === 204 ? '' : await res.text()
  if (text) {
    try {
      data = JSON.parse(text)
    } catch {
      data = { detail: text.slice(0, 200) }
    }
  }
  if (!res.ok) {
    if (res.status === 401 && auth && session.token) {
      clearSession()
      if (unauthorizedHandler) unauthorizedHandler()
    }
    throw new ApiError(res.status, data)
  }
  return data
}

export const api = {
  get: (path, query) => request('GET', path, { query }),
  post: (path, body) => request('POST', path, { body }),
  patch: (path, body) => request('PATCH', path, { body }),
  del: (path) => request('DELETE', path),
}
