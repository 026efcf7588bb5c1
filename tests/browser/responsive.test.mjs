// Small screens and the keyboard: below 768 px the side menu is a drawer
// behind a button in the header, and no page scrolls sideways; the side
// navigation is reached with Tab, followed with Enter and shows its focus,
// after a "skip to content" link. Screenshots of the Chinese home page at
// 390 and 1280 px go to TB_SHOT_DIR (to look at the CJK font).
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import path from 'node:path'
import { launch, withPage, login, axeViolations, SHOT_DIR } from './helpers.mjs'

let browser
before(async () => { browser = await launch() })
after(async () => { if (browser) await browser.close() })

// Sideways overflow of the document and of the page area (which scrolls).
async function overflow(page) {
  return page.evaluate(() => {
    const d = document.documentElement
    const main = document.querySelector('#main')
    const out = []
    if (d.scrollWidth > d.clientWidth) out.push(`document ${d.scrollWidth} > ${d.clientWidth}`)
    if (main && main.scrollWidth > main.clientWidth) out.push(`#main ${main.scrollWidth} > ${main.clientWidth}`)
    return out
  })
}

async function settle(page, sel) {
  await page.locator(sel).first().waitFor()
  await page.waitForLoadState('networkidle').catch(() => {})
}

test('at 390 px the side menu is a drawer that opens and navigates; no page scrolls sideways', async () => {
  await withPage(browser, 'narrow', async (page) => {
    await page.setViewportSize({ width: 390, height: 844 })
    await login(page)
    await settle(page, '[data-test=chart-by-kind] canvas')
    assert.equal(await page.locator('.aside [data-test=side-nav]').count(), 0, 'no side column at 390 px')
    assert.deepEqual(await overflow(page), [], 'home page')
    assert.deepEqual(await axeViolations(page), [], 'axe at 390 px')
    const right = await page.locator('[data-test=user-menu-trigger]').evaluate((el) => el.getBoundingClientRect().right)
    assert.ok(right <= 390, `the user menu is inside the screen (right edge ${right})`)
    await page.screenshot({ path: path.join(SHOT_DIR, 'tb-home-zh-390.png') })

    const toggle = page.locator('[data-test=nav-toggle]')
    assert.equal(await toggle.getAttribute('aria-expanded'), 'false')
    await toggle.click()
    const drawer = page.locator('[data-test=nav-drawer]')
    await drawer.locator('[data-test=nav-organisations]').waitFor()
    assert.equal(await toggle.getAttribute('aria-expanded'), 'true')
    await page.waitForTimeout(500) // the slide-in, for the screenshot
    await page.screenshot({ path: path.join(SHOT_DIR, 'tb-drawer-zh-390.png') })
    assert.deepEqual(await axeViolations(page), [], 'axe with the drawer open')
    await drawer.locator('[data-test=nav-organisations]').click()
    await settle(page, '[data-test=org-table]')
    await drawer.locator('[data-test=nav-organisations]').waitFor({ state: 'hidden' })
    assert.deepEqual(await overflow(page), [], 'organisations')

    // the administration group inside the drawer, then a module's page
    await toggle.click()
    await drawer.locator('[data-test=nav-admin]').click()
    await drawer.locator('[data-test=nav-adminAudit]').click()
    await settle(page, '[data-test=audit-table]')
    assert.deepEqual(await overflow(page), [], 'audit log')
    await toggle.click()
    await drawer.locator('[data-test=nav-market]').click()
    await settle(page, '[data-test=market-results]')
    assert.deepEqual(await overflow(page), [], 'market search')
    for (const p of ['/gradient/stats', '/market/listings/1', '/admin/users']) {
      await page.goto(p)
      await page.waitForLoadState('networkidle')
      assert.deepEqual(await overflow(page), [], p)
    }
  })
})

test('at 1280 px the side menu stays beside the page', async () => {
  await withPage(browser, 'wide', async (page) => {
    await page.setViewportSize({ width: 1280, height: 800 })
    await login(page)
    await settle(page, '[data-test=chart-by-kind] canvas')
    await page.locator('.aside [data-test=side-nav]').waitFor()
    assert.equal(await page.locator('[data-test=nav-toggle]').count(), 0)
    await page.screenshot({ path: path.join(SHOT_DIR, 'tb-home-zh-1280.png') })
  })
})

// Tab until the element with data-test=`name` has the focus.
async function tabTo(page, name, max = 40) {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab')
    if (await page.evaluate((n) => document.activeElement && document.activeElement.dataset.test === n, name)) return
  }
  assert.fail(`${name} is not reached with Tab`)
}

test('the keyboard reaches the content and every side-menu entry, with a visible focus', async () => {
  await withPage(browser, 'keyboard', async (page) => {
    await login(page)
    await settle(page, '[data-test=chart-by-kind] canvas')
    await page.goto('/')
    await settle(page, '[data-test=dashboard]')
    await page.keyboard.press('Tab')
    assert.equal(await page.evaluate(() => document.activeElement.dataset.test), 'skip-link', 'the first Tab stop')
    await page.keyboard.press('Enter')
    assert.equal(await page.evaluate(() => document.activeElement.id), 'main', 'skip link moves the focus to the page')

    await page.goto('/')
    await settle(page, '[data-test=dashboard]')
    await tabTo(page, 'nav-organisations')
    const outline = await page.evaluate(() => {
      const s = getComputedStyle(document.activeElement)
      return `${s.outlineStyle} ${s.outlineWidth}`
    })
    assert.doesNotMatch(outline, /^none|\b0px$/, `focus is visible (outline: ${outline})`)
    await page.keyboard.press('Enter')
    await settle(page, '[data-test=org-table]')

    await tabTo(page, 'nav-admin')
    await page.keyboard.press('Enter')
    assert.equal(await page.locator('.aside [data-test=nav-admin]').getAttribute('aria-expanded'), 'true')
    await tabTo(page, 'nav-adminUsers', 3)
    await page.keyboard.press('Enter')
    await settle(page, '[data-test=user-table]')
  })
})
