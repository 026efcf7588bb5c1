// The routes of the gradient cultivation module: signed-in pages under
// /gradient (inside the main layout) and public pages under /public/gradient.
import { gradientTabs } from './tabs.js'

export const gradientRoutes = [
  {
    path: 'gradient',
    component: () => import('./views/GradientLayout.vue'),
    meta: { nav: 'gradient' },
    children: [
      { path: '', name: 'gradient', redirect: () => `/gradient/${gradientTabs()[0]}` },
      { path: 'evaluate', name: 'gradient-evaluate', component: () => import('./views/Evaluate.vue') },
      { path: 'facts', name: 'gradient-facts', component: () => import('./views/Facts.vue') },
      { path: 'applications', name: 'gradient-applications', component: () => import('./views/Applications.vue') },
      { path: 'applications/:id', name: 'gradient-application', component: () => import('./views/Application.vue'), props: true },
      { path: 'reviews', name: 'gradient-reviews', component: () => import('./views/Reviews.vue') },
      { path: 'notices', name: 'gradient-notices', component: () => import('./views/Notices.vue') },
      { path: 'titles', name: 'gradient-titles', component: () => import('./views/Titles.vue') },
      { path: 'stats', name: 'gradient-stats', component: () => import('./views/Stats.vue') },
    ],
  },
]

export const gradientPublicRoutes = [
  {
    path: '/public/gradient',
    component: () => import('./views/PublicLayout.vue'),
    meta: { public: true },
    children: [
      { path: '', redirect: '/public/gradient/notices' },
      { path: 'notices', name: 'public-notices', component: () => import('./views/Notices.vue') },
      { path: 'titles', name: 'public-titles', component: () => import('./views/Titles.vue') },
      { path: 'stats', name: 'public-stats', component: () => import('./views/Stats.vue') },
    ],
  },
]
