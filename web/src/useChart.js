// One ECharts bar chart on an element for a component's lifetime: drawn on
// mount, redrawn when `source` changes, resized with its element, disposed on
// unmount. The chart components keep only their props and their option.
import { onMounted, onBeforeUnmount, watch } from 'vue'
import * as echarts from 'echarts/core'
import { BarChart } from 'echarts/charts'
import { GridComponent, TooltipComponent, LegendComponent } from 'echarts/components'
import { CanvasRenderer } from 'echarts/renderers'

echarts.use([BarChart, GridComponent, TooltipComponent, LegendComponent, CanvasRenderer])

export function useChart(el, option, source) {
  let chart = null
  let observer = null
  onMounted(() => {
    chart = echarts.init(el.value)
    chart.setOption(option())
    // redrawn, not only resized: the labels' angle depends on the width
    observer = new ResizeObserver(() => {
      if (!chart) return
      chart.resize()
      chart.setOption(option(), true)
    })
    observer.observe(el.value)
  })
  watch(source, () => {
    if (chart) chart.setOption(option(), true)
  }, { deep: true })
  onBeforeUnmount(() => {
    if (observer) observer.disconnect()
    if (chart) chart.dispose()
    chart = null
  })
}

// A chart's accessible name: its title and each category's values, for the
// element with role="img" (the data table beside it has the detail).
// series: [{name, values}]; one series is read without its name.
export function chartSummary(t, title, categories, series, format) {
  const val = (v) => (v === null || v === undefined ? '—' : format(v))
  const items = categories.map((c, i) => (series.length === 1
    ? `${c} ${val(series[0].values[i])}`
    : `${c} (${series.map((s) => `${s.name} ${val(s.values[i])}`).join(', ')})`))
  return t('a11y.chartSummary', { title, items: items.join('; ') })
}

// The category labels of a chart `width` px wide: level while each category
// has room for a label, slanted when they would run into each other (a phone).
export function categoryLabels(width, count) {
  const room = count ? (width || 0) / count : 0
  return room >= 90 || !width ? { interval: 0 } : { interval: 0, rotate: 35 }
}
