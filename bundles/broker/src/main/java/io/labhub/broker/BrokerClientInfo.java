package io.labhub.broker;

import java.time.Instant;

/**
 * A client as the broker sees it.
 *
 * @param clientKey     the client's CURVE public key (Z85), its identity
 * @param channels      active channels it produces
 * @param lastHeartbeat when the broker last heard from it
 * @param alive         {@code false} once it missed its heartbeats (it stays listed for a while)
 */
public record BrokerClientInfo(String clientKey, int channels, Instant lastHeartbeat, boolean alive) {
}
