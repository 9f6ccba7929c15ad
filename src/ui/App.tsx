import { ComparePanel } from './compare/ComparePanel';
import { ShelfPanel } from './shelf/ShelfPanel';
import { DropOverlay } from './drop/DropOverlay';
import { ExplainPanel } from './explain/ExplainPanel';
import { ExplanationView } from './explain/ExplanationView';
import { HistoryStrip } from './history/HistoryStrip';
import { ImagePanel } from './image/ImagePanel';
import { GroundTruthPanel } from './mask/GroundTruthPanel';
import { ImageStage } from './image/ImageStage';
import { LiveRegion } from './LiveRegion';
import { Messages } from './messages/Messages';
import { ModelPanel } from './model/ModelPanel';
import { PredictionsPanel } from './predictions/PredictionsPanel';
import { PreprocessPanel } from './preprocess/PreprocessPanel';
import { RuntimeBar } from './runtime/RuntimeBar';
import { StabilityPanel } from './stability/StabilityPanel';
import { SanityPanel } from './sanity/SanityPanel';
import { DatasetPanel } from './dataset/DatasetPanel';

/**
 * Two columns: the controls on the left, in the order they are used (model, its preprocessing, image, prediction,
 * method and Run), scrolling on their own; the results on the right, wide. A result never moves the controls.
 */
export function App() {
  return (
    <div className="app">
      <header className="topbar">
        <h1>
          Glassbox <span className="muted">explain image classifiers, on your machine</span>
        </h1>
        <RuntimeBar />
      </header>
      <Messages />
      <LiveRegion />
      <main className="workspace">
        <section className="controls-col" aria-label="Model, image and method">
          <div className="controls-scroll">
            <ModelPanel />
            <PreprocessPanel />
            <ImagePanel />
            <GroundTruthPanel />
            <PredictionsPanel />
            <ExplainPanel />
          </div>
        </section>
        <section className="results-col" aria-label="Results">
          <ImageStage />
          <ExplanationView />
          <HistoryStrip />
          <ComparePanel />
          <ShelfPanel />
          <StabilityPanel />
          <DatasetPanel />
          <SanityPanel />
          <footer className="muted small">Everything runs in this browser tab; no file leaves your machine. Works offline after the first visit.</footer>
        </section>
      </main>
      <DropOverlay />
    </div>
  );
}
