// A latency sparkline on a small canvas (cheap enough for every visible row). Failed probes
// (null) show as red ticks along the bottom.
import { useEffect, useRef } from 'react';

interface Props {
  values: (number | null)[];
  width?: number;
  height?: number;
}

export function Sparkline({ values, width = 120, height = 28 }: Props) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const c = ref.current;
    const ctx = c?.getContext('2d');
    if (!c || !ctx) return;
    const dpr = window.devicePixelRatio || 1;
    c.width = width * dpr;
    c.height = height * dpr;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, width, height);
    const nums = values.filter((v): v is number => v !== null);
    const n = values.length;
    if (n === 0) return;
    const max = Math.max(1, ...nums);
    const min = Math.min(max, ...nums);
    const span = Math.max(max - min, max * 0.2, 1);
    const x = (i: number) => (n === 1 ? width / 2 : (i / (n - 1)) * (width - 2) + 1);
    const y = (v: number) => height - 4 - ((v - min) / span) * (height - 8);
    const style = getComputedStyle(c);
    ctx.lineWidth = 1.5;
    ctx.strokeStyle = style.getPropertyValue('--spark').trim() || '#60a5fa';
    ctx.beginPath();
    let pen = false;
    values.forEach((v, i) => {
      if (v === null) {
        pen = false;
        return;
      }
      if (pen) ctx.lineTo(x(i), y(v));
      else ctx.moveTo(x(i), y(v));
      pen = true;
    });
    ctx.stroke();
    ctx.fillStyle = style.getPropertyValue('--bad').trim() || '#f87171';
    values.forEach((v, i) => {
      if (v === null) ctx.fillRect(x(i) - 1, height - 6, 2, 6);
    });
  }, [values, width, height]);
  return <canvas ref={ref} className="spark" style={{ width, height }} aria-hidden="true" />;
}
