// Browser tests of the technology market: publish a demand through review,
// see its explained matches, express interest in a listing, and decline it
// from the listing owner's side with a typed reason.
// Demo users (techbridge demo): enterprise (org_admin of organisation 1, in
// Jiangsu), operator (Jiangsu province), university (org_admin of the first
// demo university, which owns listing 201 among others), broker.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { launch, withPage, login, field, apiCall, ADMIN_PASSWORD, BASE } from './helpers.mjs'

let browser
const stamp = Date.now().toString(36)
// A demand worded like the demo's herbal-extraction listings, so it matches them.
const DEMAND_TITLE = `寻求中药提取纯化工艺升级方案 ${stamp}`
const state = {} // demand id, the listing chosen, the interest id: filled in by the tests in order

async function tokenOf(user) {
  const res = await fetch(`${BASE}/api/v1/sessions`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username: user, password: ADMIN_PASSWORD }),
  })
  assert.equal(res.status, 201, `sign in as ${user}`)
  return (await res.json()).token
}

// Pick an option of an Element Plus select by its visible text.
async function choose(page, testId, text) {
  await page.locator(`[data-test=${testId}]`).click()
  await page.locator('.el-select-dropdown:visible .el-select-dropdown__item', { hasText: text }).first().click()
}

before(async () => {
  browser = await launch()
})

after(async () => {
  if (browser) await browser.close()
})

test('publish: the enterprise creates and submits a demand; the operator approves it', async () => {
  await withPage(browser, 'market-publish', async (page) => {
    await login(page, 'enterprise')
    await page.locator('[data-test=nav-market]').click()
    await page.locator('[data-test=market-search]').waitFor()
    await page.locator('[data-test=market-new-demand]').click()
    await page.locator('[data-test=market-demand-form]').waitFor()
    await field(page, 'mf-title').fill(DEMAND_TITLE)
    await page.locator('textarea[data-test=mf-description]').fill('我公司中药提取纯化环节收率偏低，希望引进高效提取纯化技术，降低能耗。')
    await choose(page, 'mf-field', '生物、医药和医疗器械')
    await choose(page, 'mf-modes', '许可')
    await page.keyboard.press('Escape')
    await choose(page, 'mf-type', '技术需求')
    await field(page, 'mf-budget-max').fill('300')
    await page.locator('[data-test=mf-save]').click()
    await page.locator('[data-test=market-demand-detail]').waitFor()
    await page.locator('[data-test=market-item-status][data-status=draft]').waitFor()
    state.demand = Number(page.url().match(/\/market\/demands\/(\d+)/)[1])
    assert.match(await page.locator('[data-test=market-item-budget]').innerText(), /300 万元/)
    await page.locator('[data-test=market-step-submit]').click()
    await page.locator('[data-test=market-step-confirm]').click()
    await page.locator('[data-test=market-item-status][data-status=under_review]').waitFor()
    // the owner cannot approve its own demand: no such button
    assert.equal(await page.locator('[data-test=market-step-approve]').count(), 0)
  })
  await withPage(browser, 'market-approve', async (page) => {
    await login(page, 'operator')
    await page.goto('/market/workbench')
    const row = page.locator('[data-test=workbench-review-item]', { hasText: DEMAND_TITLE })
    await row.waitFor()
    await row.locator('a').click()
    await page.locator('[data-test=market-item-status][data-status=under_review]').waitFor()
    await page.locator('[data-test=market-step-approve]').click()
    await page.locator('textarea[data-test=market-step-note]').fill('内容完整，同意发布')
    await page.locator('[data-test=market-step-confirm]').click()
    await page.locator('[data-test=market-item-status][data-status=published]').waitFor()
  })
})

test('match: the demand page lists listings with highlighted terms and weighted signals', async () => {
  assert.ok(state.demand, 'the publish test ran first')
  await withPage(browser, 'market-match', async (page) => {
    await login(page, 'enterprise')
    await page.goto(`/market/demands/${state.demand}`)
    const hits = page.locator('[data-test=market-matches] [data-test=match-hit]')
    await hits.first().waitFor()
    assert.ok(await hits.count() >= 3, 'several matches')
    const first = hits.first()
    // matched terms are marked in the title and the snippet
    const marks = await first.locator('[data-test=match-hit-title] mark').allInnerTexts()
    assert.ok(marks.length > 0, 'terms highlighted in the title')
    assert.ok(marks.some((m) => /提取|纯化|中药/.test(m)), `highlighted: ${JSON.stringify(marks)}`)
    assert.ok(await first.locator('[data-test=match-hit-snippet] mark').count() > 0, 'terms highlighted in the snippet')
    assert.ok(await first.locator('[data-test=hit-term]').count() > 0, 'the matched terms are listed')
    // the structured signals with their weights: same field at least
    const field = first.locator('[data-test=hit-signal-field]')
    await field.waitFor()
    assert.match(await field.innerText(), /领域相同\s*0\.1\s*\/\s*0\.1/)
    // in English too
    await page.locator('[data-test=lang-en]').click()
    await page.locator('[data-test=hit-signal-field]', { hasText: 'Same field' }).first().waitFor()
    await page.locator('[data-test=lang-zh-CN]').click()
  })
  // the API's explanation names the same listing first
  const token = await tokenOf('enterprise')
  const m = await apiCall(token, 'GET', `/demands/${state.demand}/matches?k=10`)
  assert.ok(m.items.length > 0)
})

