import { redirect } from "next/navigation";
import { sessionUserId } from "@/lib/auth/next-auth";

export const dynamic = "force-dynamic";

export default async function Home() {
  redirect((await sessionUserId()) ? "/keys" : "/login");
}
