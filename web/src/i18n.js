import { createI18n } from 'vue-i18n'
import { ref, computed } from 'vue'
import zhCNMessages from './locales/zh-CN.js'
import enMessages from './locales/en.js'
import { moduleMessages } from './modules/registry.js'
import epZhCn from 'element-plus/es/locale/lang/zh-cn'
import epEn from 'element-plus/es/locale/lang/en'

export const LOCALES = ['zh-CN', 'en']
const STORAGE_KEY = 'tb.locale'

function initialLocale() {
  let saved = null
  try {
    saved = localStorage.getItem(STORAGE_KEY)
  } catch {
    saved = null
  }
  return LOCALES.includes(saved) ? saved : 'zh-CN'
}

export const i18n = createI18n({
  legacy: false,
  globalInjection: true,
  locale: initialLocale(),
  fallbackLocale: 'zh-CN',
  // the kernel's messages with each module's fragment (modules/index.js)
  messages: moduleMessages({ 'zh-CN': zhCNMessages, en: enMessages }),
  missingWarn: false,
  fallbackWarn: false,
})

const current = ref(i18n.global.locale.value)
document.documentElement.lang = current.value

export const elementLocale = computed(() => (current.value === 'en' ? epEn : epZhCn))
export const isEnglish = computed(() => current.value === 'en')

export function setLocale(loc) {
  if (!LOCALES.includes(loc)) return
  i18n.global.locale.value = loc
  current.value = loc
  document.documentElement.lang = loc
  try {
    localStorage.setItem(STORAGE_KEY, loc)
  } catch {
    /* private mode: not remembered */
  }
}

// Display name of a bilingual record: the English name in English mode when present.
export function localName(rec) {
  if (!rec) return ''
  return (current.value === 'en' && rec.name_en) ? rec.name_en : rec.name
}
