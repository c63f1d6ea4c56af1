import { render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import Chart from './Chart';

describe('Chart', () => {
  it('draws an SVG chart named for screen readers', () => {
    render(
      <Chart
        label="NPS by week"
        option={{
          xAxis: { type: 'category', data: ['W1', 'W2'] },
          yAxis: { type: 'value' },
          series: [{ type: 'line', data: [42, 48] }],
        }}
      />,
    );
    const figure = screen.getByRole('figure', { name: 'NPS by week' });
    const img = figure.querySelector('[role="img"]');
    expect(img?.querySelector('svg')).not.toBeNull();
    // ECharts describes the data itself, in the console's language.
    expect(img?.getAttribute('aria-label')).toMatch(/line|折线/i);
  });
});
