// A user-facing sentence for an ApiError.
export function errorText(e, t) {
  if (!e) return ''
  switch (e.status) {
    case 0: return t('errors.network')
    case 403: return t('errors.forbidden')
    case 404: return t('errors.notFound')
    case 409: return t('errors.stale')
    default: return t('errors.generic', { msg: e.message || String(e) })
  }
}
