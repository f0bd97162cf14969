import { describe, expect, it } from "vitest";
import { budgetIp } from "@/lib/limits/ip-budget";

describe("budgetIp: the client a per-IP budget counts", () => {
  it("keeps an IPv4 address as it is", () => {
    expect(budgetIp("203.0.113.7")).toBe("203.0.113.7");
  });

  it("counts every address of an IPv6 /64 as one client", () => {
    const a = budgetIp("2001:db8:1:2::1");
    expect(a).toBe("2001:db8:1:2::/64");
    expect(budgetIp("2001:db8:1:2:ffff:ffff:ffff:ffff")).toBe(a);
    expect(budgetIp("2001:0db8:0001:0002:0:0:0:abcd")).toBe(a);
    expect(budgetIp("2001:db8:1:3::1")).not.toBe(a);
  });

  it("reads an IPv4-mapped IPv6 address as its IPv4 address, and leaves text it can't parse alone", () => {
    expect(budgetIp("::ffff:198.51.100.9")).toBe("198.51.100.9");
    expect(budgetIp("fe80::1%eth0")).toBe("fe80:0:0:0::/64");
    expect(budgetIp("unknown")).toBe("unknown");
    expect(budgetIp("not:an:address:zz")).toBe("not:an:address:zz");
  });
});
