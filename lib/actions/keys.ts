"use server";

import "server-only";
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { notFound } from "@/lib/http/errors";
import { accountAction, portalAuditContext } from "@/lib/http/portal-action";
import { createKey, deleteKey, rotateKey, setKeyStatus, updateKey } from "@/lib/keys/key-commands";
import { toKeyResponse } from "@/lib/keys/key-response";
import {
  generateKeySchema,
  keyIdParamsSchema,
  keyStatusSchema,
  renameKeySchema,
  rotateKeySchema,
  updateKeySchema,
} from "@/lib/keys/key-schemas";

// Thin adapters: the same lib calls and schemas as the REST handlers under app/api/api-keys.

const withId = { id: z.number().int().positive() };

function revalidateKey(id: number) {
  revalidatePath("/keys");
  revalidatePath(`/keys/${id}`);
}

export async function generateKeyAction(input: unknown) {
  return accountAction(generateKeySchema, input, async (userId, data) => {
    const { key, secret } = await createKey(userId, data, await portalAuditContext());
    revalidatePath("/keys");
    return { key: toKeyResponse(key), secret };
  });
}

export async function setKeyStatusAction(input: unknown) {
  return accountAction(keyStatusSchema.extend(withId), input, async (userId, { id, status }) => {
    const key = await setKeyStatus(userId, id, status, await portalAuditContext());
    if (!key) throw notFound("API key not found");
    revalidateKey(id);
    return toKeyResponse(key);
  });
}

export async function deleteKeyAction(input: unknown) {
  return accountAction(keyIdParamsSchema.extend(withId), input, async (userId, { id }) => {
    if (!(await deleteKey(userId, id, await portalAuditContext()))) throw notFound("API key not found");
    revalidatePath("/keys");
    return { id };
  });
}

export async function renameKeyAction(input: unknown) {
  return accountAction(renameKeySchema.extend(withId), input, async (userId, { id, api_key_name }) => {
    const key = await updateKey(userId, id, { api_key_name }, await portalAuditContext());
    if (!key) throw notFound("API key not found");
    revalidateKey(id);
    return toKeyResponse(key);
  });
}

/** The key page's access form: environment, routes, read-only and allow-list. */
export async function updateKeyAction(input: unknown) {
  // updateKeySchema is refined (at least one field), and zod cannot extend a refined object.
  const schema = z.object({ ...withId, changes: updateKeySchema });
  return accountAction(schema, input, async (userId, { id, changes }) => {
    const key = await updateKey(userId, id, changes, await portalAuditContext());
    if (!key) throw notFound("API key not found");
    revalidateKey(id);
    return toKeyResponse(key);
  });
}

export async function rotateKeyAction(input: unknown) {
  return accountAction(rotateKeySchema.extend(withId), input, async (userId, { id, grace_period_seconds }) => {
    const rotated = await rotateKey(userId, id, grace_period_seconds, await portalAuditContext());
    if (!rotated) throw notFound("API key not found");
    // No revalidation here: re-rendering the list now would unmount the old key's row, and with
    // it the copy-once modal holding the new secret. The component refreshes once it is closed.
    return { key: toKeyResponse(rotated.key), secret: rotated.secret };
  });
}
