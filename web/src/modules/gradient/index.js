// The gradient cultivation module (梯度培育) as the web UI sees it: its routes,
// its menu entry, its messages and the public link on the sign-in page.
import { TrendCharts } from '@element-plus/icons-vue'
import { gradientRoutes, gradientPublicRoutes } from './routes.js'
import en from './locales/en.js'
import zhCN from './locales/zh-CN.js'

export default {
  name: 'gradient',
  routes: gradientRoutes,
  publicRoutes: gradientPublicRoutes,
  menu: [{ key: 'gradient', path: '/gradient', icon: TrendCharts }],
  messages: { 'zh-CN': zhCN, en },
  // public pages need no sign-in: the notice, the titles and the statistics
  publicLinks: [{ key: 'gradient', to: '/public/gradient/notices', label: 'gradient.publicTitle' }],
}
