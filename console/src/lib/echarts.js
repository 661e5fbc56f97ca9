// Only what the console draws: line and bar charts on a grid, with tooltips and a legend, on canvas.
// echarts/core is tree-shaken to these; this module is its own chunk, loaded when a chart first shows.
import * as echarts from 'echarts/core'
import { BarChart, LineChart } from 'echarts/charts'
import { GridComponent, LegendPlainComponent, TooltipComponent } from 'echarts/components'
import { CanvasRenderer } from 'echarts/renderers'

echarts.use([LineChart, BarChart, GridComponent, TooltipComponent, LegendPlainComponent, CanvasRenderer])

export default echarts
