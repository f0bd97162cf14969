"use client";

import { useId, useRef, useState } from "react";
import { toast } from "sonner";

/** Copies `text`, and says so (or says to copy by hand when the clipboard is refused). */
function CopyButton({ text, label }: { text: string; label: string }) {
  async function copy() {
    try {
      await navigator.clipboard.writeText(text);
      toast.success(`${label} copied to the clipboard.`);
    } catch {
      toast.error("Could not copy: select the text and copy it by hand.");
    }
  }
  return (
    <button
      type="button"
      onClick={copy}
      aria-label={`Copy ${label}`}
      className="rounded-md border border-slate-600 bg-slate-800 px-2 py-1 text-xs font-medium text-slate-100 hover:bg-slate-700 focus-visible:outline focus-visible:outline-2 focus-visible:outline-indigo-400"
    >
      Copy
    </button>
  );
}

/** A code block with its copy button. */
export function CodeBlock({ title, code }: { title: string; code: string }) {
  return (
    <div className="relative mt-1">
      <pre
        tabIndex={0}
        aria-label={title}
        className="overflow-x-auto rounded-md bg-slate-900 p-4 pr-16 text-xs text-slate-100 dark:bg-slate-800"
      >
        <code>{code}</code>
      </pre>
      <div className="absolute top-2 right-2">
        <CopyButton text={code} label={title} />
      </div>
    </div>
  );
}

/**
 * One example per language behind tabs (the WAI-ARIA tabs pattern: arrow keys, Home and End move
 * between tabs, and the selected tab alone is in the tab order).
 */
export function CodeTabs({
  examples,
  label = "Language",
}: {
  examples: Array<{ title: string; code: string }>;
  /** The tab list's name: each group of examples on a page needs its own. */
  label?: string;
}) {
  const [selected, setSelected] = useState(0);
  const id = useId();
  const tabs = useRef<Array<HTMLButtonElement | null>>([]);

  function onKeyDown(event: React.KeyboardEvent) {
    const last = examples.length - 1;
    const next =
      event.key === "ArrowRight"
        ? (selected + 1) % examples.length
        : event.key === "ArrowLeft"
          ? (selected + last) % examples.length
          : event.key === "Home"
            ? 0
            : event.key === "End"
              ? last
              : null;
    if (next === null) return;
    event.preventDefault();
    setSelected(next);
    tabs.current[next]?.focus();
  }

  return (
    <div className="mt-4">
      <div role="tablist" aria-label={label} className="flex flex-wrap gap-1" onKeyDown={onKeyDown}>
        {examples.map((example, i) => (
          <button
            key={example.title}
            ref={(element) => {
              tabs.current[i] = element;
            }}
            type="button"
            role="tab"
            id={`${id}-tab-${i}`}
            aria-selected={i === selected}
            aria-controls={`${id}-panel`}
            tabIndex={i === selected ? 0 : -1}
            onClick={() => setSelected(i)}
            className={`rounded-t-md px-3 py-1.5 text-sm ${i === selected ? "bg-slate-900 font-medium text-slate-100 dark:bg-slate-800" : "text-slate-700 hover:bg-slate-100 dark:text-slate-300 dark:hover:bg-slate-800"}`}
          >
            {example.title}
          </button>
        ))}
      </div>
      <div role="tabpanel" id={`${id}-panel`} aria-labelledby={`${id}-tab-${selected}`}>
        <CodeBlock title={`${examples[selected].title} example`} code={examples[selected].code} />
      </div>
    </div>
  );
}
