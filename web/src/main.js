import { createApp } from 'vue'
import ElementPlus from 'element-plus'
import 'element-plus/dist/index.css'
import './style.css'
import App from './App.vue'
import { i18n } from './i18n.js'
import { router } from './router.js'
import { onUnauthorized } from './api.js'

// A 401 on any authenticated call means the session is gone: back to login.
onUnauthorized(() => {
  const cur = router.currentRoute.value
  if (cur.name !== 'login') {
    router.replace({ name: 'login', query: { redirect: cur.fullPath, expired: '1' } })
  }
})

createApp(App).use(i18n).use(router).use(ElementPlus).mount('#app')
