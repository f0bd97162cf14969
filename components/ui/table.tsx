/**
 * The portal's data table: a scrolling frame, a caption for screen readers, one header row, and
 * the rows as children. `className` and `headClassName` add to the table and its head (the keys
 * list stacks its rows as cards on phones).
 */
export function DataTable({
  caption,
  columns,
  children,
  className = "",
  frameClassName = "overflow-x-auto",
  headClassName = "",
}: {
  caption: string;
  /** Header labels; a column whose label is for screen readers only is `{ label, srOnly: true }`. */
  columns: Array<string | { label: string; srOnly: true }>;
  children: React.ReactNode;
  className?: string;
  frameClassName?: string;
  headClassName?: string;
}) {
  return (
    <div className={`relative mt-4 ${frameClassName}`}>
      <table className={`w-full text-left text-sm ${className}`}>
        <caption className="sr-only">{caption}</caption>
        <thead
          className={`border-b border-slate-200 text-slate-600 dark:border-slate-800 dark:text-slate-400 ${headClassName}`}
        >
          <tr>
            {columns.map((column, i) => {
              const label = typeof column === "string" ? column : column.label;
              const padding = i === 0 ? "py-2 pr-3" : i < columns.length - 1 ? "pr-3" : "";
              return (
                <th key={label} scope="col" className={`${padding} font-medium`}>
                  {typeof column === "string" ? label : <span className="sr-only">{label}</span>}
                </th>
              );
            })}
          </tr>
        </thead>
        {children}
      </table>
    </div>
  );
}
