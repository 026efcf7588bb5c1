// Browser tests of the web UI against a running server (TB_URL).
// Run: node --test tests/browser/
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { launch, withPage, login, apiToken, apiGet, fragmentOf, field, ADMIN_USER } from './helpers.mjs'

let browser
let token
let sample // one organisation from the API

before(async () => {
  browser = await launch()
  token = await apiToken()
  const list = await apiGet(token, '/organisations?limit=1')
  assert.ok(Array.isArray(list.items) && list.items.length > 0, 'the server has no organisations (run `techbridge demo` first)')
  sample = list.items[0]
})

after(async () => {
  if (browser) await browser.close()
})

test('login lands on the dashboard in Chinese with counts and a chart', async () => {
  await withPage(browser, 'login', async (page) => {
    await login(page)
    await page.locator('[data-test=product-name]').first().waitFor()
    assert.match(await page.locator('.topbar [data-test=product-name]').innerText(), /技术桥/)
    assert.match(await page.locator('[data-test=side-nav]').innerText(), /企业与机构/)
    await page.locator('[data-test=chart-by-kind] canvas').waitFor()
    const total = await page.locator('[data-test=stat-org-total]').innerText()
    assert.match(total, /\d/)
    assert.equal(await page.evaluate(() => typeof sessionStorage.getItem('tb.token')), 'string')
  })
})

test('search organisations by a name fragment', async () => {
  await withPage(browser, 'search', async (page) => {
    await login(page)
    await page.locator('[data-test=nav-organisations]').click()
    await page.locator('[data-test=org-table]').waitFor()
    const frag = fragmentOf(sample.name)
    await field(page, 'org-filter-q').fill(frag)
    await page.locator('[data-test=org-search]').click()
    await page.waitForURL((u) => u.searchParams.get('q') === frag)
    const cell = page.locator('[data-test=org-table] [data-test=org-name]', { hasText: sample.name })
    await cell.first().waitFor()
    const names = await page.locator('[data-test=org-table] [data-test=org-name]').allInnerTexts()
    assert.ok(names.includes(sample.name), `"${sample.name}" not in ${JSON.stringify(names)}`)
  })
})

test('filter organisations by region and kind', async () => {
  await withPage(browser, 'filter', async (page) => {
    await login(page)
    await page.goto('/organisations')
    await page.locator('[data-test=org-total]').waitFor()
    await page.locator('[data-test=org-filter-region] .el-cascader').click()
    const province = page.locator('.el-cascader-panel .el-cascader-node').first()
    await province.waitFor()
    await province.locator('.el-radio').click()
    await page.keyboard.press('Escape')
    await page.locator('[data-test=org-filter-kind]').click()
    await page.locator('.el-select-dropdown__item', { hasText: '企业' }).first().click()
    await page.locator('[data-test=org-search]').click()
    await page.waitForURL((u) => /^\d{2,6}$/.test(u.searchParams.get('region') || '') && u.searchParams.get('kind') === 'enterprise')
    await page.locator('[data-test=org-table] .el-loading-mask').waitFor({ state: 'detached' }).catch(() => {})
    assert.equal(await page.locator('[data-test=org-error]').count(), 0)
    // every row shown is an enterprise
    const kinds = await page.locator('[data-test=org-table] .el-table__row td:nth-child(3)').allInnerTexts()
    for (const k of kinds) assert.equal(k.trim(), '企业')
  })
})

test('open an organisation and see its credit code', async () => {
  await withPage(browser, 'detail', async (page) => {
    await login(page)
    await page.goto(`/organisations?q=${encodeURIComponent(fragmentOf(sample.name))}`)
    const row = page.locator('[data-test=org-table] .el-table__row', { hasText: sample.credit_code })
    await row.first().waitFor()
    await row.first().locator('td').first().click()
    await page.waitForURL(new RegExp(`/organisations/${sample.id}$`))
    const code = page.locator('[data-test=org-detail-credit-code]')
    await code.waitFor()
    assert.equal((await code.innerText()).trim(), sample.credit_code)
    assert.equal((await page.locator('[data-test=org-detail-name]').innerText()).trim(), sample.name)
    // a reload of a deep link works (server falls back to index.html)
    await page.reload()
    await page.locator('[data-test=org-detail-credit-code]').waitFor()
  })
})

test('switching to English changes labels and date formats', async () => {
  await withPage(browser, 'english', async (page) => {
    await login(page)
    await page.goto(`/organisations/${sample.id}`)
    await page.locator('[data-test=org-detail-credit-code]').waitFor()
    assert.match(await page.locator('[data-test=org-descriptions]').innerText(), /统一社会信用代码/)
    await page.locator('[data-test=lang-en]').click()
    await page.locator('[data-test=org-descriptions]', { hasText: 'Unified social credit code' }).waitFor()
    assert.match(await page.locator('[data-test=side-nav]').innerText(), /Organisations/)
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'en')
    if (sample.registered_on) {
      const d = (await page.locator('[data-test=org-detail-registered-on]').innerText()).trim()
      assert.match(d, /^[A-Z][a-z]{2} \d{1,2}, \d{4}$/, `English date expected, got "${d}"`)
    }
    const created = (await page.locator('[data-test=org-detail-created-at]').innerText()).trim()
    assert.match(created, /^[A-Z][a-z]{2} \d{1,2}, \d{4}, \d{1,2}:\d{2}\s?[AP]M$/, `English instant expected, got "${created}"`)
    // the list too, and the choice survives a reload
    await page.goto('/organisations')
    await page.locator('[data-test=org-table]', { hasText: 'Registered on' }).waitFor()
    await page.reload()
    await page.locator('[data-test=side-nav]', { hasText: 'Dashboard' }).waitFor()
    assert.equal(await page.evaluate(() => localStorage.getItem('tb.locale')), 'en')
    // and back to Chinese
    await page.locator('[data-test=lang-zh-CN]').click()
    await page.locator('[data-test=side-nav]', { hasText: '首页' }).waitFor()
  })
})

test('modules not yet built show a coming-soon card', async () => {
  await withPage(browser, 'coming-soon', async (page) => {
    await login(page)
    await page.locator('[data-test=nav-pilot]').click()
    await page.locator('[data-test=coming-soon]', { hasText: '该模块即将上线' }).waitFor()
    await page.locator('[data-test=lang-en]').click()
    await page.locator('[data-test=coming-soon]', { hasText: 'This module is coming soon' }).waitFor()
  })
})

test('log out returns to the login page and forgets the token', async () => {
  await withPage(browser, 'logout', async (page) => {
    await login(page)
    await page.locator('[data-test=user-menu-trigger]').click()
    await page.locator('[data-test=menu-logout]').click()
    await page.locator('[data-test=login-submit]').waitFor()
    assert.equal(await page.evaluate(() => sessionStorage.getItem('tb.token')), null)
    // protected pages now redirect to login
    await page.goto('/organisations')
    await page.locator('[data-test=login-submit]').waitFor()
    assert.match(page.url(), /\/login/)
  })
})

test('a wrong password shows an error', async () => {
  await withPage(browser, 'wrong-password', async (page) => {
    await page.goto('/login')
    await field(page, 'login-username').fill(ADMIN_USER)
    await field(page, 'login-password').fill('definitely-not-the-password')
    await page.locator('[data-test=login-submit]').click()
    const err = page.locator('[data-test=login-error]')
    await err.waitFor()
    assert.match(await err.innerText(), /用户名或密码错误/)
    assert.match(page.url(), /\/login/)
  }, { allow: [/Failed to load resource: the server responded with a status of 401/] })
})