test('express interest: the enterprise writes to a university listing from its demand', async () => {
  assert.ok(state.demand, 'the publish test ran first')
  const uni = await tokenOf('university')
  const me = await apiCall(uni, 'GET', '/me')
  const org = me.roles.find((r) => r.role === 'org_admin').org_id
  const mine = await apiCall(uni, 'GET', `/listings?owner=${org}&status=published&limit=5`)
  assert.ok(mine.items.length > 0, 'the demo university has a published listing')
  state.listing = mine.items[0]
  await withPage(browser, 'market-interest', async (page) => {
    await login(page, 'enterprise')
    await page.goto('/market')
    await field(page, 'market-q').fill(state.listing.title)
    await page.locator('[data-test=market-search-submit]').click()
    await page.locator('[data-test=market-facets]').waitFor()
    const hit = page.locator(`[data-test=result-hit][data-id="${state.listing.id}"]`)
    await hit.waitFor()
    assert.ok(await hit.locator('[data-test=result-hit-title] mark').count() > 0)
    await hit.locator('[data-test=result-hit-title]').click()
    await page.locator('[data-test=market-listing-detail]').waitFor()
    await page.locator('[data-test=market-interest]').click()
    await page.locator('[data-test=market-interest-dialog]').waitFor()
    await choose(page, 'market-interest-source', DEMAND_TITLE)
    await page.locator('textarea[data-test=market-interest-message]').fill(`希望洽谈许可合作 ${stamp}`)
    await page.locator('[data-test=market-interest-send]').click()
    await page.locator('[data-test=market-interest]').waitFor()
    await page.waitForURL(/\/market\/interests\/\d+$/)
    state.interest = Number(page.url().match(/interests\/(\d+)/)[1])
    await page.locator('[data-test=interest-state][data-status=open]').waitFor()
    await page.locator('[data-test=interest-message]', { hasText: stamp }).waitFor()
    // the sender is not the addressed side: no accept or decline
    assert.equal(await page.locator('[data-test=interest-decline]').count(), 0)
  })
})

test('decline: the university declines with a reason, counted in the listing statistics', async () => {
  assert.ok(state.interest, 'the interest test ran first')
  await withPage(browser, 'market-decline', async (page) => {
    await login(page, 'university')
    await page.goto('/market/interests')
    const row = page.locator('[data-test=interest-table] .el-table__row', { hasText: DEMAND_TITLE })
    await row.first().waitFor()
    await row.first().locator('td').first().click()
    await page.waitForURL(new RegExp(`/market/interests/${state.interest}$`))
    await page.locator('textarea[data-test=interest-reply]').fill('感谢关注，请先看我们的答复。')
    await page.locator('[data-test=interest-send]').click()
    await page.locator('[data-test=interest-message]', { hasText: '感谢关注' }).waitFor()
    await page.locator('[data-test=interest-decline]').click()
    await choose(page, 'interest-decline-reason', '价格')
    await page.locator('textarea[data-test=interest-decline-note]').fill('报价低于预期')
    await page.locator('[data-test=interest-decline-confirm]').click()
    await page.locator('[data-test=interest-state][data-status=declined]').waitFor()
    assert.equal(await page.locator('[data-test=interest-reason]').innerText(), '价格')
    assert.equal(await page.locator('[data-test=interest-accept]').count(), 0)
    // the listing's statistics count the reason
    await page.goto(`/market/listings/${state.listing.id}`)
    await page.locator('[data-test=market-item-tabs] .el-tabs__item', { hasText: '意向统计' }).click()
    const n = await page.locator('[data-test=stats-listing-price]').innerText()
    assert.ok(Number(n) >= 1, `price declines counted: ${n}`)
  })
})

test('the broker sees the workbench with assigned demands and suggested matches', async () => {
  await withPage(browser, 'market-workbench', async (page) => {
    await login(page, 'broker')
    await page.locator('[data-test=nav-market]').click()
    await page.locator('[data-test=market-nav-workbench]').click()
    await page.locator('[data-test=workbench-assigned-demands] [data-test=workbench-assigned-item]').first().waitFor()
    await page.locator('[data-test=workbench-assigned-demands] [data-test=workbench-suggestion]').first().waitFor()
    // a listing not assigned to the broker: shown with its matches, and nothing refused in the console
    const pub = await apiCall(await tokenOf('broker'), 'GET', '/listings?status=published&limit=20')
    const other = pub.items.find((l) => l.id > 6)
    await page.goto(`/market/listings/${other.id}`)
    await page.locator('[data-test=market-matches] [data-test=match-hit]').first().waitFor()
  })
})
