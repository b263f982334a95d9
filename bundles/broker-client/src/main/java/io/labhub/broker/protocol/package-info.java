/**
 * The broker protocol of docs/protocol.md as code: message types, field names, the JSON mapping (one
 * strict {@code ObjectMapper}) and the channel/event encodings, in {@link io.labhub.broker.protocol.Wire}.
 * The client ({@code io.labhub.broker.client}, same bundle) and the broker server (bundle
 * {@code io.labhub.broker}, which imports this package) both spell every field through it, so the server
 * bundle is needed only where a broker runs.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.1.0")
package io.labhub.broker.protocol;
