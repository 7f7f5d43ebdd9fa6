// Requests and errors per day (uPlot: a small, maintained canvas chart library).
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

/** `range`: the month's window in unix seconds, so a month with one day of traffic still spans the month. */
export function DailyChart({ data, range }: { data: [number[], number[], number[]]; range: [number, number] }) {
  const el = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!el.current) return;
    const width = el.current.clientWidth || 600;
    const chart = new uPlot(
      {
        width,
        height: 220,
        series: [{}, { label: 'Requests', stroke: '#3b82f6', width: 2 }, { label: 'Errors', stroke: '#dc2626', width: 2 }],
        axes: [{}, { label: 'per day' }],
        scales: { x: { time: true, range: () => range } },
      },
      data,
      el.current,
    );
    return () => chart.destroy();
  }, [data, range]);
  return <div ref={el} role="img" aria-label="Requests and errors per day" data-testid="reports-daily-chart" />;
}
