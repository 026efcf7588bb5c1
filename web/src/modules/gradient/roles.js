// Who the signed-in user is to the gradient module: the caller's enterprise
// and review or operator grants (mirroring the server's policy, which has the
// last word). Only session.js is imported, so the module's routes and tab list
// stay loadable outside the browser (the message-key test imports them).
import { session, roles } from '../../session.js'

// The organisation the signed-in user belongs to (org_admin first), or null.
export function myOrgId() {
  const rs = roles()
  const r = rs.find((x) => x.role === 'org_admin' && x.org_id) || rs.find((x) => x.role === 'org_member' && x.org_id)
  return r ? r.org_id : null
}

export function isOrgAdmin(orgId) {
  return roles().some((r) => r.role === 'admin' ||
    (r.role === 'org_admin' && String(r.org_id) === String(orgId)))
}

// Grants that take review steps (operator or reviewer with a level).
export function reviewGrants() {
  return roles().filter((r) => (r.role === 'operator' || r.role === 'reviewer') && r.level)
}

// Grants that decide objections, publish batches and revoke titles.
export function operatorGrants() {
  return roles().filter((r) => r.role === 'operator' && r.level)
}

export function isAdminUser() {
  return roles().some((r) => r.role === 'admin')
}

export function canReview() {
  return isAdminUser() || reviewGrants().length > 0
}

export function isSignedIn() {
  return !!session.token
}
