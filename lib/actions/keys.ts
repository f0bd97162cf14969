"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { notFound } from "@/lib/http/errors";
import { accountAction } from "@/lib/http/portal-action";
import { createKey, deleteKey, renameKey, setKeyStatus, toKeyResponse } from "@/lib/keys/keys";
import { generateKeySchema, keyIdParamsSchema, keyStatusSchema, renameKeySchema } from "@/lib/validation/schemas";

// Thin adapters: the same lib calls and schemas as the REST handlers under app/api/api-keys.

export async function generateKeyAction(input: unknown) {
  return accountAction(generateKeySchema, input, async (userId, data) => {
    const { key, secret } = await createKey(userId, data);
    revalidatePath("/keys");
    return { key: toKeyResponse(key), secret };
  });
}

const statusChange = keyStatusSchema.extend({ id: z.number().int().positive() });

export async function setKeyStatusAction(input: unknown) {
  return accountAction(statusChange, input, async (userId, { id, status }) => {
    const key = await setKeyStatus(userId, id, status);
    if (!key) throw notFound("API key not found");
    revalidatePath("/keys");
    return toKeyResponse(key);
  });
}

export async function deleteKeyAction(input: unknown) {
  return accountAction(keyIdParamsSchema.extend({ id: z.number().int().positive() }), input, async (userId, { id }) => {
    if (!(await deleteKey(userId, id))) throw notFound("API key not found");
    revalidatePath("/keys");
    return { id };
  });
}

const rename = renameKeySchema.extend({ id: z.number().int().positive() });

export async function renameKeyAction(input: unknown) {
  return accountAction(rename, input, async (userId, { id, api_key_name }) => {
    const key = await renameKey(userId, id, api_key_name);
    if (!key) throw notFound("API key not found");
    revalidatePath("/keys");
    revalidatePath(`/keys/${id}`);
    return toKeyResponse(key);
  });
}
