import { createRouter, createWebHistory } from 'vue-router'
import { isLoggedIn, hasRole, session, clearSession } from './session.js'
import Layout from './views/Layout.vue'
import Login from './views/Login.vue'
// gradient cultivation (issue 3)
import { gradientRoutes, gradientPublicRoutes } from './views/gradient/routes.js'

// Modules that are not built yet: each shows a "coming soon" card.
export const COMING_SOON = [
  { path: 'pilot', key: 'pilot' },
  { path: 'contracts', key: 'contracts' },
  { path: 'directories', key: 'directories' },
  { path: 'calculators', key: 'calculators' },
  { path: 'statistics', key: 'statistics' },
]

// Technology market (issue 4): search, items, forms, interests, the broker's workbench.
const MARKET_KIND = ':kind(listings|demands)'
const marketRoutes = [
  { path: 'market', name: 'market', component: () => import('./views/market/MarketSearch.vue') },
  { path: 'market/workbench', name: 'market-workbench', component: () => import('./views/market/Workbench.vue') },
  { path: 'market/interests', name: 'market-interests', component: () => import('./views/market/Interests.vue') },
  { path: 'market/interests/:id(\\d+)', name: 'market-interest', component: () => import('./views/market/InterestThread.vue'), props: true },
  { path: `market/${MARKET_KIND}/new`, name: 'market-new', component: () => import('./views/market/MarketForm.vue'), props: true },
  { path: `market/${MARKET_KIND}/:id(\\d+)`, name: 'market-item', component: () => import('./views/market/MarketItem.vue'), props: true },
  { path: `market/${MARKET_KIND}/:id(\\d+)/edit`, name: 'market-edit', component: () => import('./views/market/MarketForm.vue'), props: true },
].map((r) => ({ ...r, meta: { nav: 'market' } }))

const routes = [
  { path: '/login', name: 'login', component: Login, meta: { public: true } },
  // gradient cultivation (issue 3): public notice, titles, statistics
  ...gradientPublicRoutes,
  {
    path: '/',
    component: Layout,
    children: [
      { path: '', name: 'dashboard', component: () => import('./views/Dashboard.vue'), meta: { nav: 'dashboard' } },
      { path: 'organisations', name: 'organisations', component: () => import('./views/Organisations.vue'), meta: { nav: 'organisations' } },
      { path: 'organisations/:id', name: 'organisation', component: () => import('./views/OrganisationDetail.vue'), props: true, meta: { nav: 'organisations' } },
      // gradient cultivation (issue 3)
      ...gradientRoutes,
      ...COMING_SOON.map((m) => ({
        path: m.path,
        name: m.key,
        component: () => import('./views/ComingSoon.vue'),
        props: { module: m.key },
        meta: { nav: m.key },
      })),
      ...marketRoutes,
      { path: 'profile', name: 'profile', component: () => import('./views/Profile.vue'), meta: { nav: 'profile' } },
      { path: 'tokens', name: 'tokens', component: () => import('./views/Tokens.vue'), meta: { nav: 'tokens' } },
      { path: 'admin', redirect: '/admin/users' },
      { path: 'admin/users', name: 'admin-users', component: () => import('./views/admin/Users.vue'), meta: { admin: true, nav: 'adminUsers' } },
      { path: 'admin/regions', name: 'admin-regions', component: () => import('./views/admin/Regions.vue'), meta: { admin: true, nav: 'adminRegions' } },
      { path: 'admin/industries', name: 'admin-industries', component: () => import('./views/admin/Industries.vue'), meta: { admin: true, nav: 'adminIndustries' } },
      { path: 'admin/audit', name: 'admin-audit', component: () => import('./views/admin/Audit.vue'), meta: { admin: true, nav: 'adminAudit' } },
      { path: ':rest(.*)*', name: 'not-found', component: () => import('./views/NotFound.vue') },
    ],
  },
]

export const router = createRouter({
  history: createWebHistory('/'),
  routes,
  scrollBehavior: () => ({ top: 0 }),
})

router.beforeEach((to) => {
  // A session past its expiry is gone: forget it rather than wait for a 401.
  if (session.token && session.expiresAt && Date.parse(session.expiresAt) <= Date.now()) {
    clearSession()
    if (!to.meta.public) return { name: 'login', query: { redirect: to.fullPath, expired: '1' } }
  }
  if (to.meta.public) {
    if (to.name === 'login' && isLoggedIn()) return { path: '/' }
    return true
  }
  if (!isLoggedIn()) {
    return { name: 'login', query: to.fullPath && to.fullPath !== '/' ? { redirect: to.fullPath } : {} }
  }
  if (to.matched.some((r) => r.meta.admin) && !hasRole('admin')) return { path: '/' }
  return true
})
