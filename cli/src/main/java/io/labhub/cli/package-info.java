/**
 * {@code bin/labhub-cli}, the client command for a running hub (docs/cli.md): {@link io.labhub.cli.Main} parses
 * the command line ({@code Options}), finds the hub's broker ({@code HubAddress}) and this client's own key
 * ({@code Keys}), and runs one verb ({@code Commands}): broker requests without a session on one CURVE socket
 * ({@code BrokerLink}), channels through the runtime's own transports ({@code CliChannelContext}). Not a bundle:
 * a plain jar on a class path of the runtime's bundle jars; nothing here is API.
 */
package io.labhub.cli;
