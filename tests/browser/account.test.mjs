// Browser tests: the user menu, profile, API tokens and the admin pages.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { launch, withPage, login, field, apiToken, apiGet, ADMIN_USER } from './helpers.mjs'

let browser
let token

before(async () => {
  browser = await launch()
  token = await apiToken()
})

after(async () => {
  if (browser) await browser.close()
})

test('profile shows the user and the admin role', async () => {
  await withPage(browser, 'profile', async (page) => {
    await login(page)
    await page.locator('[data-test=user-menu-trigger]').click()
    await page.locator('[data-test=menu-profile]').click()
    await page.locator('[data-test=profile-username]', { hasText: ADMIN_USER }).waitFor()
    assert.match(await page.locator('[data-test=profile-roles]').innerText(), /系统管理员/)
  })
})

test('create an API token, see it once, then revoke it', async () => {
  const name = `browser-test-${Date.now()}`
  await withPage(browser, 'tokens', async (page) => {
    await login(page)
    await page.locator('[data-test=user-menu-trigger]').click()
    await page.locator('[data-test=menu-tokens]').click()
    await page.locator('[data-test=token-table]').waitFor()
    await page.locator('[data-test=token-create]').click()
    await field(page, 'token-name-input').fill(name)
    await page.locator('[data-test=token-create-submit]').click()
    const value = field(page, 'token-value')
    await value.waitFor()
    const secret = await value.inputValue()
    assert.ok(secret.length >= 16, `token looks too short: "${secret}"`)
    // the token works against the API
    const me = await fetch(new URL('/api/v1/tokens', page.url()), { headers: { Authorization: `Bearer ${secret}` } })
    assert.equal(me.status, 200)
    await page.locator('[data-test=token-dialog-close]').click()
    const row = page.locator('[data-test=token-table] .el-table__row', { hasText: name })
    await row.waitFor()
    await row.locator('[data-test=token-revoke]').click()
    await page.locator('.el-message-box__btns .el-button--primary').click()
    await row.waitFor({ state: 'detached' })
    const list = await apiGet(token, '/tokens')
    assert.ok(!list.items.some((t) => t.name === name), 'token still listed after revoke')
  })
})

test('admin pages list users, regions, industries and the audit log', async () => {
  await withPage(browser, 'admin', async (page) => {
    await login(page)
    await page.locator('[data-test=nav-admin]').click()
    await page.locator('[data-test=nav-adminUsers]').click()
    await page.locator('[data-test=user-table] [data-test=user-username]', { hasText: ADMIN_USER }).first().waitFor()

    await page.locator('[data-test=nav-adminRegions]').click()
    const regionRows = page.locator('[data-test=regions-table] .el-table__row')
    await regionRows.first().waitFor()
    const province = (await regionRows.first().locator('td').first().innerText()).trim()
    assert.match(province, /^\d{6}$/)
    await regionRows.first().click()
    await page.locator('[data-test=regions-crumbs] .el-breadcrumb__item').nth(1).waitFor()

    await page.locator('[data-test=nav-adminIndustries]').click()
    await page.locator('[data-test=industries-table] .el-table__row').first().waitFor()

    await page.locator('[data-test=nav-adminAudit]').click()
    await page.locator('[data-test=audit-table]').waitFor()
    await page.waitForLoadState('networkidle')
  })
})

test('create a user from the admin page', async () => {
  const username = `ui${Date.now().toString(36)}`
  await withPage(browser, 'create-user', async (page) => {
    await login(page)
    await page.goto('/admin/users')
    await page.locator('[data-test=user-create]').click()
    await field(page, 'user-form-username').fill(username)
    await field(page, 'user-form-password').fill('a-long-enough-password-2026')
    await field(page, 'user-form-display-name').fill('浏览器测试用户')
    await field(page, 'user-form-email').fill(`${username}@example.org`)
    await page.locator('[data-test=user-form-submit]').click()
    await page.locator('[data-test=user-dialog]').waitFor({ state: 'hidden' })
    const all = await apiGet(token, `/users?limit=500`)
    assert.ok(all.items.some((u) => u.username === username), 'created user not found through the API')
  })
})
