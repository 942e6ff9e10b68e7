/**
 * A server's traffic as hand-drawn SVG from the stored series: one panel for packets/s and
 * one for bits/s, each with in and out, the threshold lines detection applies, and the
 * incidents as shaded spans. The figure carries a text summary for screen readers.
 */
import { type RefObject, useEffect, useRef, useState } from 'react';
import type { IncidentMarker, TrafficSeries } from '../api/api-types.ts';
import { type MessageKey, useI18n } from '../i18n/i18n.tsx';
import { formatRate, formatSi, linePath, niceTicks, timeTicks, typicalGap, yTop } from './chart-scale.ts';

const DEFAULT_WIDTH = 960;
const HEIGHT = 230;
const M = { left: 64, right: 16, top: 14, bottom: 26 };
const LOCALES = { en: 'en-GB', de: 'de-DE' } as const;

interface PanelProps {
  title: string;
  unit: string;
  fromMs: number;
  toMs: number;
  times: number[];
  inbound: number[];
  outbound: number[];
  thresholdIn: number;
  thresholdOut: number;
  incidents: IncidentMarker[];
  testId: string;
  width: number;
}

function Panel(props: PanelProps) {
  const i18n = useI18n();
  const { t } = i18n;
  const locale = LOCALES[i18n.language];
  const { fromMs, toMs, times } = props;
  const WIDTH = props.width;
  const dataMax = Math.max(0, ...props.inbound, ...props.outbound);
  const { top, shown, above } = yTop(dataMax, [props.thresholdOut, props.thresholdIn]);
  const ticks = niceTicks(top);
  const yMax = ticks[ticks.length - 1];
  const plotW = WIDTH - M.left - M.right;
  const plotH = HEIGHT - M.top - M.bottom;
  const x = (ms: number) => M.left + ((ms - fromMs) / (toMs - fromMs)) * plotW;
  const y = (v: number) => M.top + plotH - (v / yMax) * plotH;
  const gap = typicalGap(times) * 2.5;
  const series = (values: number[]) => linePath(times.map((tm, i) => ({ t: tm, v: values[i] })), x, y, gap);
  const xTicks = timeTicks(fromMs, toMs, 6, new Date(fromMs).getTimezoneOffset());
  const multiDay = toMs - fromMs > 36 * 3_600_000;
  const thresholdLabel = (key: MessageKey, v: number) => `${t(key)} ${formatRate(v, props.unit, locale)}`;
  const summary = t('chart.summary', {
    title: props.title,
    from: i18n.dateTime(fromMs),
    to: i18n.dateTime(toMs),
    out: formatRate(Math.max(0, ...props.outbound), props.unit, locale),
    inbound: formatRate(Math.max(0, ...props.inbound), props.unit, locale),
    threshold: props.thresholdOut > 0 ? formatRate(props.thresholdOut, props.unit, locale) : '—',
    incidents: props.incidents.length,
  });

  return (
    <figure className="chart" data-testid={props.testId}>
      <figcaption>
        <strong>{props.title}</strong>
        <span className="legend">
          <span className="key out">{t('chart.out')}</span>
          <span className="key in">{t('chart.in')}</span>
          {shown.includes(props.thresholdOut) ? <span className="key threshold-out">{thresholdLabel('chart.thresholdOut', props.thresholdOut)}</span> : null}
          {shown.includes(props.thresholdIn) ? <span className="key threshold-in">{thresholdLabel('chart.thresholdIn', props.thresholdIn)}</span> : null}
          {props.incidents.length > 0 ? <span className="key incident">{t('chart.incident')}</span> : null}
        </span>
      </figcaption>
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label={summary} width={WIDTH} height={HEIGHT}>
        {props.incidents.map((inc) => {
          const start = Math.max(fromMs, Date.parse(inc.start));
          const end = Math.min(toMs, Date.parse(inc.end ?? inc.lastSeen));
          const x0 = x(start);
          const w = Math.max(3, x(end) - x0);
          return (
            <g key={inc.id} className="incident-mark" data-incident-id={inc.id}>
              <rect x={x0} y={M.top} width={w} height={plotH}>
                <title>
                  {t(`kind.${inc.kind}` as MessageKey)} ({t(`direction.${inc.direction}` as MessageKey)}) {i18n.dateTime(inc.start)}
                </title>
              </rect>
              {/* Near the right edge the label goes to the left of the span. */}
              <text x={x0 > WIDTH - M.right - 90 ? x0 - 3 : x0 + 3} y={M.top + 11} textAnchor={x0 > WIDTH - M.right - 90 ? 'end' : 'start'}>
                {t(`kind.${inc.kind}` as MessageKey)}
              </text>
            </g>
          );
        })}
        {ticks.map((v) => (
          <g key={v} className="grid">
            <line x1={M.left} x2={WIDTH - M.right} y1={y(v)} y2={y(v)} />
            <text x={M.left - 6} y={y(v) + 4} textAnchor="end">
              {formatSi(v, locale)}
            </text>
          </g>
        ))}
        {xTicks.map((tm) => (
          <g key={tm} className="grid">
            <line x1={x(tm)} x2={x(tm)} y1={M.top} y2={M.top + plotH} />
            <text x={x(tm)} y={HEIGHT - 8} textAnchor="middle">
              {multiDay ? `${i18n.date(tm).replace(/\s*\d{4}$/, '')} ${i18n.clock(tm)}` : i18n.clock(tm)}
            </text>
          </g>
        ))}
        {shown.includes(props.thresholdOut) && props.thresholdOut > 0 ? (
          <line className="threshold-out" data-testid={`${props.testId}-threshold-out`} x1={M.left} x2={WIDTH - M.right} y1={y(props.thresholdOut)} y2={y(props.thresholdOut)} />
        ) : null}
        {shown.includes(props.thresholdIn) && props.thresholdIn > 0 ? (
          <line className="threshold-in" x1={M.left} x2={WIDTH - M.right} y1={y(props.thresholdIn)} y2={y(props.thresholdIn)} />
        ) : null}
        <path className="series in" d={series(props.inbound)} />
        <path className="series out" data-testid={`${props.testId}-out`} d={series(props.outbound)} />
        <rect className="frame" x={M.left} y={M.top} width={plotW} height={plotH} />
      </svg>
      {above.length > 0 ? (
        <p className="muted small">
          {above
            .map((v) =>
              t('chart.aboveChart', {
                label: t(v === props.thresholdOut ? 'chart.thresholdOut' : 'chart.thresholdIn'),
                value: formatRate(v, props.unit, locale),
              }),
            )
            .join(' · ')}
        </p>
      ) : null}
    </figure>
  );
}

