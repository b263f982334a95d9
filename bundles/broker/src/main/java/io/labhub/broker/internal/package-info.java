/**
 * The broker's implementation, private to this bundle: the wire format ({@code Wire}), the registry and
 * its liveness rules ({@code Registry}), request handling ({@code Dispatcher}), the socket thread
 * ({@code BrokerLoop}) and the DS component ({@code BrokerComponent}). docs/protocol.md is the reference.
 */
package io.labhub.broker.internal;
