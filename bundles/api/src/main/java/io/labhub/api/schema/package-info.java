/**
 * Channel schemas (docs/schemas.md is the reference): a producer declares the type of its messages or
 * slots once, as a flat record of named, typed fields at documented offsets (the semantics of a numpy
 * structured dtype with explicit offsets, little-endian), and consumers read each message through a
 * typed, zero-copy {@link io.labhub.api.schema.RecordView}.
 *
 * <p>A {@link io.labhub.api.schema.Schema} travels with the channel: the broker stores it with the
 * registration and hands it out on discovery ({@code ChannelInfo.schema()}), and a shm producer writes it
 * into its segment with its {@linkplain io.labhub.api.schema.Schema#hash() hash}, which a consumer checks.
 * The rules a schema must follow are the Validator's ({@code io.labhub.validation.Validator#schema}).
 */
@Export
@Version("1.0.0")
package io.labhub.api.schema;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
