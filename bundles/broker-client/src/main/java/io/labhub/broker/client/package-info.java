/**
 * The broker client library: what the Hub (and any Java program) uses to register channels, discover
 * them, attach to shm channels, heartbeat and receive broker events, over the protocol of
 * docs/protocol.md. {@link io.labhub.broker.client.BrokerClient#start} never blocks on the broker and
 * re-registers everything after a broker restart.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package io.labhub.broker.client;
