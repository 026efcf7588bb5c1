// The pages the accessibility scan visits: every route of the UI, each with a
// user who sees it filled in, and the element that shows it has rendered.
export const PAGES = [
  // signed out
  { user: null, path: '/login', ready: '[data-test=login-submit]' },
  { user: null, path: '/public/gradient/notices', ready: '[data-test=gradient-notices]' },
  { user: null, path: '/public/gradient/titles', ready: '[data-test=gradient-titles]' },
  { user: null, path: '/public/gradient/stats', ready: '[data-test=gradient-stats]' },
  // the kernel
  { user: 'admin', path: '/', ready: '[data-test=chart-by-kind]' },
  { user: 'admin', path: '/organisations', ready: '[data-test=org-table]' },
  { user: 'admin', path: '/organisations/1', ready: '[data-test=org-descriptions]' },
  { user: 'admin', path: '/profile', ready: '[data-test=profile-roles]' },
  { user: 'admin', path: '/tokens', ready: '[data-test=token-table]' },
  { user: 'admin', path: '/admin/users', ready: '[data-test=user-table]' },
  { user: 'admin', path: '/admin/regions', ready: '[data-test=admin-regions]' },
  { user: 'admin', path: '/admin/industries', ready: '[data-test=admin-industries]' },
  { user: 'admin', path: '/admin/audit', ready: '[data-test=audit-table]' },
  { user: 'admin', path: '/no/such/page', ready: '[data-test=not-found]' },
  // gradient cultivation
  { user: 'enterprise', path: '/gradient/evaluate', ready: '[data-test=gradient-evaluate]' },
  { user: 'enterprise', path: '/gradient/facts', ready: '[data-test=facts-years]' },
  { user: 'enterprise', path: '/gradient/applications', ready: '[data-test=app-table]' },
  { user: 'admin', path: '/gradient/applications/1', ready: '[data-test=app-descriptions]' },
  { user: 'admin', path: '/gradient/reviews', ready: '[data-test=review-table]' },
  { user: 'admin', path: '/gradient/notices', ready: '[data-test=gradient-notices]' },
  { user: 'admin', path: '/gradient/titles', ready: '[data-test=titles-table]' },
  { user: 'admin', path: '/gradient/stats', ready: '[data-test=gradient-stats]' },
  // technology market
  { user: 'admin', path: '/market', ready: '[data-test=market-results]' },
  { user: 'admin', path: '/market/listings/1', ready: '[data-test=market-item-title]' },
  { user: 'admin', path: '/market/demands/1', ready: '[data-test=market-item-title]' },
  { user: 'admin', path: '/market/interests', ready: '[data-test=market-interests]' },
  { user: 'admin', path: '/market/workbench', ready: '[data-test=market-workbench]' },
  { user: 'university', path: '/market/listings/new', ready: '[data-test=mf-title]' },
  { user: 'university', path: '/market/listings/1/edit', ready: '[data-test=mf-title]' },
  { user: 'university', path: '/market/demands/new', ready: '[data-test=mf-title]' },
  // placeholders
  { user: 'admin', path: '/pilot', ready: '[data-test=coming-soon]' },
  { user: 'admin', path: '/contracts', ready: '[data-test=coming-soon]' },
  { user: 'admin', path: '/directories', ready: '[data-test=coming-soon]' },
  { user: 'admin', path: '/calculators', ready: '[data-test=coming-soon]' },
  { user: 'admin', path: '/statistics', ready: '[data-test=coming-soon]' },
]
