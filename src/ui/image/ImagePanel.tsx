import type { DemoManifest } from '../../store/demo';
import { FileButton } from '../common/FileButton';
import { ImageCanvas } from '../common/ImageCanvas';
import { useFileIntake } from '../drop/use-file-intake';
import { useApp } from '../store-context';

/** How many thumbnails the gallery shows while the demo list loads. */
const SKELETON_THUMBS = 10;

/**
 * A distinct name per demo image, from the manifest: "circle 1", "circle 2", "circle with watermark" (a screen
 * reader otherwise hears "circle, circle, circle").
 */
export function demoImageNames(images: DemoManifest['images']): string[] {
  const plain = (label: string) => images.filter((i) => i.label === label && !i.watermark);
  return images.map((image) => {
    if (image.watermark) {
      const marked = images.filter((i) => i.label === image.label && i.watermark);
      return marked.length > 1 ? `${image.label} with watermark ${marked.indexOf(image) + 1}` : `${image.label} with watermark`;
    }
    const same = plain(image.label);
    return same.length > 1 ? `${image.label} ${same.indexOf(image) + 1}` : image.label;
  });
}

const baseName = (file: string) => file.slice(file.lastIndexOf('/') + 1);

export function ImagePanel() {
  const image = useApp((s) => s.image);
  const status = useApp((s) => s.imageStatus);
  const demo = useApp((s) => s.demo);
  const loadDemoImage = useApp((s) => s.loadDemoImage);
  const intake = useFileIntake();
  const names = demo ? demoImageNames(demo.images) : [];
  return (
    <section className="panel contained" aria-labelledby="image-h" data-testid="image-panel">
      <header>
        <h2 id="image-h">Image</h2>
        <FileButton accept="image/*,.bmp" onFiles={intake} testId="image-input">
          Open image…
        </FileButton>
      </header>
      {demo ? (
        <div className="thumbs" role="group" aria-label="Demo images">
          {demo.images.map((d, i) => (
            <button
              key={d.file}
              type="button"
              className="thumb"
              title={names[i]}
              aria-pressed={image?.name === baseName(d.file)}
              onClick={() => void loadDemoImage(d.file)}
            >
              <img src={`demo/${d.file}`} alt={names[i]} width={40} height={40} decoding="async" />
              {d.mask && <img className="thumb-mask" src={`demo/${d.mask}`} alt="" aria-hidden="true" width={40} height={40} decoding="async" />}
            </button>
          ))}
        </div>
      ) : (
        <div className="thumbs skeleton-thumbs" aria-hidden="true">
          {Array.from({ length: SKELETON_THUMBS }, (_, i) => (
            <span key={i} className="skeleton thumb-skeleton" />
          ))}
        </div>
      )}
      <div className="source-row">
        {image ? (
          <figure className="source-image">
            <ImageCanvas image={image.image} label={`Image ${image.name}`} testId="source-canvas" className="fit" />
            <figcaption data-testid="image-caption">
              {image.name} · {image.originalWidth}×{image.originalHeight}
              {(image.width !== image.originalWidth || image.height !== image.originalHeight) && ` (downscaled to ${image.width}×${image.height})`}
            </figcaption>
          </figure>
        ) : (
          <div className="skeleton source-skeleton" aria-hidden="true" />
        )}
        <p className="muted small hint">
          {status === 'loading' ? 'Decoding…' : 'Drop or paste (Ctrl+V) an image anywhere: PNG, JPEG, WebP, GIF, BMP.'}
        </p>
      </div>
    </section>
  );
}
