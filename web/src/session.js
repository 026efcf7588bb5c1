// Session state: the bearer token and the signed-in user, kept in sessionStorage
// so that a reload keeps the session but closing the tab ends it.
import { reactive, computed } from 'vue'

const TOKEN_KEY = 'tb.token'
const USER_KEY = 'tb.user'

function readUser() {
  try {
    const raw = sessionStorage.getItem(USER_KEY)
    return raw ? JSON.parse(raw) : null
  } catch {
    return null
  }
}

export const session = reactive({
  token: sessionStorage.getItem(TOKEN_KEY) || '',
  user: readUser(),
  expiresAt: sessionStorage.getItem('tb.expires') || '',
})

export function setSession(token, user, expiresAt) {
  session.token = token
  session.user = user
  session.expiresAt = expiresAt || ''
  sessionStorage.setItem(TOKEN_KEY, token)
  sessionStorage.setItem(USER_KEY, JSON.stringify(user || null))
  sessionStorage.setItem('tb.expires', session.expiresAt)
}

export function clearSession() {
  session.token = ''
  session.user = null
  session.expiresAt = ''
  sessionStorage.removeItem(TOKEN_KEY)
  sessionStorage.removeItem(USER_KEY)
  sessionStorage.removeItem('tb.expires')
}

export function isLoggedIn() {
  return !!session.token
}

export function roles() {
  return (session.user && Array.isArray(session.user.roles)) ? session.user.roles : []
}

export function hasRole(...names) {
  return roles().some((r) => names.includes(r.role))
}

export const isAdmin = computed(() => hasRole('admin'))

// Who may edit an organisation (mirrors src/core/authz.c): administrators,
// operators (the server narrows them to their region) and the organisation's
// own org_admin. The server has the last word: a 403 is shown as a message.
export function canEditOrganisation(org) {
  if (!org) return false
  return roles().some((r) =>
    r.role === 'admin' || r.role === 'operator' ||
    (r.role === 'org_admin' && r.org_id != null && String(r.org_id) === String(org.id)))
}
