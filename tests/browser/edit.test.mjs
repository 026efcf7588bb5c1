// Browser tests: editing an organisation, field errors and stale versions.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { launch, withPage, login, field, apiToken, apiGet, apiCall } from './helpers.mjs'

let browser
let token
let org

before(async () => {
  browser = await launch()
  token = await apiToken()
  const list = await apiGet(token, '/organisations?limit=3')
  assert.ok(list.items.length > 0, 'no organisations')
  org = list.items[list.items.length - 1]
})

after(async () => {
  if (browser) await browser.close()
})

test('edit an organisation; a stale version asks for a reload', async () => {
  const original = await apiGet(token, `/organisations/${org.id}`)
  const stamp = Date.now().toString(36)
  try {
    await withPage(browser, 'edit', async (page) => {
      await login(page)
      await page.goto(`/organisations/${org.id}`)
      await page.locator('[data-test=org-detail-credit-code]').waitFor()
      await page.locator('[data-test=org-edit]').click()
      // someone else changes the record meanwhile
      const fresh = await apiGet(token, `/organisations/${org.id}`)
      await apiCall(token, 'PATCH', `/organisations/${org.id}`, { version: fresh.version, address: `elsewhere ${stamp}` })
      await field(page, 'org-edit-address').fill(`UI address ${stamp}`)
      await page.locator('[data-test=org-edit-save]').click()
      await page.locator('[data-test=org-edit-error]', { hasText: '重新加载' }).waitFor()
      await page.locator('[data-test=org-reload]').click()
      await page.waitForFunction(() => !document.querySelector('[data-test=org-reload]'))
      assert.equal(await field(page, 'org-edit-address').inputValue(), `elsewhere ${stamp}`)
      await field(page, 'org-edit-address').fill(`UI address ${stamp}`)
      await page.locator('[data-test=org-edit-save]').click()
      await page.locator('[data-test=org-descriptions]', { hasText: `UI address ${stamp}` }).waitFor()
      const after = await apiGet(token, `/organisations/${org.id}`)
      assert.equal(after.address, `UI address ${stamp}`)
    }, { allow: [/Failed to load resource: the server responded with a status of 409/] })
  } finally {
    // best effort: put the address back for the next run
    try {
      const cur = await apiGet(token, `/organisations/${org.id}`)
      await apiCall(token, 'PATCH', `/organisations/${org.id}`, { version: cur.version, address: original.address ?? null })
    } catch {
      /* leave it */
    }
  }
})

test('an invalid field shows the server message next to the field', async () => {
  await withPage(browser, 'edit-invalid', async (page) => {
    await login(page)
    await page.goto(`/organisations/${org.id}`)
    await page.locator('[data-test=org-detail-credit-code]').waitFor()
    await page.locator('[data-test=org-edit]').click()
    await field(page, 'org-edit-name').fill('')
    await page.locator('[data-test=org-edit-save]').click()
    await page.locator('[data-test=org-edit-error]').waitFor()
    const msg = page.locator('[data-test=org-edit-dialog] .el-form-item__error').first()
    await msg.waitFor()
    assert.ok((await msg.innerText()).trim().length > 0)
    const still = await apiGet(token, `/organisations/${org.id}`)
    assert.equal(still.name, org.name)
  }, { allow: [/Failed to load resource: the server responded with a status of (400|422)/] })
})
