/**
 * The ZeroMQ transport's implementation: the {@code pubsub} and {@code reqrep} transport services, one
 * I/O thread per channel end that owns its sockets, and the wire format ({@code WireFormat}, described
 * for other languages in docs/zmq-channels.md). Not exported.
 */
package io.labhub.transport.zmq.internal;
