"use server";

import "server-only";
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { notFound } from "@/lib/http/errors";
import {
  organizationAction,
  portalAuditContext,
  requireRecentAuthentication,
  sensitiveOrganizationAction,
} from "@/lib/http/portal-action";
import { createKey, deleteKey, rotateKey, setKeyStatus, updateKey } from "@/lib/keys/key-commands";
import { getKey } from "@/lib/keys/key-queries";
import { toKeyResponse } from "@/lib/keys/key-response";
import {
  generateKeySchema,
  keyIdParamsSchema,
  keyStatusSchema,
  renameKeySchema,
  rotateKeySchema,
  updateKeySchema,
} from "@/lib/keys/key-schemas";

// Thin adapters: the same lib calls, schemas and role checks as the REST handlers under
// app/api/api-keys, on the organization the portal shows. Generating, rotating, deleting and
// reactivating a key deactivated for a leak also want sudo mode (lib/auth/reauthentication.ts),
// which REST does not: the reference lets a Bearer token do them.

const withId = { id: z.number().int().positive() };

function revalidateKey(id: number) {
  revalidatePath("/keys");
  revalidatePath(`/keys/${id}`);
}

export async function generateKeyAction(input: unknown) {
  return sensitiveOrganizationAction("keys.write", generateKeySchema, input, async ({ organizationId }, data) => {
    const { key, secret } = await createKey(organizationId, data, await portalAuditContext());
    revalidatePath("/keys");
    return { key: toKeyResponse(key), secret };
  });
}

export async function setKeyStatusAction(input: unknown) {
  return organizationAction(
    "keys.write",
    keyStatusSchema.extend(withId),
    input,
    async ({ organizationId }, { id, status }) => {
      // Someone reported it leaked: turning it back on is as sensitive as a new key. Any change of
      // its status asks, not only "active": each clears the reason, so "inactive" then "active"
      // would otherwise reactivate it without the password.
      if ((await getKey(organizationId, id))?.statusReason === "reported_leak") await requireRecentAuthentication();
      const key = await setKeyStatus(organizationId, id, status, await portalAuditContext());
      if (!key) throw notFound("API key not found");
      revalidateKey(id);
      return toKeyResponse(key);
    },
  );
}

export async function deleteKeyAction(input: unknown) {
  return sensitiveOrganizationAction(
    "keys.delete",
    keyIdParamsSchema.extend(withId),
    input,
    async ({ organizationId }, { id }) => {
      if (!(await deleteKey(organizationId, id, await portalAuditContext()))) throw notFound("API key not found");
      revalidatePath("/keys");
      return { id };
    },
  );
}

export async function renameKeyAction(input: unknown) {
  return organizationAction(
    "keys.write",
    renameKeySchema.extend(withId),
    input,
    async ({ organizationId }, { id, api_key_name }) => {
      const key = await updateKey(organizationId, id, { api_key_name }, await portalAuditContext());
      if (!key) throw notFound("API key not found");
      revalidateKey(id);
      return toKeyResponse(key);
    },
  );
}

/** The key page's access form: environment, routes, read-only and allow-list. */
export async function updateKeyAction(input: unknown) {
  // updateKeySchema is refined (at least one field), and zod cannot extend a refined object.
  const schema = z.object({ ...withId, changes: updateKeySchema });
  return organizationAction("keys.write", schema, input, async ({ organizationId }, { id, changes }) => {
    const key = await updateKey(organizationId, id, changes, await portalAuditContext());
    if (!key) throw notFound("API key not found");
    revalidateKey(id);
    return toKeyResponse(key);
  });
}

export async function rotateKeyAction(input: unknown) {
  return sensitiveOrganizationAction(
    "keys.write",
    rotateKeySchema.extend(withId),
    input,
    async ({ organizationId }, { id, grace_period_seconds }) => {
      const rotated = await rotateKey(organizationId, id, grace_period_seconds, await portalAuditContext());
      if (!rotated) throw notFound("API key not found");
      // No revalidation here: re-rendering the list now would unmount the old key's row, and with
      // it the copy-once modal holding the new secret. The component refreshes once it is closed.
      return { key: toKeyResponse(rotated.key), secret: rotated.secret };
    },
  );
}
