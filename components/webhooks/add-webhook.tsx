"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { useReauthenticated } from "@/components/auth/reauthentication";
import { createWebhookAction } from "@/lib/actions/webhooks";
import { alertError, button, field, help, label } from "@/components/ui/styles";
import { ShownSecret } from "./shown-secret";

/** Add an endpoint: its URL, the events it receives, a note; the signing secret is shown once. */
export function AddWebhook({ eventTypes }: { eventTypes: readonly string[] }) {
  const router = useRouter();
  const sudo = useReauthenticated();
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [secret, setSecret] = useState<string | null>(null);

  return (
    <div>
      <form
        className="mt-3 grid gap-3"
        onSubmit={async (event) => {
          event.preventDefault();
          const formElement = event.currentTarget;
          const form = new FormData(formElement);
          const description = String(form.get("description") ?? "").trim();
          setPending(true);
          setError(null);
          setSecret(null);
          const result = await sudo(() =>
            createWebhookAction({
              url: String(form.get("url") ?? "").trim(),
              events: form.getAll("events").map(String),
              ...(description ? { description } : {}),
            }),
          ).catch(() => null);
          setPending(false);
          if (!result?.ok) {
            setError(result?.message ?? "Could not reach the server; no endpoint was added.");
            return;
          }
          setSecret(result.data.secret);
          formElement.reset();
          router.refresh();
        }}
      >
        <div>
          <label htmlFor="webhook-url" className={label}>
            Endpoint URL
          </label>
          <input
            id="webhook-url"
            name="url"
            type="url"
            required
            placeholder="https://hooks.example.com/keyportal"
            className={`${field} w-full`}
            aria-describedby="webhook-url-help"
          />
          <p id="webhook-url-help" className={help}>
            http(s), on a public address: private and local addresses are refused.
          </p>
        </div>
        <fieldset>
          <legend className={label}>Events</legend>
          <div className="flex flex-wrap gap-x-4 gap-y-1">
            {eventTypes.map((type) => (
              <label key={type} className="inline-flex items-center gap-1 text-sm">
                <input type="checkbox" name="events" value={type} defaultChecked={type.startsWith("key.")} />
                {type}
              </label>
            ))}
          </div>
        </fieldset>
        <div>
          <label htmlFor="webhook-description" className={label}>
            Description (optional)
          </label>
          <input id="webhook-description" name="description" maxLength={200} className={`${field} w-full`} />
        </div>
        <div>
          <button type="submit" className={button.primary} disabled={pending}>
            Add endpoint
          </button>
        </div>
      </form>
      {error && (
        <p role="alert" className={`${alertError} mt-3`}>
          {error}
        </p>
      )}
      {secret && <ShownSecret secret={secret} title="Signing secret of the new endpoint" />}
    </div>
  );
}
