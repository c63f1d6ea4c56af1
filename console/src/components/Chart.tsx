import { useEffect, useRef } from 'react';
import * as echarts from 'echarts/core';
import { BarChart, LineChart, PieChart, type BarSeriesOption, type LineSeriesOption, type PieSeriesOption } from 'echarts/charts';
import {
  AriaComponent,
  DatasetComponent,
  GridComponent,
  LegendComponent,
  TooltipComponent,
  type DatasetComponentOption,
  type GridComponentOption,
  type LegendComponentOption,
  type TooltipComponentOption,
} from 'echarts/components';
import { SVGRenderer } from 'echarts/renderers';
import { useLocale } from '../i18n';

// Only the chart types the console draws, so that the chart chunk stays small. Import
// this component only from the pages that chart: it keeps ECharts out of the first
// load (scripts/check-size.mjs fails the build otherwise).
echarts.use([LineChart, BarChart, PieChart, GridComponent, TooltipComponent, LegendComponent, DatasetComponent, AriaComponent, SVGRenderer]);

export type ChartOption = echarts.ComposeOption<
  LineSeriesOption | BarSeriesOption | PieSeriesOption | GridComponentOption | TooltipComponentOption | LegendComponentOption | DatasetComponentOption
>;

/**
 * One chart: takes its option (data and series) and a label that says what it shows,
 * for screen readers, beside ECharts' own description of the data. Resizes with its
 * container; redrawn in the console's language.
 */
export default function Chart({ option, label, height = 300 }: { option: ChartOption; label: string; height?: number }) {
  const el = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts | null>(null);
  const locale = useLocale();

  useEffect(() => {
    if (!el.current) return;
    const c = echarts.init(el.current, undefined, { renderer: 'svg', locale: locale === 'zh-CN' ? 'ZH' : 'EN' });
    chart.current = c;
    const ro = new ResizeObserver(() => c.resize());
    ro.observe(el.current);
    return () => {
      ro.disconnect();
      c.dispose();
      chart.current = null;
    };
  }, [locale]);

  useEffect(() => {
    chart.current?.setOption({ aria: { enabled: true }, ...option }, { notMerge: true });
  }, [option, locale]);

  // ECharts' aria writes its description of the data as the chart element's label; the
  // figure around it carries what the chart is about.
  return (
    <figure aria-label={label} style={{ margin: 0 }}>
      <div ref={el} role="img" style={{ width: '100%', height }} />
    </figure>
  );
}
