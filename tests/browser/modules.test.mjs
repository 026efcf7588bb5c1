// The web UI's modules are units (web/src/modules/<module>/): the kernel
// (the rest of web/src) reaches them only through the module list, a module
// does not reach into another module's folder, every module folder is in the
// list, and each menu entry has its label in both languages. No browser needed.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync, readdirSync, statSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const src = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../web/src')
const modulesDir = path.join(src, 'modules')
// the list and its machinery, which the kernel may import
const LIST_FILES = ['index.js', 'registry.js', 'messages.js', 'placeholder.js']

function files(dir) {
  return readdirSync(dir).flatMap((f) => {
    const p = path.join(dir, f)
    return statSync(p).isDirectory() ? files(p) : [p]
  }).filter((p) => /\.(vue|js)$/.test(p))
}

// Every relative import of a file, resolved to a path inside web/src.
function imports(file) {
  const text = readFileSync(file, 'utf8')
  const out = []
  for (const m of text.matchAll(/(?:from\s+|import\s*\(\s*|import\s+)'(\.{1,2}\/[^']+)'/g)) {
    out.push(path.resolve(path.dirname(file), m[1]))
  }
  return out
}

// The module a path belongs to ('' for the kernel, '(list)' for the list).
function owner(p) {
  const rel = path.relative(modulesDir, p)
  if (rel.startsWith('..')) return ''
  const parts = rel.split(path.sep)
  return parts.length === 1 ? '(list)' : parts[0]
}

const moduleFolders = readdirSync(modulesDir).filter((f) => statSync(path.join(modulesDir, f)).isDirectory())

test('the kernel imports modules only through the module list', () => {
  const bad = []
  for (const f of files(src).filter((p) => owner(p) === '')) {
    for (const i of imports(f)) {
      const o = owner(i)
      if (o !== '' && !(o === '(list)' && LIST_FILES.includes(path.basename(i)))) bad.push(`${path.relative(src, f)} -> ${path.relative(src, i)}`)
    }
  }
  assert.deepEqual(bad, [])
})

test('a module imports the kernel and its own files, not another module', () => {
  const bad = []
  for (const f of files(modulesDir)) {
    const mine = owner(f)
    if (mine === '(list)') continue
    for (const i of imports(f)) {
      const o = owner(i)
      if (o !== '' && o !== mine) bad.push(`${path.relative(src, f)} -> ${path.relative(src, i)}`)
    }
  }
  assert.deepEqual(bad, [])
})

test('every file named after a module is in its folder', () => {
  const bad = files(src).filter((p) => moduleFolders.some((m) => path.relative(src, p).toLowerCase().includes(m)) &&
    !moduleFolders.includes(owner(p)))
  assert.deepEqual(bad.map((p) => path.relative(src, p)), [])
})

test('every module folder is in the list, and every menu entry has a label in both languages', async () => {
  // session.js reads sessionStorage once on load; nothing else runs here
  globalThis.sessionStorage ??= { getItem: () => null, setItem() {}, removeItem() {} }
  const { MODULES } = await import(pathToFileURL(path.join(modulesDir, 'index.js')))
  const { moduleMenu, moduleMessages } = await import(pathToFileURL(path.join(modulesDir, 'registry.js')))
  const names = MODULES.map((m) => m.name)
  assert.deepEqual(moduleFolders.filter((f) => !names.includes(f)), [], 'module folders missing from modules/index.js')
  assert.equal(new Set(names).size, names.length, 'a module listed twice')
  const msgs = moduleMessages({ 'zh-CN': {}, en: {} })
  for (const { key } of moduleMenu()) {
    for (const loc of ['zh-CN', 'en']) assert.ok(msgs[loc].nav && msgs[loc].nav[key], `nav.${key} in ${loc}`)
  }
})

test('two modules defining one message is refused', async () => {
  const { assembleMessages } = await import(pathToFileURL(path.join(modulesDir, 'messages.js')))
  const a = { name: 'a', messages: { en: { nav: { a: 'A' }, a: { x: 'x' } } } }
  const b = { name: 'b', messages: { en: { nav: { b: 'B' }, a: { x: 'y' } } } }
  const kernel = { en: { nav: { dashboard: 'Dashboard' } } }
  assert.deepEqual(assembleMessages(kernel, [a]).en, { nav: { dashboard: 'Dashboard', a: 'A' }, a: { x: 'x' } })
  assert.throws(() => assembleMessages(kernel, [a, b]), /message a\.x is defined twice/)
})

test('the home-page hooks: every to-do provider is asked, a failing one hides nothing else; panels filter', async () => {
  globalThis.sessionStorage ??= { getItem: () => null, setItem() {}, removeItem() {} }
  const { moduleTodos, modulePanels } = await import(pathToFileURL(path.join(modulesDir, 'registry.js')))
  const list = [
    { name: 'a', todo: async (ctx) => [{ key: 'a1', label: 'x', to: '/a', who: ctx.who }] },
    { name: 'b', todo: async () => { throw new Error('down') } },
    { name: 'c', todo: () => [{ key: 'c1', label: 'y', to: '/c' }], panels: [{ key: 'p1' }, { key: 'p2', visible: () => false }] },
    { name: 'd' },
  ]
  const items = await moduleTodos({ who: 'me' }, list)
  assert.deepEqual(items.map((i) => i.key), ['a1', 'c1'])
  assert.equal(items[0].who, 'me')
  assert.deepEqual(modulePanels(list).map((p) => p.key), ['p1'])
})