/**
 * The drawing width follows the element's width in pixels, so text and lines are never
 * stretched (a viewBox scaled to the box would distort them).
 */
function useWidth(): [RefObject<HTMLDivElement | null>, number] {
  const ref = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(DEFAULT_WIDTH);
  useEffect(() => {
    const element = ref.current;
    if (element === null) return;
    const observer = new ResizeObserver(() => setWidth(Math.max(320, Math.floor(element.clientWidth))));
    observer.observe(element);
    return () => observer.disconnect();
  }, []);
  return [ref, width];
}

export function TrafficChart({ series }: { series: TrafficSeries }) {
  const { t } = useI18n();
  const [ref, width] = useWidth();
  const fromMs = Date.parse(series.from);
  const toMs = Date.parse(series.to);
  const times = series.samples.map((s) => Date.parse(s.at));
  const common = { fromMs, toMs, times, incidents: series.incidents, width };
  return (
    <div className="charts" ref={ref}>
      {series.samples.length === 0 ? <p className="muted">{t('chart.noData')}</p> : null}
      <Panel
        {...common}
        testId="chart-packets"
        title={t('chart.packets')}
        unit="pps"
        inbound={series.samples.map((s) => s.packetsIn)}
        outbound={series.samples.map((s) => s.packetsOut)}
        thresholdIn={series.thresholds.inbound.packetsPerSecond}
        thresholdOut={series.thresholds.outbound.packetsPerSecond}
      />
      <Panel
        {...common}
        testId="chart-bits"
        title={t('chart.bits')}
        unit="bit/s"
        inbound={series.samples.map((s) => s.bitsIn)}
        outbound={series.samples.map((s) => s.bitsOut)}
        thresholdIn={series.thresholds.inbound.bitsPerSecond}
        thresholdOut={series.thresholds.outbound.bitsPerSecond}
      />
    </div>
  );
}
