// The technology market module (技术市场) as the web UI sees it: its routes,
// its menu entry and its messages.
import { Shop } from '@element-plus/icons-vue'
import { marketRoutes } from './routes.js'
import en from './locales/en.js'
import zhCN from './locales/zh-CN.js'

export default {
  name: 'market',
  routes: marketRoutes,
  menu: [{ key: 'market', path: '/market', icon: Shop }],
  messages: { 'zh-CN': zhCN, en },
}
