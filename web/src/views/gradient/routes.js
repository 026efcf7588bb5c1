// The routes of the gradient cultivation module: signed-in pages under
// /gradient (inside the main layout) and public pages under /public/gradient.
import { gradientTabs } from './tabs.js'

export const gradientRoutes = [
  {
    path: 'gradient',
    component: () => import('./GradientLayout.vue'),
    meta: { nav: 'gradient' },
    children: [
      { path: '', name: 'gradient', redirect: () => `/gradient/${gradientTabs()[0]}` },
      { path: 'evaluate', name: 'gradient-evaluate', component: () => import('./Evaluate.vue') },
      { path: 'facts', name: 'gradient-facts', component: () => import('./Facts.vue') },
      { path: 'applications', name: 'gradient-applications', component: () => import('./Applications.vue') },
      { path: 'applications/:id', name: 'gradient-application', component: () => import('./Application.vue'), props: true },
      { path: 'reviews', name: 'gradient-reviews', component: () => import('./Reviews.vue') },
      { path: 'notices', name: 'gradient-notices', component: () => import('./Notices.vue') },
      { path: 'titles', name: 'gradient-titles', component: () => import('./Titles.vue') },
      { path: 'stats', name: 'gradient-stats', component: () => import('./Stats.vue') },
    ],
  },
]

export const gradientPublicRoutes = [
  {
    path: '/public/gradient',
    component: () => import('./PublicLayout.vue'),
    meta: { public: true },
    children: [
      { path: '', redirect: '/public/gradient/notices' },
      { path: 'notices', name: 'public-notices', component: () => import('./Notices.vue') },
      { path: 'titles', name: 'public-titles', component: () => import('./Titles.vue') },
      { path: 'stats', name: 'public-stats', component: () => import('./Stats.vue') },
    ],
  },
]
