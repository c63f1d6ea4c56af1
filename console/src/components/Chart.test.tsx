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
    const img = screen.getByRole('img', { name: 'NPS by week' });
    expect(img.querySelector('svg')).not.toBeNull();
  });
});
