// The web UI's module list: one line per module, in menu order. The router,
// the side menu, the locale messages, the sign-in page's public links and the
// home page's to-do items and panels are all assembled from it (see
// registry.js), so adding a module is its folder under modules/ plus one line
// here. A module not built yet is a placeholder: a menu entry and a "coming
// soon" page. What a module may export is described in web/README.md.
import { placeholder } from './placeholder.js'
import gradient from './gradient/index.js'
import market from './market/index.js'
import { Cpu, Document, Notebook, Money, DataAnalysis } from '@element-plus/icons-vue'

export const MODULES = [
  gradient,
  placeholder('pilot', Cpu, { 'zh-CN': '中试平台', en: 'Pilot platforms' }),
  market,
  placeholder('contracts', Document, { 'zh-CN': '技术合同', en: 'Technology contracts' }),
  placeholder('directories', Notebook, { 'zh-CN': '服务机构名录', en: 'Directories' }),
  placeholder('calculators', Money, { 'zh-CN': '政策计算器', en: 'Calculators' }),
  placeholder('statistics', DataAnalysis, { 'zh-CN': '统计', en: 'Statistics' }),
]
