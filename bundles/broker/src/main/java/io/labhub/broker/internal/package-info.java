/**
 * The broker's implementation, private to this bundle: the registry and its liveness rules
 * ({@code Registry}), request handling ({@code Dispatcher}), the socket thread ({@code BrokerLoop}) and
 * the DS component ({@code BrokerComponent}). The wire format is {@code io.labhub.broker.protocol.Wire}
 * (bundle {@code io.labhub.broker-client}); docs/protocol.md is the reference.
 */
package io.labhub.broker.internal;
