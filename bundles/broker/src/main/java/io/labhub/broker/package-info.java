/**
 * The LabHub channel broker: a registry of channels that producers offer and consumers discover, with
 * heartbeats, liveness expiry, shm attach counts and events, spoken over CurveZMQ (ROUTER socket) in the
 * JSON protocol of docs/protocol.md.
 *
 * <p>Inside the runtime the broker is the {@link io.labhub.broker.Broker} service (configuration PID
 * {@code io.labhub.broker}); outside OSGi, {@link io.labhub.broker.BrokerServer#start} runs one.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package io.labhub.broker;
