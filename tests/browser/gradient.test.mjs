// Browser tests of the gradient cultivation pages: one application from draft
// to granted title through every role, with one return for correction, a public
// objection and its dismissal. The server runs with TECHBRIDGE_NOTICE_DAYS=0
// (tests/run), so the notice ends at once and the batch can be published.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { launch, withPage, login, field, apiToken, apiGet, apiCall, ADMIN_PASSWORD } from './helpers.mjs'
import { uniqueCreditCode } from '../api/lib.mjs'

const ORG = 1 // the demo enterprise in Jiangsu (320000): no city step
const TIER = 'specialized_sme' // city -> province; the province is the last level
let browser
let admin

before(async () => {
  browser = await launch()
  admin = await apiToken()
})

after(async () => {
  if (browser) await browser.close()
})

async function signIn(page, user) {
  await login(page, user, ADMIN_PASSWORD)
}

// Fill an Element Plus number input and leave it (the value commits on blur).
async function setNumber(page, name, value) {
  const input = field(page, name)
  await input.fill(String(value))
  await input.blur()
}

async function reason(page, text) {
  const dlg = page.locator('.el-dialog', { has: page.locator('[data-test=reason-text]') }).last()
  await dlg.locator('textarea').fill(text)
  await dlg.locator('[data-test=reason-confirm]').click()
  await dlg.waitFor({ state: 'hidden' })
}

async function openApplication(token) {
  const list = await apiGet(token, `/applications?org_id=${ORG}&limit=100`)
  return list.items.find((a) => a.tier === TIER && !['granted', 'rejected', 'withdrawn'].includes(a.state))
}

