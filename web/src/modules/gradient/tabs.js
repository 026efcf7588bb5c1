// Which gradient sub-pages a user sees (the server still decides every call).
import { myOrgId, isAdminUser, canReview } from './roles.js'

export function gradientTabs() {
  const tabs = []
  if (myOrgId() || isAdminUser()) tabs.push('evaluate', 'facts', 'applications')
  if (canReview()) tabs.push('reviews')
  tabs.push('notices', 'titles', 'stats')
  return tabs
}
