import { useEffect, useRef } from 'react';
import * as echarts from 'echarts/core';
import { GaugeChart, type GaugeSeriesOption } from 'echarts/charts';
import { AriaComponent } from 'echarts/components';
import { SVGRenderer } from 'echarts/renderers';
import { useLocale } from '../../i18n';
import { formatNumber } from '../../lib/format';

// The gauge is drawn only here (the results page, loaded lazily): registered here
// rather than in the shared Chart, so that no other page's chart chunk carries it.
echarts.use([GaugeChart, AriaComponent, SVGRenderer]);

/**
 * The gauge's option: NPS on its −100…100 scale, red below 0, amber to 30, green above;
 * label is what screen readers hear (ECharts' aria would otherwise replace the
 * element's label with its own description).
 */
export function gaugeOption(nps: number | null, text: string, label: string): echarts.ComposeOption<GaugeSeriesOption> {
  return {
    aria: { enabled: true, label: { description: label } },
    series: [
      {
        type: 'gauge',
        min: -100,
        max: 100,
        splitNumber: 4,
        radius: '95%',
        center: ['50%', '60%'],
        startAngle: 200,
        endAngle: -20,
        axisLine: {
          lineStyle: {
            width: 14,
            color: [
              [0.5, '#f5222d'],
              [0.65, '#faad14'],
              [1, '#52c41a'],
            ],
          },
        },
        pointer: { show: nps !== null, width: 5 },
        axisTick: { show: false },
        splitLine: { length: 10, lineStyle: { width: 2 } },
        axisLabel: { distance: 18, fontSize: 11 },
        detail: { valueAnimation: false, fontSize: 28, offsetCenter: [0, '35%'], formatter: () => text },
        data: [{ value: nps ?? 0 }],
      },
    ],
  };
}

/**
 * The NPS as a gauge, its value written in the gauge and named for screen readers
 * (label), in the console's number format.
 */
export default function NpsGauge({ nps, label, height = 220 }: { nps: number | null; label: string; height?: number }) {
  const el = useRef<HTMLDivElement>(null);
  const locale = useLocale();
  const text = nps === null ? '—' : formatNumber(nps, locale);

  useEffect(() => {
    if (!el.current) return;
    const c = echarts.init(el.current, undefined, { renderer: 'svg', locale: locale === 'zh-CN' ? 'ZH' : 'EN' });
    c.setOption(gaugeOption(nps, text, label));
    const ro = new ResizeObserver(() => c.resize());
    ro.observe(el.current);
    return () => {
      ro.disconnect();
      c.dispose();
    };
  }, [nps, text, label, locale]);

  return <div ref={el} role="img" aria-label={label} data-testid="nps-gauge" translate="no" style={{ width: '100%', height }} />;
}
