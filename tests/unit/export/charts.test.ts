import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { curvesSvg, escapeXml, weightsChartSvg } from '../../../src/engine/export/charts';
import type { FaithfulnessMetrics } from '../../../src/engine/explain/types';
import { colourAt } from '../../../src/engine/render/colormap';

/**
 * Well-formed XML by a small tokenizer (Node has no DOMParser): tags balance, attributes are quoted, and text and
 * attribute values hold no raw "<" and no "&" that does not start an entity.
 */
function checkWellFormed(xml: string): void {
  const stack: string[] = [];
  const entity = /&(?:lt|gt|amp|apos|quot|#\d+|#x[0-9a-f]+);/gi;
  const tokens = xml.split(/(<[^>]*>)/);
  for (const token of tokens) {
    if (!token.startsWith('<')) {
      expect(token.replace(entity, ''), `text ${token}`).not.toMatch(/[<&]/);
      continue;
    }
    const m = /^<(\/?)([A-Za-z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>$/.exec(token);
    expect(m, `tag ${token}`).not.toBeNull();
    const [, close, name, attrs, selfClose] = m!;
    expect(attrs.replace(entity, ''), `attributes of ${token}`).not.toMatch(/&/);
    if (close) expect(stack.pop(), `closing ${name}`).toBe(name);
    else if (!selfClose) stack.push(name);
  }
  expect(stack).toEqual([]);
}

const attr = (tag: string | undefined, name: string) => new RegExp(`\\s${name}="([^"]*)"`).exec(tag ?? '')?.[1];
const tags = (svg: string, name: string) => svg.match(new RegExp(`<${name}\\b[^>]*>`, 'g')) ?? [];

function standalone(svg: string): { width: number; height: number } {
  const root = tags(svg, 'svg')[0]!;
  expect(root).toContain('xmlns="http://www.w3.org/2000/svg"');
  expect(root).toMatch(/font-family="[^"]+"/);
  // no external references: nothing to load
  expect(svg).not.toMatch(/href|url\(|<image|<script/i);
  expect(svg.replace('xmlns="http://www.w3.org/2000/svg"', '')).not.toMatch(/http/);
  // a white background the size of the document
  const width = Number(attr(root, 'width')), height = Number(attr(root, 'height'));
  expect(width).toBeGreaterThan(0);
  expect(height).toBeGreaterThan(0);
  expect(tags(svg, 'rect')[0]).toBe(`<rect x="0" y="0" width="${width}" height="${height}" fill="#ffffff"/>`);
  checkWellFormed(svg);
  return { width, height };
}

describe('weights chart SVG', () => {
  it('draws one bar per superpixel, highest weight first, coloured as the map, with values, the zero line and the units', async () => {
    const weights = [0.1, -0.4, 0.3, 0, -0.05];
    const svg = weightsChartSvg({ weights, units: 'probability <of> class' });
    const size = standalone(svg);
    const rows = tags(svg, 'g').filter((g) => g.includes('bar-row'));
    expect(rows.map((g) => Number(attr(g, 'data-feature')))).toEqual([2, 0, 3, 4, 1]);
    const bars = tags(svg, 'rect').filter((r) => r.includes('class="bar"'));
    expect(bars).toHaveLength(5);
    // colour at (w / limit + 1) / 2 of the diverging map, limit = the largest |weight|
    bars.forEach((bar, k) => {
      const w = [0.3, 0.1, 0, -0.05, -0.4][k];
      expect(attr(bar, 'fill')).toBe(`rgb(${colourAt('diverging', (w / 0.4 + 1) / 2).join(',')})`);
    });
    // positive bars start at the zero line, negative ones end there; the strongest is the longest
    const zero = Number(attr(tags(svg, 'line').find((l) => l.includes('class="zero"'))!, 'x1'));
    expect(Number(attr(bars[0], 'x'))).toBeCloseTo(zero, 1);
    expect(Number(attr(bars[4], 'x')) + Number(attr(bars[4], 'width'))).toBeCloseTo(zero, 1);
    expect(Number(attr(bars[4], 'width'))).toBeGreaterThan(Number(attr(bars[0], 'width')));
    expect(svg).toContain('+0.3');
    expect(svg).toContain('−0.4');
    expect(svg).toContain('(probability &lt;of&gt; class)');
    // librsvg reads it
    expect(await sharp(Buffer.from(svg)).metadata()).toMatchObject({ width: size.width, height: size.height });
  });

  it('lists only the strongest and weakest when there are many', () => {
    const weights = Array.from({ length: 100 }, (_, i) => (i - 50) / 50);
    const svg = weightsChartSvg({ weights }, { max: 10 });
    standalone(svg);
    const ids = tags(svg, 'g').filter((g) => g.includes('bar-row')).map((g) => Number(attr(g, 'data-feature')));
    expect(ids).toEqual([99, 98, 97, 96, 95, 4, 3, 2, 1, 0]);
    expect(svg).toContain('the 5 highest and 5 lowest listed');
    expect(svg).toContain('90 more');
  });
});

describe('deletion/insertion curves SVG', () => {
  const curve = (y: number[], auc: number) => ({ x: y.map((_, i) => i / (y.length - 1)), y, auc });
  const metrics: Pick<FaithfulnessMetrics, 'deletion' | 'insertion' | 'random'> = {
    deletion: curve([0.9, 0.4, 0.1, 0.05, 0], 0.2346),
    insertion: curve([0.1, 0.6, 0.8, 0.9, 0.95], 0.7123),
    random: { deletion: curve([0.9, 0.7, 0.5, 0.3, 0], 0.5111), insertion: curve([0.1, 0.3, 0.5, 0.7, 0.95], 0.4888) },
  };

  it('puts deletion and insertion side by side with axes, tick labels and axis titles', async () => {
    const svg = curvesSvg(metrics);
    const size = standalone(svg);
    expect(svg).toContain('fraction of pixels deleted');
    expect(svg).toContain('fraction of pixels inserted');
    expect(svg.match(/class probability/g)).toHaveLength(2);
    for (const t of ['0', '0.25', '0.5', '0.75', '1']) expect(svg).toContain(`>${t}</text>`);
    expect(await sharp(Buffer.from(svg)).metadata()).toMatchObject({ width: size.width, height: size.height });
  });

  it('maps each point into the plot frame: x 0…1 left to right, probability 0…1 bottom to top', () => {
    const svg = curvesSvg(metrics);
    const frames = tags(svg, 'rect').filter((r) => r.includes('class="frame"'));
    const curves = tags(svg, 'polyline').filter((p) => p.includes('class="curve"'));
    expect(frames).toHaveLength(2);
    expect(curves).toHaveLength(2);
    [metrics.deletion, metrics.insertion].forEach((c, k) => {
      const [x, y, w, h] = ['x', 'y', 'width', 'height'].map((a) => Number(attr(frames[k], a)));
      const pts = attr(curves[k], 'points')!.split(' ').map((p) => p.split(',').map(Number));
      expect(pts).toHaveLength(c.x.length);
      pts.forEach(([px, py], i) => {
        expect(px).toBeCloseTo(x + c.x[i] * w, 1);
        expect(py).toBeCloseTo(y + h - c.y[i] * h, 1);
      });
    });
    // the insertion plot sits to the right of the deletion plot
    expect(Number(attr(frames[1], 'x'))).toBeGreaterThan(Number(attr(frames[0], 'x')) + Number(attr(frames[0], 'width')));
  });

  it('shows each AUC in the legend and the random baseline dashed with its AUC', () => {
    const svg = curvesSvg(metrics);
    expect(svg).toContain('this map: AUC 0.235');
    expect(svg).toContain('this map: AUC 0.712');
    expect(svg).toContain('random order: AUC 0.511');
    expect(svg).toContain('random order: AUC 0.489');
    const random = tags(svg, 'polyline').filter((p) => p.includes('class="random"'));
    expect(random).toHaveLength(2);
    for (const r of random) expect(r).toMatch(/stroke-dasharray="[^"]+"/);
    const without = curvesSvg({ deletion: metrics.deletion, insertion: metrics.insertion });
    standalone(without);
    expect(without).not.toContain('random order');
    expect(tags(without, 'polyline').filter((p) => p.includes('class="random"'))).toHaveLength(0);
  });
});

describe('escapeXml', () => {
  it('escapes markup in text and attributes', () => {
    expect(escapeXml(`</svg><script>alert("x")</script> & 'y'`)).toBe('&lt;/svg&gt;&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &apos;y&apos;');
    const svg = weightsChartSvg({ weights: [1, -1], units: `"><script>alert(1)</script>&` });
    expect(svg).not.toContain('<script');
    checkWellFormed(svg);
  });
});
