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
    observer = new ResizeObserver(() => chart && chart.resize())
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
