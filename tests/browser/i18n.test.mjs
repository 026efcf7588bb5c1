// The zh-CN and en messages (the kernel's files with every registered
// module's fragments merged in, as the app assembles them) have the same keys,
// and every literal t('...') key used in web/src exists. No browser needed.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync, readdirSync, statSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const src = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../web/src')

function keys(obj, prefix = '') {
  return Object.entries(obj).flatMap(([k, v]) =>
    (v && typeof v === 'object') ? keys(v, `${prefix}${k}.`) : [`${prefix}${k}`])
}

function files(dir) {
  return readdirSync(dir).flatMap((f) => {
    const p = path.join(dir, f)
    return statSync(p).isDirectory() ? files(p) : [p]
  })
}

// The module list is loaded outside the browser: its route tables read the
// session (sessionStorage) when a route is entered, and not before, but
// session.js looks at sessionStorage once on load.
globalThis.sessionStorage ??= { getItem: () => null, setItem() {}, removeItem() {} }

async function messages() {
  const kernel = {
    'zh-CN': (await import(pathToFileURL(path.join(src, 'locales/zh-CN.js')))).default,
    en: (await import(pathToFileURL(path.join(src, 'locales/en.js')))).default,
  }
  const { moduleMessages } = await import(pathToFileURL(path.join(src, 'modules/registry.js')))
  return moduleMessages(kernel)
}

test('message files have the same keys', async () => {
  const { 'zh-CN': zh, en } = await messages()
  const kz = keys(zh).sort()
  const ke = keys(en).sort()
  assert.deepEqual(kz.filter((k) => !ke.includes(k)), [], 'keys missing from en')
  assert.deepEqual(ke.filter((k) => !kz.includes(k)), [], 'keys missing from zh-CN')
})

test('every literal message key used in the sources exists', async () => {
  const zh = (await messages())['zh-CN']
  const known = new Set(keys(zh))
  const missing = []
  for (const f of files(src).filter((p) => /\.(vue|js)$/.test(p))) {
    const text = readFileSync(f, 'utf8')
    for (const m of text.matchAll(/\bt\('([a-zA-Z0-9_.]+)'/g)) {
      if (!known.has(m[1])) missing.push(`${path.relative(src, f)}: ${m[1]}`)
    }
  }
  assert.deepEqual(missing, [])
})
