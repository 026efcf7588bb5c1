// The routes of the technology market: search, items, forms, interests and
// the broker's workbench, all inside the main layout.
const MARKET_KIND = ':kind(listings|demands)'

export const marketRoutes = [
  { path: 'market', name: 'market', component: () => import('./views/MarketSearch.vue') },
  { path: 'market/workbench', name: 'market-workbench', component: () => import('./views/Workbench.vue') },
  { path: 'market/interests', name: 'market-interests', component: () => import('./views/Interests.vue') },
  { path: 'market/interests/:id(\\d+)', name: 'market-interest', component: () => import('./views/InterestThread.vue'), props: true },
  { path: `market/${MARKET_KIND}/new`, name: 'market-new', component: () => import('./views/MarketForm.vue'), props: true },
  { path: `market/${MARKET_KIND}/:id(\\d+)`, name: 'market-item', component: () => import('./views/MarketItem.vue'), props: true },
  { path: `market/${MARKET_KIND}/:id(\\d+)/edit`, name: 'market-edit', component: () => import('./views/MarketForm.vue'), props: true },
].map((r) => ({ ...r, meta: { nav: 'market' } }))