test('an application from draft to granted title through every role', async () => {
  let appId
  // 1. the enterprise enters facts, evaluates itself, drafts, attaches evidence and submits
  await withPage(browser, 'gradient-enterprise', async (page) => {
    await signIn(page, 'enterprise')
    await page.locator('[data-test=nav-gradient]').click()
    await page.locator('[data-test=gradient-tab-facts]').click()
    await page.locator('[data-test=facts-years]').waitFor()
    const y = new Date().getUTCFullYear() - 1
    await setNumber(page, `facts-${y}-revenue_fen`, 8600)
    await setNumber(page, `facts-${y}-main_revenue_fen`, 8100)
    await setNumber(page, `facts-${y}-rd_expense_fen`, 520)
    await setNumber(page, `facts-${y}-total_assets_fen`, 9800)
    await setNumber(page, `facts-${y}-total_liabilities_fen`, 4100)
    await setNumber(page, `facts-${y}-employees`, 310)
    await setNumber(page, `facts-${y - 1}-revenue_fen`, 7000)
    await setNumber(page, `facts-${y - 1}-rd_expense_fen`, 196)
    await page.locator('[data-test=facts-save]').click()
    await page.locator('[data-test=facts-updated]', { hasNotText: '从未' }).waitFor()
    const facts = await apiGet(admin, `/organisations/${ORG}/facts`)
    assert.equal(facts.years[String(y)].revenue_fen, 8600 * 1000000, '万元 are sent as fen')
    assert.equal(facts.years[String(y)].employees, 310)

    await page.locator('[data-test=gradient-tab-evaluate]').click()
    await page.locator('[data-test=eval-run]').click()
    await page.locator(`[data-test=eval-result-${TIER}] [data-test=eval-outcome]`).waitFor()
    // the year before last has R&D of 2.8%: a gap to 3.0%
    await page.locator(`[data-test=eval-result-${TIER}] [data-test=eval-gap]`, { hasText: '2.8% → 3.0%' }).waitFor()
    await page.locator('[data-test=eval-result-innovative_sme] [data-test=eval-score-chart] canvas').waitFor()

    await page.locator('[data-test=gradient-tab-applications]').click()
    await page.locator('[data-test=app-new-tier]').click()
    await page.locator(`[data-test=app-new-tier-${TIER}]`).click()
    await page.locator('[data-test=app-new-create]').click()
    await page.locator('[data-test=app-edit]').waitFor()
    appId = Number(page.url().split('/').pop())
    assert.ok(appId > 0)
    await page.locator('[data-test=app-statement] textarea, textarea[data-test=app-statement]').first().fill('精密部件，细分市场国内第二')
    await field(page, 'app-contact').fill('张三 13800000000')
    await page.locator('[data-test=app-save]').click()
    await page.locator('[data-test=app-descriptions]', { hasText: '细分市场国内第二' }).waitFor()
    await page.locator('[data-test=app-upload-input]').setInputFiles({
      name: 'audit-2025.txt', mimeType: 'text/plain', buffer: Buffer.from('annual audit report 2025'),
    })
    await page.locator('[data-test=app-attachments]', { hasText: 'audit-2025.txt' }).waitFor()
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.locator('[data-test^=app-attachment-]', { hasText: 'audit-2025.txt' }).click(),
    ])
    assert.equal(download.suggestedFilename(), 'audit-2025.txt')
    await page.locator('[data-test=app-submit]').click()
    await page.locator('[data-test=app-state-under_review]').waitFor()
    await page.locator('[data-test=app-step]', { hasText: '省级' }).waitFor()
  })

  // 2. the province reviewer returns it for correction
  await withPage(browser, 'gradient-return', async (page) => {
    await signIn(page, 'reviewer')
    await page.goto('/gradient/reviews')
    await page.locator(`[data-test=review-return-${appId}]`).click()
    await reason(page, '请补充审计报告的盖章页')
    await page.locator(`[data-test=review-return-${appId}]`).waitFor({ state: 'detached' })
  })

  // 3. the enterprise reads the reason, corrects and submits again
  await withPage(browser, 'gradient-resubmit', async (page) => {
    await signIn(page, 'enterprise')
    await page.goto('/gradient/applications')
    await page.locator('[data-test=app-notifications]', { hasText: '请补充审计报告的盖章页' }).waitFor()
    await page.locator(`[data-test=app-link-${appId}]`).click()
    await page.locator('[data-test=app-state-returned]').waitFor()
    await page.locator('[data-test=app-trail]', { hasText: '请补充审计报告的盖章页' }).waitFor()
    await page.locator('[data-test=app-upload-input]').setInputFiles({
      name: 'audit-stamped.txt', mimeType: 'text/plain', buffer: Buffer.from('stamped page'),
    })
    await page.locator('[data-test=app-attachments]', { hasText: 'audit-stamped.txt' }).waitFor()
    await page.locator('[data-test=app-submit]').click()
    await page.locator('[data-test=app-state-under_review]').waitFor()
  })

  // 4. the province reviewer approves on the application page: the last level, so notice
  await withPage(browser, 'gradient-approve', async (page) => {
    await signIn(page, 'reviewer')
    await page.goto(`/gradient/applications/${appId}`)
    await page.locator('[data-test=app-approve]').click()
    await reason(page, '材料齐全，省级审核通过')
    await page.locator('[data-test=app-state-notice]').waitFor()
  })

  // 5. anyone objects on the public notice page, without signing in
  await withPage(browser, 'gradient-objection', async (page) => {
    await page.goto('/public/gradient/notices')
    await page.locator(`[data-test=notice-object-${appId}]`).click()
    await field(page, 'objection-contact').fill('李四 13900000000')
    await page.locator('[data-test=objection-text] textarea, textarea[data-test=objection-text]').first().fill('该企业研发费用数据存疑，请核实。')
    await page.locator('[data-test=objection-send]').click()
    await page.locator(`[data-test=notice-object-${appId}]`).waitFor({ state: 'detached' })
  })

  // 6. the province operator dismisses the objection and publishes the batch
  await withPage(browser, 'gradient-batch', async (page) => {
    await signIn(page, 'operator')
    await page.goto('/gradient/reviews')
    await page.locator('[data-test=review-tabs] .el-tabs__item', { hasText: '异议' }).click()
    const dismiss = page.locator('[data-test^=objection-dismiss-]').first()
    await dismiss.click()
    await reason(page, '经核实，研发费用数据属实')
    await dismiss.waitFor({ state: 'detached' })
    await page.locator('[data-test=review-tabs] .el-tabs__item', { hasText: '公示中' }).click()
    await page.locator('[data-test=review-table]', { hasText: '江苏' }).waitFor()
    await page.locator('[data-test=batch-tier]').click()
    await page.locator(`[data-test=batch-tier-${TIER}]`).click()
    await page.locator('[data-test=batch-publish]').click()
    await page.locator('.el-message--success', { hasText: '批次' }).waitFor()
  })
  const app = await apiGet(admin, `/applications/${appId}`)
  assert.equal(app.state, 'granted')
  const events = await apiGet(admin, `/applications/${appId}/events`)
  assert.deepEqual(events.items.map((e) => e.event), ['submit', 'return', 'submit', 'approve', 'object', 'dismiss', 'grant'])

  // 7. the title is on the public titles page, in English too
  await withPage(browser, 'gradient-title', async (page) => {
    await page.goto('/login')
    await page.locator('[data-test=login-public-gradient]').click()
    await page.locator('[data-test=public-tab-titles]').click()
    // the demo has a title whose 31 May data update was missed
    await page.locator('[data-test^=title-data-missed-]').first().waitFor()
    const row = page.locator('[data-test=titles-table] .el-table__row', { has: page.locator(`[data-test=title-org-${ORG}]`) })
    await row.filter({ hasText: '专精特新中小企业' }).first().waitFor()
    await page.locator('[data-test=lang-en]').click()
    await row.filter({ hasText: 'Specialized and sophisticated SME' }).first().waitFor()
    await page.locator('[data-test=public-tab-stats]').click()
    await page.locator('[data-test=stats-byTier] canvas').waitFor()
  })
  assert.equal(await openApplication(admin), undefined)
})

