// A windowed list: only the rows in (and just around) the viewport are in the DOM, so 10,000
// rows scroll as smoothly as 10. Rows have a fixed height; the page (window) is the scroller.
import { useEffect, useLayoutEffect, useRef, useState, type ReactNode } from 'react';

interface Props<T> {
  items: T[];
  rowHeight: number;
  /** Rows rendered beyond each edge of the viewport. */
  overscan?: number;
  getKey: (item: T) => string | number;
  render: (item: T, index: number) => ReactNode;
}

export function VirtualList<T>({ items, rowHeight, overscan = 8, getKey, render }: Props<T>) {
  const ref = useRef<HTMLDivElement>(null);
  const [view, setView] = useState({ top: 0, height: typeof window === 'undefined' ? 800 : window.innerHeight });

  useLayoutEffect(() => {
    let frame = 0;
    const measure = () => {
      frame = 0;
      const el = ref.current;
      if (!el) return;
      // Offset of the viewport from the list's top edge (negative while the list is below the fold).
      const top = -el.getBoundingClientRect().top;
      setView((v) => (v.top === top && v.height === window.innerHeight ? v : { top, height: window.innerHeight }));
    };
    const schedule = () => {
      if (!frame) frame = requestAnimationFrame(measure);
    };
    measure();
    window.addEventListener('scroll', schedule, { passive: true });
    window.addEventListener('resize', schedule);
    return () => {
      window.removeEventListener('scroll', schedule);
      window.removeEventListener('resize', schedule);
      if (frame) cancelAnimationFrame(frame);
    };
  }, []);

  // The list may shrink under the viewport (a filter): re-measure when the count changes.
  useEffect(() => {
    const el = ref.current;
    if (el) setView((v) => ({ ...v, top: -el.getBoundingClientRect().top }));
  }, [items.length]);

  const first = Math.max(0, Math.floor(view.top / rowHeight) - overscan);
  const last = Math.min(items.length, Math.ceil((view.top + view.height) / rowHeight) + overscan);
  const rows: ReactNode[] = [];
  for (let i = first; i < last; i++) {
    const item = items[i]!;
    rows.push(
      <div key={getKey(item)} className="vrow" style={{ transform: `translateY(${i * rowHeight}px)`, height: rowHeight }}>
        {render(item, i)}
      </div>,
    );
  }
  return (
    <div ref={ref} className="vlist" style={{ height: items.length * rowHeight }} role="list" aria-rowcount={items.length}>
      {rows}
    </div>
  );
}
