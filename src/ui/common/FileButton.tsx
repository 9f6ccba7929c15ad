import { useRef, type ReactNode } from 'react';

export function FileButton(props: { accept: string; onFiles: (files: File[]) => void; children: ReactNode; testId?: string }) {
  const input = useRef<HTMLInputElement>(null);
  return (
    <>
      <button type="button" onClick={() => input.current?.click()}>
        {props.children}
      </button>
      <input
        ref={input}
        type="file"
        accept={props.accept}
        hidden
        data-testid={props.testId}
        onChange={(e) => {
          const files = Array.from(e.currentTarget.files ?? []);
          e.currentTarget.value = '';
          if (files.length) props.onFiles(files);
        }}
      />
    </>
  );
}
