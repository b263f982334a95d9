/**
 * The LabHub API: what an instrument driver programs against.
 *
 * <p>A driver obtains every channel from the {@link io.labhub.api.Hub} service and never touches a
 * transport directly. Three kinds of channel exist ({@link io.labhub.api.ChannelKind}): shared memory
 * ({@code shm}), ZeroMQ publish/subscribe ({@code pubsub}) and ZeroMQ request/reply ({@code reqrep}).
 * Every failure is a {@link io.labhub.api.LabHubException} carrying an {@link io.labhub.api.ErrorCode}.
 */
@Export
@Version("1.8.0")
package io.labhub.api;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
