// Accessibility: axe-core on every page of the UI in both languages (at
// desktop width), failing on any serious or critical violation; and the
// keyboard path through the side navigation.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { launch, openPage, login, axeViolations, ADMIN_PASSWORD } from './helpers.mjs'
import { PAGES } from './a11y-pages.mjs'

let browser
before(async () => { browser = await launch() })
after(async () => { if (browser) await browser.close() })

// Pages grouped by user, so each user signs in once per language.
function byUser() {
  const groups = new Map()
  for (const p of PAGES) {
    if (!groups.has(p.user)) groups.set(p.user, [])
    groups.get(p.user).push(p)
  }
  return groups
}

// Settled: the page's marker is there, no request is pending, no spinner.
async function settle(page, ready) {
  await page.locator(ready).first().waitFor()
  await page.waitForLoadState('networkidle').catch(() => {})
  await page.locator('.el-loading-mask').first().waitFor({ state: 'hidden' }).catch(() => {})
  await page.waitForTimeout(150)
}

for (const locale of ['zh-CN', 'en']) {
  test(`axe finds no serious or critical violation on any page (${locale})`, async () => {
    const problems = []
    for (const [user, pages] of byUser()) {
      const { context, page, errors } = await openPage(browser)
      try {
        await context.addInitScript((loc) => localStorage.setItem('tb.locale', loc), locale)
        if (user) await login(page, user, ADMIN_PASSWORD)
        for (const p of pages) {
          await page.goto(p.path)
          await settle(page, p.ready)
          for (const v of await axeViolations(page)) problems.push(`${p.path} [${user || 'signed out'}]: ${v}`)
        }
        assert.deepEqual(errors, [], 'browser console errors')
      } finally {
        await context.close()
      }
    }
    assert.deepEqual(problems, [], `axe violations (${locale}):\n${problems.join('\n')}`)
  })
}
