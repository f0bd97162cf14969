"use client";

import { useState } from "react";
import { saveWorkingHoursAction } from "@/lib/actions/plan";
import { TextField } from "@/components/auth/text-field";
import { alertError, button, field, fieldError, help, label } from "@/components/ui/styles";
import { useSchemaForm } from "@/components/ui/use-schema-form";
import { workingHoursSchema } from "@/lib/auth/auth-schemas";

function hourInput(value: FormDataEntryValue | null): number | undefined {
  const text = String(value ?? "").trim();
  return text === "" ? undefined : Number(text);
}

export function WorkingHoursForm({
  timeZone,
  timeZones,
  start,
  end,
}: {
  timeZone: string;
  /** The IANA zones to choose from (the page lists Intl.supportedValuesOf("timeZone")). */
  timeZones: string[];
  start: number;
  end: number;
}) {
  const [saved, setSaved] = useState(false);
  const { errors, formError, onSubmit } = useSchemaForm(
    workingHoursSchema,
    (form) => {
      setSaved(false);
      return {
        time_zone: form.get("time_zone"),
        // Number("") is 0: keep blanks blank so they fail validation instead of meaning midnight.
        work_start_hour: hourInput(form.get("work_start_hour")),
        work_end_hour: hourInput(form.get("work_end_hour")),
      };
    },
    async (data) => {
      const result = await saveWorkingHoursAction(data);
      if (!result.ok) return result;
      setSaved(true);
    },
    "Could not reach the server; nothing was saved.",
  );

  return (
    <form onSubmit={onSubmit} noValidate className="mt-3 grid max-w-xl gap-4 sm:grid-cols-3">
      {/* A list, not free text: only a zone the runtime knows can be chosen. */}
      <div>
        <label htmlFor="time_zone" className={label}>
          Time zone
        </label>
        <select
          id="time_zone"
          name="time_zone"
          defaultValue={timeZone}
          aria-invalid={Boolean(errors.time_zone)}
          aria-describedby={errors.time_zone ? "time_zone-help time_zone-error" : "time_zone-help"}
          className={`${field} w-full`}
        >
          {timeZones.map((zone) => (
            <option key={zone} value={zone}>
              {zone.replace(/_/g, " ")}
            </option>
          ))}
        </select>
        <p id="time_zone-help" className={help}>
          Used for times across the portal and the off-hours alert.
        </p>
        {errors.time_zone && (
          <p id="time_zone-error" className={fieldError}>
            Time zone {errors.time_zone}
          </p>
        )}
      </div>
      <TextField
        id="work_start_hour"
        label="Start hour"
        type="number"
        min={0}
        max={23}
        defaultValue={start}
        error={errors.work_start_hour}
      />
      <TextField
        id="work_end_hour"
        label="End hour"
        type="number"
        min={0}
        max={24}
        defaultValue={end}
        error={errors.work_end_hour}
      />
      <div className="flex items-center gap-3 sm:col-span-3">
        <button type="submit" className={button.secondary}>
          Save working hours
        </button>
        <p aria-live="polite" className={formError ? alertError : "text-sm"}>
          {formError ?? (saved ? "Working hours saved." : "")}
        </p>
      </div>
    </form>
  );
}
