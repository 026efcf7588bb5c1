import { createRouter, createWebHistory } from 'vue-router'
import { isLoggedIn, hasRole, session, clearSession } from './session.js'
import Layout from './views/Layout.vue'
import Login from './views/Login.vue'
import { moduleRoutes, modulePublicRoutes } from './modules/registry.js'

const routes = [
  { path: '/login', name: 'login', component: Login, meta: { public: true } },
  // the modules' public pages (modules/index.js)
  ...modulePublicRoutes(),
  {
    path: '/',
    component: Layout,
    children: [
      { path: '', name: 'dashboard', component: () => import('./views/Dashboard.vue'), meta: { nav: 'dashboard' } },
      { path: 'organisations', name: 'organisations', component: () => import('./views/Organisations.vue'), meta: { nav: 'organisations' } },
      { path: 'organisations/:id', name: 'organisation', component: () => import('./views/OrganisationDetail.vue'), props: true, meta: { nav: 'organisations' } },
      // every module's pages, placeholders included (modules/index.js)
      ...moduleRoutes(),
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
