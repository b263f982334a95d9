package io.labhub.api;

import io.labhub.api.schema.Schema;
import java.util.Map;
import java.util.Objects;

/**
 * What the broker knows of a channel: enough for a consumer to connect to its producer.
 *
 * @param name      the channel's name
 * @param kind      its kind
 * @param producer  the producing client's identity (its CURVE public key, Z85)
 * @param endpoint  where to connect: a ZeroMQ endpoint ({@code tcp://127.0.0.1:40123}) or a
 *                  shared-memory segment name
 * @param serverKey the producer socket's CURVE public key (Z85), or {@code null} for {@code shm}
 * @param metadata  free-form properties the producer published (units, frame size, layout version)
 * @param consumers how many consumers are attached (counted by the broker for {@code shm})
 * @param state     the channel's state
 * @param schema    the type of its messages as the producer declared it (docs/schemas.md), or {@code null}
 */
public record ChannelInfo(
        ChannelName name,
        ChannelKind kind,
        String producer,
        String endpoint,
        String serverKey,
        Map<String, String> metadata,
        int consumers,
        ChannelState state,
        Schema schema) {

    public ChannelInfo {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(state, "state");
        metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
    }

    /** A channel without a schema (the form before API 1.5). */
    public ChannelInfo(ChannelName name, ChannelKind kind, String producer, String endpoint, String serverKey,
                       Map<String, String> metadata, int consumers, ChannelState state) {
        this(name, kind, producer, endpoint, serverKey, metadata, consumers, state, null);
    }

    /** @return the schema's hash ({@link Schema#hash()}), or {@code null} without a schema */
    public String schemaHash() {
        return schema == null ? null : schema.hash();
    }

    /** @return this description with another schema */
    public ChannelInfo withSchema(Schema s) {
        return new ChannelInfo(name, kind, producer, endpoint, serverKey, metadata, consumers, state, s);
    }
}
