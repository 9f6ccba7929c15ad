import { ComparePanel } from './compare/ComparePanel';
import { DropOverlay } from './drop/DropOverlay';
import { ExplainPanel } from './explain/ExplainPanel';
import { ExplanationView } from './explain/ExplanationView';
import { ImagePanel } from './image/ImagePanel';
import { Messages } from './messages/Messages';
import { ModelPanel } from './model/ModelPanel';
import { PredictionsPanel } from './predictions/PredictionsPanel';
import { PreprocessPanel } from './preprocess/PreprocessPanel';
import { RuntimeBar } from './runtime/RuntimeBar';

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
      <main className="grid">
        <div className="col">
          <ModelPanel />
          <ImagePanel />
        </div>
        <div className="col">
          <PredictionsPanel />
          <ExplanationView />
          <ExplainPanel />
          <ComparePanel />
          <PreprocessPanel />
        </div>
      </main>
      <DropOverlay />
      <footer className="muted small">Everything runs in this browser tab; no file leaves your machine. Works offline after the first visit.</footer>
    </div>
  );
}
