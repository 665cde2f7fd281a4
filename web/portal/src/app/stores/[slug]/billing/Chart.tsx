"use client";

/**
 * One chart of the billing page's usage section (a server component, ./UsageCharts): a canvas that Chart.js draws
 * on once ./draw (Chart.js, the datasets, the scheme's colours) has loaded, so no page's first load carries them.
 */

import { useEffect, useRef } from "react";

import type { Drawing } from "./draw";

export function Chart({ drawing, label }: { drawing: Drawing; label: string }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    let chart: { destroy(): void } | null = null;
    let cancelled = false;
    import("./draw").then(({ draw }) => {
      if (cancelled || !canvas.current) return;
      chart = draw(canvas.current, drawing);
      canvas.current.dataset.rendered = "true";
    });
    return () => {
      cancelled = true;
      chart?.destroy();
    };
  }, [drawing]);
  return (
    <div className="chart-box">
      <canvas ref={canvas} role="img" aria-label={label} />
    </div>
  );
}
