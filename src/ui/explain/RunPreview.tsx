import { useMemo } from 'react';
import { heatmapRange, renderHeatmapOverlay } from '../../engine/render/heatmap';
import { ImageCanvas } from '../common/ImageCanvas';
import { useApp } from '../store-context';

/** The map a running method has so far (RISE refines as masks come in): marked as in progress, never as the result. */
export function RunPreview(props: { preview: { width: number; height: number; map: number[] } }) {
  const modelInput = useApp((s) => s.prediction?.result.modelInput);
  const { preview } = props;
  const image = useMemo(() => {
    if (!modelInput || modelInput.width !== preview.width || modelInput.height !== preview.height) return undefined;
    return renderHeatmapOverlay(modelInput, preview.map, heatmapRange(preview.map, false, 'normalised', 1), 'jet', 0.5);
  }, [modelInput, preview]);
  if (!image) return null;
  return (
    <figure className="run-preview" data-testid="run-preview">
      <ImageCanvas image={image} label="Map so far" pixelated className="overlay small" />
      <figcaption className="muted small">so far (in progress)</figcaption>
    </figure>
  );
}
