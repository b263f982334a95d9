/**
 * The Gogo commands of LabHub ({@code hub:*}, {@code broker:*}). Thin: each command calls a service
 * (Hub, Broker, CurveSecurity) and formats its answer; failures are thrown as one-line
 * {@link io.labhub.api.LabHubException}s, which Gogo prints and {@code bin/labhub -c} turns into exit 1.
 * Not exported.
 */
package io.labhub.shell.internal;
