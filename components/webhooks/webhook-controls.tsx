"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { toast } from "sonner";
import { useReauthenticated } from "@/components/auth/reauthentication";
import {
  deleteWebhookAction,
  redeliverAction,
  rotateWebhookSecretAction,
  sendTestEventAction,
  setWebhookStatusAction,
} from "@/lib/actions/webhooks";
import { button } from "@/components/ui/styles";
import { ShownSecret } from "./shown-secret";

type Result = { ok: true } | { ok: false; message: string };

/** An endpoint's buttons: send a test event, enable or disable, rotate the secret, delete. */
export function WebhookControls({ id, url, status }: { id: number; url: string; status: "enabled" | "disabled" }) {
  const router = useRouter();
  const sudo = useReauthenticated();
  const [pending, setPending] = useState(false);
  const [secret, setSecret] = useState<string | null>(null);

  const run = async (action: () => Promise<Result>, done: string) => {
    setPending(true);
    const result = await action().catch(() => null);
    setPending(false);
    if (!result?.ok) {
      toast.error(result?.message ?? "Could not reach the server; nothing was changed.");
      return;
    }
    toast.success(done);
    router.refresh();
  };

  return (
    <div>
      <div className="flex flex-wrap gap-2">
        <button
          type="button"
          className={button.secondary}
          disabled={pending}
          onClick={() => run(() => sendTestEventAction({ id }), "Test event queued.")}
        >
          Send test event
        </button>
        <button
          type="button"
          className={button.secondary}
          disabled={pending}
          onClick={() =>
            run(
              () => setWebhookStatusAction({ id, status: status === "enabled" ? "disabled" : "enabled" }),
              status === "enabled" ? "Endpoint disabled." : "Endpoint enabled.",
            )
          }
        >
          {status === "enabled" ? "Disable" : "Enable"}
        </button>
        <button
          type="button"
          className={button.secondary}
          disabled={pending}
          onClick={async () => {
            setPending(true);
            const result = await sudo(() => rotateWebhookSecretAction({ id })).catch(() => null);
            setPending(false);
            if (!result?.ok) {
              toast.error(result?.message ?? "Could not reach the server; the secret is unchanged.");
              return;
            }
            setSecret(result.data.secret);
          }}
        >
          Rotate secret
        </button>
        <button
          type="button"
          className={button.danger}
          disabled={pending}
          aria-label={`Delete endpoint ${url}`}
          onClick={() => {
            if (!window.confirm(`Delete the endpoint ${url}? Its pending deliveries are dropped.`)) return;
            void run(() => deleteWebhookAction({ id }), "Endpoint deleted.");
          }}
        >
          Delete
        </button>
      </div>
      {secret && (
        <ShownSecret secret={secret} title="New signing secret (the old one keeps signing beside it for 24 hours)" />
      )}
    </div>
  );
}

/** Sends one delivery again, with the same webhook-id. */
export function Redeliver({ id, deliveryId }: { id: number; deliveryId: number }) {
  const router = useRouter();
  const [pending, setPending] = useState(false);
  return (
    <button
      type="button"
      className="text-sm text-indigo-700 underline hover:no-underline disabled:opacity-50 dark:text-indigo-300"
      disabled={pending}
      aria-label={`Redeliver delivery ${deliveryId}`}
      onClick={async () => {
        setPending(true);
        const result = await redeliverAction({ id, deliveryId }).catch(() => null);
        setPending(false);
        if (!result?.ok) {
          toast.error(result?.message ?? "Could not reach the server; nothing was queued.");
          return;
        }
        toast.success("Queued again.");
        router.refresh();
      }}
    >
      Redeliver
    </button>
  );
}
