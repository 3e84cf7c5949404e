'use client';
import { useState } from 'react';

/**
 * A textarea (and an optional file input) that keeps what was typed or chosen when the server
 * refuses the form or answers a dry run: React 19 resets uncontrolled fields after a form
 * action. Text over `maxChars`, or a file over `maxBytes`, is refused here with the limit.
 */
export const KeptText = ({ name, label, maxChars, rows = 8, fileName, maxBytes }: { name: string; label: string; maxChars: number; rows?: number; fileName?: string; maxBytes?: number }) => {
  const [text, setText] = useState('');
  const [fileError, setFileError] = useState('');
  const over = text.length > maxChars;
  return (
    <>
      <label className="flex flex-col text-sm">
        <span className="mb-1 font-medium">{label}</span>
        <textarea
          name={name}
          rows={rows}
          value={text}
          onChange={(e) => setText(e.target.value)}
          aria-invalid={over || undefined}
          className="rounded-md border border-slate-300 p-2 font-mono text-xs aria-[invalid=true]:border-bad"
        />
      </label>
      {over ? (
        <p role="alert" className="text-sm text-bad">
          {text.length.toLocaleString('en')} characters: the limit is {maxChars.toLocaleString('en')}.
        </p>
      ) : null}
      {fileName ? (
        <label className="text-sm">
          or upload:{' '}
          <input
            type="file"
            name={fileName}
            accept=".cf,text/plain"
            onChange={(e) => {
              const f = e.target.files?.[0];
              if (f && maxBytes && f.size > maxBytes) {
                setFileError(`${f.name} is ${f.size.toLocaleString('en')} bytes: the limit is ${maxBytes.toLocaleString('en')}.`);
                e.target.value = '';
              } else setFileError('');
            }}
          />
          {fileError ? (
            <span role="alert" className="ml-2 text-bad">
              {fileError}
            </span>
          ) : null}
        </label>
      ) : null}
    </>
  );
};
