// Shared setup for the browser tests: headless Debian Chromium driven by
// playwright-core (resolved from web/node_modules; no browser is downloaded).
import { createRequire } from 'node:module'
import { existsSync, mkdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const here = path.dirname(fileURLToPath(import.meta.url))
const webPkg = path.resolve(here, '../../web/package.json')
const require = createRequire(webPkg)
const { chromium } = require('playwright-core')

export const BASE = (process.env.TB_URL || 'http://127.0.0.1:18080').replace(/\/$/, '')
export const ADMIN_USER = process.env.TB_ADMIN_USER || 'admin'
export const ADMIN_PASSWORD = process.env.TB_ADMIN_PASSWORD || 'admin-demo-password'
export const CHROMIUM = process.env.TB_CHROMIUM || '/usr/bin/chromium'
export const SHOT_DIR = process.env.TB_SHOT_DIR || '/tmp'

export async function launch() {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} not found: install Debian's chromium (tools/bootstrap) or set TB_CHROMIUM`)
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run', '--disable-quic'],
  })
}

// A fresh context and page that records console errors and uncaught exceptions.
// `allow` lists regexps for console errors that the test expects (e.g. the
// browser's own "Failed to load resource: ... 401" line for a wrong password).
export async function openPage(browser, { allow = [] } = {}) {
  const context = await browser.newContext({ baseURL: BASE, viewport: { width: 1366, height: 900 } })
  const page = await context.newPage()
  page.setDefaultTimeout(15000)
  const errors = []
  page.on('console', (msg) => {
    if (msg.type() !== 'error') return
    const text = msg.text()
    if (allow.some((re) => re.test(text))) return
    errors.push(`console.error: ${text}`)
  })
  page.on('pageerror', (err) => errors.push(`pageerror: ${err && err.stack ? err.stack : err}`))
  page.allowConsole = (re) => allow.push(re)
  return { context, page, errors }
}

// Runs `body(page)`; screenshots into SHOT_DIR on failure; fails on any console error.
export async function withPage(browser, name, body, opts = {}) {
  const { context, page, errors } = await openPage(browser, opts)
  try {
    await body(page)
    // Let pending requests and renders settle before judging the console.
    await page.waitForLoadState('networkidle').catch(() => {})
    if (errors.length) throw new Error(`browser console errors:\n${errors.join('\n')}`)
  } catch (e) {
    try {
      mkdirSync(SHOT_DIR, { recursive: true })
      const file = path.join(SHOT_DIR, `tb-browser-${name.replace(/[^a-z0-9_-]+/gi, '-')}.png`)
      await page.screenshot({ path: file, fullPage: true })
      e.message += `\n(screenshot: ${file})`
    } catch {
      /* page may be gone */
    }
    if (errors.length && !String(e.message).includes('browser console errors')) {
      e.message += `\nbrowser console errors:\n${errors.join('\n')}`
    }
    throw e
  } finally {
    await context.close()
  }
}

// The native input of an Element Plus field: el-input puts attributes such as
// data-test on the <input> itself.
export function field(page, name) {
  return page.locator(`input[data-test="${name}"], [data-test="${name}"] input`).first()
}

export async function login(page, user = ADMIN_USER, password = ADMIN_PASSWORD) {
  await page.goto('/login')
  await field(page, 'login-username').fill(user)
  await field(page, 'login-password').fill(password)
  await page.locator('[data-test=login-submit]').click()
  await page.locator('[data-test=dashboard]').waitFor()
}

// Direct API access from the test process, to pick data to look for.
export async function apiToken() {
  const res = await fetch(`${BASE}/api/v1/sessions`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username: ADMIN_USER, password: ADMIN_PASSWORD }),
  })
  if (res.status !== 201) throw new Error(`POST /api/v1/sessions: ${res.status} ${await res.text()}`)
  return (await res.json()).token
}

export async function apiCall(token, method, p, body) {
  const headers = { Authorization: `Bearer ${token}` }
  if (body !== undefined) headers['Content-Type'] = 'application/json'
  const res = await fetch(`${BASE}/api/v1${p}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) })
  const text = await res.text()
  if (!res.ok) throw new Error(`${method} ${p}: ${res.status} ${text}`)
  return text ? JSON.parse(text) : null
}

export function apiGet(token, p) {
  return apiCall(token, 'GET', p)
}

// A distinctive piece of a name: the middle of it, so that a substring or
// bigram search finds it without matching the whole field exactly.
export function fragmentOf(name) {
  const chars = Array.from(name.trim())
  if (chars.length <= 4) return chars.join('')
  const len = Math.min(chars.length - 2, 8)
  return chars.slice(1, 1 + len).join('').trim()
}

// axe-core's accessibility rules run inside the page (the package's own
// browser bundle, from web/node_modules). Returns the serious and critical
// violations as lines "rule (impact): target ... — help", empty when clean.
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8')
export const AXE_IMPACTS = ['serious', 'critical']

export async function axeViolations(page) {
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) {
    // evaluated through the debugging protocol: the page's CSP rightly refuses inline scripts
    await page.evaluate(AXE_SOURCE)
  }
  const found = await page.evaluate(async () => {
    const r = await window.axe.run(document, { resultTypes: ['violations'] })
    return r.violations.map((v) => ({
      id: v.id, impact: v.impact, help: v.help,
      targets: v.nodes.slice(0, 12).map((n) => `${n.target.join(' ')} ${n.html.slice(0, 100)}`),
    }))
  })
  return found.filter((v) => AXE_IMPACTS.includes(v.impact))
    .map((v) => `${v.id} (${v.impact}): ${v.targets.join(' | ')} — ${v.help}`)
}
