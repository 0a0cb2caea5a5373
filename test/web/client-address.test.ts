/** Per-address limits key on an address the client cannot choose (web/lib/client-address.ts). */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { clientAddress, trustedProxies } from "../../web/lib/client-address.ts";

describe("client address", () => {
  it("is the TCP peer when no proxy is trusted, whatever X-Forwarded-For says", () => {
    assert.equal(clientAddress("203.0.113.9", "198.51.100.1", 0), "198.51.100.1");
    assert.equal(clientAddress(undefined, "198.51.100.1", 0), "198.51.100.1");
    assert.equal(clientAddress("203.0.113.9", undefined, 0), "unknown");
  });

  it("goes back one X-Forwarded-For entry per trusted proxy, never past the first", () => {
    // A client sent "6.6.6.6" itself; the load balancer appended the address it saw (203.0.113.9).
    const header = "6.6.6.6, 203.0.113.9";
    assert.equal(clientAddress(header, "10.0.0.2", 1), "203.0.113.9");
    assert.equal(clientAddress(header, "10.0.0.2", 2), "6.6.6.6");
    assert.equal(clientAddress(header, "10.0.0.2", 5), "6.6.6.6");
    assert.equal(clientAddress(undefined, "10.0.0.2", 1), "10.0.0.2", "a proxy that sent no header: its own address");
    assert.equal(clientAddress(" , 203.0.113.9 ,", "10.0.0.2", 1), "203.0.113.9", "empty entries are not hops");
  });

  it("reads AGENTRY_TRUSTED_PROXIES, defaulting to 0, and names a wrong value", () => {
    assert.equal(trustedProxies({}), 0);
    assert.equal(trustedProxies({ AGENTRY_TRUSTED_PROXIES: " " }), 0);
    assert.equal(trustedProxies({ AGENTRY_TRUSTED_PROXIES: "2" }), 2);
    for (const wrong of ["-1", "1.5", "many", "17"]) {
      assert.throws(() => trustedProxies({ AGENTRY_TRUSTED_PROXIES: wrong }), /AGENTRY_TRUSTED_PROXIES .*number of your proxies/, wrong);
    }
  });
});
