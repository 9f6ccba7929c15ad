import { FileButton } from '../common/FileButton';
import { ImageCanvas } from '../common/ImageCanvas';
import { useFileIntake } from '../drop/use-file-intake';
import { useApp } from '../store-context';

export function ImagePanel() {
  const image = useApp((s) => s.image);
  const status = useApp((s) => s.imageStatus);
  const demo = useApp((s) => s.demo);
  const loadDemoImage = useApp((s) => s.loadDemoImage);
  const intake = useFileIntake();
  return (
    <section className="panel" aria-labelledby="image-h" data-testid="image-panel">
      <header>
        <h2 id="image-h">Image</h2>
        <FileButton accept="image/*,.bmp" onFiles={intake} testId="image-input">
          Open image…
        </FileButton>
      </header>
      <p className="muted small">Drop or paste (Ctrl+V) an image anywhere. PNG, JPEG, WebP, GIF, BMP.</p>
      {demo && (
        <div className="thumbs">
          {demo.images.map((d) => (
            <button key={d.file} type="button" className="thumb" title={`${d.label}${d.watermark ? ' (watermark)' : ''}`} onClick={() => void loadDemoImage(d.file)}>
              <img src={`demo/${d.file}`} alt={d.label} width={40} height={40} />
            </button>
          ))}
        </div>
      )}
      {status === 'loading' && <p className="muted">Decoding…</p>}
      {image && (
        <figure className="source-image">
          <ImageCanvas image={image.image} label={`Image ${image.name}`} testId="source-canvas" className="fit" />
          <figcaption data-testid="image-caption">
            {image.name} · {image.originalWidth}×{image.originalHeight}
            {(image.width !== image.originalWidth || image.height !== image.originalHeight) && ` (downscaled to ${image.width}×${image.height})`}
          </figcaption>
        </figure>
      )}
    </section>
  );
}