// The form's years come from the date, not from the source: in a browser whose
// clock says March 2031 it offers 2030, 2029 and 2028, plus the older year the
// enterprise already has facts for, and saves both kinds. A session signed in
// today would have expired by 2031, so the page gets an API token without expiry.
test('the facts form offers the last three fiscal years and every year on file', async () => {
  const org = await apiCall(admin, 'POST', '/organisations', {
    kind: 'enterprise', name: `财年测试企业 ${Date.now()}`, credit_code: uniqueCreditCode({ region: '320505' }), region_code: '320000',
  })
  await apiCall(admin, 'PUT', `/organisations/${org.id}/facts`, { version: 0, years: { 2024: { revenue_fen: 1234 * 1000000 } } })
  const token = (await apiCall(admin, 'POST', '/tokens', { name: 'facts-years' })).token
  const me = await apiGet(token, '/me')
  await withPage(browser, 'gradient-facts-years', async (page) => {
    await page.clock.install({ time: new Date('2031-03-15T04:00:00Z') }) // time flows on from there
    await page.addInitScript(([t, u]) => {
      sessionStorage.setItem('tb.token', t)
      sessionStorage.setItem('tb.user', u)
      sessionStorage.setItem('tb.expires', '')
    }, [token, JSON.stringify(me)])
    await page.goto(`/gradient/facts?org=${org.id}`)
    await page.locator('[data-test=facts-year-2024]').waitFor()
    const heads = await page.locator('[data-test^=facts-year-]').allTextContents()
    assert.deepEqual(heads.map((h) => h.trim()), ['2030', '2029', '2028', '2024'], 'the completed years of 2031, then the year on file')
    assert.equal(Number(await field(page, 'facts-2024-revenue_fen').inputValue()), 1234, 'the stored year is filled in')
    await setNumber(page, 'facts-2030-revenue_fen', 900)
    await setNumber(page, 'facts-2024-revenue_fen', 1300)
    await page.locator('[data-test=facts-save]').click()
    await page.locator('.el-message--success').waitFor()
  })
  const facts = await apiGet(admin, `/organisations/${org.id}/facts`)
  assert.deepEqual(Object.keys(facts.years).sort(), ['2024', '2030'])
  assert.equal(facts.years['2030'].revenue_fen, 900 * 1000000)
  assert.equal(facts.years['2024'].revenue_fen, 1300 * 1000000)
})

test('the reviewer queue flags overdue steps and the statistics page draws', async () => {
  await withPage(browser, 'gradient-stats', async (page) => {
    await signIn(page, 'ministry')
    await page.goto('/gradient/stats')
    await page.locator('[data-test=stats-finance] canvas').waitFor()
    await page.goto('/gradient/reviews')
    await page.locator('[data-test=review-table]').waitFor()
  })
})
