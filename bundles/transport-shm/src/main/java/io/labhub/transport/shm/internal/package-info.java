/**
 * The shared-memory ring and the {@code shm} transport. {@link io.labhub.transport.shm.internal.ShmLayout}
 * owns every offset (docs/shm-layout.md is the prose version); {@link io.labhub.transport.shm.internal.RingProducer}
 * and {@link io.labhub.transport.shm.internal.RingConsumer} are usable on their own (no Hub, no broker);
 * {@link io.labhub.transport.shm.internal.ShmTransportImpl} is the DS component that adds broker
 * registration, discovery, attach counts and events. Never exported.
 */
package io.labhub.transport.shm.internal;
