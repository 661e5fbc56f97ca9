// Charts: ECharts loaded on demand, and a table of the same figures for those who cannot see the chart.
import { useEffect, useRef, useState } from 'preact/hooks'
import { html } from './html.js'
import { getLang, t, te } from './i18n.js'
import { groupDecimal } from './format.js'
import { Alert } from './ui.js'

let loading = null
function echarts() {
  loading ??= import('./echarts.js').then((m) => m.default)
  return loading
}

/** One series per currency and source (never summed across either), over the periods given. */
export function trendSeries(points) {
  const periods = [...new Set(points.map((p) => p.period))].sort()
  const series = new Map()
  for (const p of points) {
    const name = `${p.amount.currency} · ${te('source', p.source)}`
    if (!series.has(name)) series.set(name, new Map())
    series.get(name).set(p.period, p.amount.amount)
  }
  return { periods, series: [...series].map(([name, values]) => ({ name, values: periods.map((d) => values.get(d) ?? '0') })) }
}

export function TrendChart({ points, label, kind = 'line', testid }) {
  const ref = useRef(null)
  const [failed, setFailed] = useState(null)
  const { periods, series } = trendSeries(points || [])
  useEffect(() => {
    let chart
    let observer
    let live = true
    echarts()
      .then((lib) => {
        if (!live || !ref.current) return
        chart = lib.init(ref.current, null, { renderer: 'canvas' })
        chart.setOption({
          animation: !matchMedia('(prefers-reduced-motion: reduce)').matches,
          tooltip: { trigger: 'axis' },
          legend: { top: 0 },
          grid: { left: 60, right: 20, top: 36, bottom: 28 },
          xAxis: { type: 'category', data: periods },
          yAxis: { type: 'value' },
          series: series.map((s) => ({
            name: s.name,
            type: kind,
            smooth: kind === 'line',
            showSymbol: periods.length < 40,
            data: s.values.map(Number),
          })),
        })
        observer = new ResizeObserver(() => chart.resize())
        observer.observe(ref.current)
      })
      .catch(setFailed)
    return () => {
      live = false
      observer?.disconnect()
      chart?.dispose()
    }
  }, [JSON.stringify(points), kind, getLang()])
  if (!points?.length) return html`<p class="empty">${t('charts.empty')}</p>`
  return html`<figure class="figure" data-testid=${testid}>
    <div ref=${ref} class="chart" role="img" aria-label=${`${label}: ${t('charts.summary', { n: periods.length, first: periods[0], last: periods[periods.length - 1] })}`}></div>
    ${failed ? html`<${Alert}>${failed.message}<//>` : null}
    <details>
      <summary>${t('common.showTable')}</summary>
      <table class="table">
        <thead><tr><th scope="col">${t('common.month')}</th>${series.map((s) => html`<th scope="col" class="num">${s.name}</th>`)}</tr></thead>
        <tbody>
          ${periods.map((p, i) => html`<tr><th scope="row">${p}</th>${series.map((s) => html`<td class="num">${groupDecimal(s.values[i])}</td>`)}</tr>`)}
        </tbody>
      </table>
    </details>
  </figure>`
}
