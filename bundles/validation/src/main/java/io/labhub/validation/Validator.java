package io.labhub.validation;

import io.labhub.api.schema.Schema;
import io.labhub.api.ChannelKind;
import io.labhub.api.ChannelName;
import io.labhub.api.ConsumerOptions;
import io.labhub.api.InvalidInputException;
import io.labhub.api.ShmOptions;
import io.labhub.api.ZmqOptions;

import java.util.Map;

/**
 * The one place where LabHub checks what comes in from outside. Every entry point (the Hub, the broker,
 * the shell, key files) calls it before acting, and nothing re-implements a check.
 *
 * <p>Every method either returns normally or throws an {@link InvalidInputException} (error code
 * {@code INVALID_ARGUMENT}) whose {@link InvalidInputException#rule() rule()} is one of the stable
 * identifiers below and whose message starts with {@code [rule]} and quotes the offending value
 * truncated and escaped (see the {@linkplain io.labhub.validation package documentation}). No other
 * exception escapes, whatever the input.
 *
 * <h2>Rules</h2>
 * <table>
 *   <caption>Rule identifiers</caption>
 *   <tr><th>rule</th><th>refused when</th></tr>
 *   <tr><td>{@code name.null}</td><td>the channel name is {@code null}</td></tr>
 *   <tr><td>{@code name.empty}</td><td>the channel name is {@code ""}</td></tr>
 *   <tr><td>{@code name.length}</td><td>the channel name has more than 255 characters</td></tr>
 *   <tr><td>{@code name.charset}</td><td>a character is not one of {@code A-Z a-z 0-9 _ . -} (ASCII only:
 *       path separators, spaces, NUL, control characters, look-alikes and emoji are all refused here)</td></tr>
 *   <tr><td>{@code name.start}</td><td>the first character is not an ASCII letter</td></tr>
 *   <tr><td>{@code name.level}</td><td>a level is empty: a trailing dot or two dots in a row
 *       (a leading dot is already {@code name.start})</td></tr>
 *   <tr><td>{@code key.null}</td><td>the key is {@code null}</td></tr>
 *   <tr><td>{@code key.length}</td><td>the key is not exactly 40 characters</td></tr>
 *   <tr><td>{@code key.alphabet}</td><td>a character is not in the Z85 alphabet</td></tr>
 *   <tr><td>{@code key.decode}</td><td>a 5-character group encodes a value above 2<sup>32</sup>-1</td></tr>
 *   <tr><td>{@code shm.slotSize}</td><td>slot size outside [1, {@link ValidationLimits#maxSlotSize()}]</td></tr>
 *   <tr><td>{@code shm.slotCount}</td><td>slot count outside [1, {@link ValidationLimits#maxSlotCount()}]</td></tr>
 *   <tr><td>{@code shm.total}</td><td>slot size &times; slot count overflows or exceeds
 *       {@link ValidationLimits#maxSegmentBytes()}</td></tr>
 *   <tr><td>{@code endpoint.null}</td><td>the endpoint (or the kind) is {@code null}</td></tr>
 *   <tr><td>{@code endpoint.length}</td><td>the endpoint is empty or longer than {@value #MAX_ENDPOINT_LENGTH}
 *       characters</td></tr>
 *   <tr><td>{@code endpoint.charset}</td><td>a character of the endpoint is not printable ASCII or is a space</td></tr>
 *   <tr><td>{@code endpoint.scheme}</td><td>a {@code pubsub} or {@code reqrep} endpoint does not start with
 *       {@code tcp://} (so {@code inproc://}, {@code ipc://}, {@code pgm://} are refused: other hosts cannot
 *       reach them)</td></tr>
 *   <tr><td>{@code endpoint.host}</td><td>the host of a {@code tcp://} endpoint is empty, a wildcard
 *       ({@code *}), or not a host name ({@code [A-Za-z0-9.-]}), IPv4 address or bracketed IPv6 address</td></tr>
 *   <tr><td>{@code endpoint.port}</td><td>the port of a {@code tcp://} endpoint is missing or not a number in
 *       1-65535</td></tr>
 *   <tr><td>{@code endpoint.segment}</td><td>a {@code shm} endpoint is not a segment name as the shm transport
 *       makes them: {@code labhub-} and 32 lowercase hex digits</td></tr>
 *   <tr><td>{@code endpoint.shmSize}</td><td>a {@code shm} registration lacks the size metadata the shm
 *       transport publishes ({@value #META_SHM_SLOT_SIZE} and {@value #META_SHM_SLOT_COUNT}, positive
 *       integers); sizes out of range are then {@code shm.slotSize}, {@code shm.slotCount} or
 *       {@code shm.total}</td></tr>
 *   <tr><td>{@code zmq.endpoint}</td><td>an endpoint a ZeroMQ producer binds is not {@code tcp://}, {@code ipc://}
 *       or {@code inproc://} followed by an address on one line (a wildcard host {@code *} and port {@code *} are
 *       allowed here: it is where to bind, not what consumers are handed)</td></tr>
 *   <tr><td>{@code options.null}</td><td>channel options are {@code null}</td></tr>
 *   <tr><td>{@code options.maxMessageSize}, {@code options.workerThreads}, {@code options.reliableTimeout}</td>
 *       <td>the option is 0 or negative</td></tr>
 *   <tr><td>{@code options.highWaterMark}, {@code options.waitForChannel}</td><td>the option is negative</td></tr>
 *   <tr><td>{@code metadata.null}</td><td>the metadata map itself is {@code null}</td></tr>
 *   <tr><td>{@code metadata.entries}</td><td>more than {@link ValidationLimits#maxMetadataEntries()} entries in
 *       total (every map entry and every list element counts, at every level)</td></tr>
 *   <tr><td>{@code metadata.depth}</td><td>more than {@link ValidationLimits#maxMetadataDepth()} levels of
 *       containers (the top-level map is level 1; each nested map or list adds one)</td></tr>
 *   <tr><td>{@code metadata.key}</td><td>a key is {@code null}, not a {@code String}, empty, longer than 128
 *       characters, or has a character outside {@code A-Z a-z 0-9 _ . -}</td></tr>
 *   <tr><td>{@code metadata.value}</td><td>a value is {@code null}; a string is longer than
 *       {@link ValidationLimits#maxMetadataValueLength()} characters or holds a control character
 *       (U+0000-U+001F, U+007F-U+009F, U+2028, U+2029) or an unpaired surrogate; a float or double is
 *       NaN or infinite</td></tr>
 *   <tr><td>{@code metadata.type}</td><td>a value is not a {@code String}, {@code Boolean}, number
 *       ({@code Byte Short Integer Long Float Double BigInteger BigDecimal}), {@code Map} or {@code List}</td></tr>
 *   <tr><td>{@code schema.fields}</td><td>a schema is not an object, {@code fields} is missing, not an array,
 *       empty or longer than {@value #MAX_SCHEMA_FIELDS}, a field is not an object, {@code reply} is not an object</td></tr>
 *   <tr><td>{@code schema.name}</td><td>a field name is missing, not a string, not an identifier
 *       {@code [A-Za-z_][A-Za-z0-9_]*} of 1-64 characters, or not unique in its record</td></tr>
 *   <tr><td>{@code schema.dtype}</td><td>a dtype is missing, not a string or not one of
 *       {@code u8 i8 u16 i16 u32 i32 u64 i64 f32 f64 bool bytes utf8}</td></tr>
 *   <tr><td>{@code schema.length}</td><td>a {@code length} on a dtype other than bytes/utf8, not an integer in
 *       1..65536, or omitted (open length) on a bytes/utf8 field that is not the last</td></tr>
 *   <tr><td>{@code schema.shape}</td><td>a shape is not an array of 1..8 integers each 1..2<sup>31</sup>-1, or is
 *       given to an open-length field</td></tr>
 *   <tr><td>{@code schema.unit}</td><td>a unit is not a string of 1-{@value #MAX_SCHEMA_UNIT_LENGTH} printable ASCII
 *       characters</td></tr>
 *   <tr><td>{@code schema.offset}</td><td>an offset is not an integer in 0..2<sup>31</sup>-1 or is before the end of
 *       the previous field (declared order, no overlap)</td></tr>
 *   <tr><td>{@code schema.size}</td><td>a field's byte size or end overflows or passes 2<sup>31</sup>-1; {@code size}
 *       is not an integer, is less than the end of the last field, or (open-length last field) is not that field's
 *       offset; a shm schema larger than the slot</td></tr>
 *   <tr><td>{@code schema.attributes}</td><td>{@code attributes} is not an object, has more than
 *       {@value #MAX_SCHEMA_ATTRIBUTES} entries, a key outside {@code [A-Za-z0-9_.-]{1,128}}, a value that is null, a
 *       string longer than {@value #MAX_SCHEMA_ATTRIBUTE_VALUE_LENGTH} characters or a number that is not finite</td></tr>
 *   <tr><td>{@code schema.depth}</td><td>the document nests deeper than 5 levels (schema, fields, field, shape; a
 *       reply one more), an attribute value is an object or an array, or a reply schema has a reply</td></tr>
 *   <tr><td>{@code schema.tooLarge}</td><td>the schema's compact JSON is longer than {@value #MAX_SCHEMA_JSON_BYTES}
 *       bytes (measured before anything else is checked, stopping at the limit)</td></tr>
 *   <tr><td>{@code schema.unknownKey}</td><td>a key other than {@code fields size attributes reply} in a schema or
 *       {@code name dtype length shape unit offset} in a field, or a {@code reply} on a channel that is not reqrep</td></tr>
 * </table>
 *
 * <p>Threading: implementations are immutable and thread-safe; no method blocks or allocates more than
 * a small, bounded amount (a huge map is refused by its {@code size()} before it is walked).
 */
@org.osgi.annotation.versioning.ProviderType
public interface Validator {

    /** Longest channel name, in characters. */
    int MAX_NAME_LENGTH = 255;

    /** Length of a Z85-encoded CURVE public key, in characters. */
    int KEY_LENGTH = 40;

    /** Length of a CURVE public key, in bytes. */
    int KEY_BYTES = 32;

    /** Longest metadata key, in characters. */
    int MAX_METADATA_KEY_LENGTH = 128;

    /** Longest endpoint, in characters. */
    int MAX_ENDPOINT_LENGTH = 1024;

    /** The metadata key of a shm channel's slot size (published by the shm transport). */
    String META_SHM_SLOT_SIZE = "shm.slotSize";

    /** The metadata key of a shm channel's slot count (published by the shm transport). */
    String META_SHM_SLOT_COUNT = "shm.slotCount";

    /**
     * Checks a channel name: 1-255 characters of {@code [A-Za-z0-9_.-]}, starting with an ASCII letter;
     * dots separate levels ({@code camera1.frames}) and no level is empty.
     *
     * @param name the name as given by a caller
     * @return the name, as a value that need not be checked again
     * @throws InvalidInputException {@code name.null}, {@code name.empty}, {@code name.length},
     *                               {@code name.charset}, {@code name.start} or {@code name.level}
     */
    ChannelName channelName(String name);

    /**
     * Checks a CURVE public key in Z85 text: 40 characters of the Z85 alphabet that decode to 32 bytes.
     *
     * @param z85 the key as text
     * @return the same key
     * @throws InvalidInputException {@code key.null}, {@code key.length}, {@code key.alphabet} or
     *                               {@code key.decode}
     */
    String publicKey(String z85);

    /**
     * Checks the geometry of a shared-memory ring before anything is mapped.
     *
     * @param slotSize  bytes of payload per slot, in [1, {@link ValidationLimits#maxSlotSize()}]
     * @param slotCount slots in the ring, in [1, {@link ValidationLimits#maxSlotCount()}]
     * @throws InvalidInputException {@code shm.slotSize}, {@code shm.slotCount} or {@code shm.total} (the
     *                               product overflows or exceeds {@link ValidationLimits#maxSegmentBytes()})
     */
    void shmSizes(long slotSize, long slotCount);

    /**
     * Checks a metadata map: string keys, values that are strings, numbers, booleans, or nested maps
     * and lists, within the entry count, depth and value length limits. Cycles are refused by the depth
     * limit.
     *
     * @param metadata the map (may be empty, must not be {@code null})
     * @return the same map, unchanged
     * @throws InvalidInputException {@code metadata.null}, {@code metadata.entries}, {@code metadata.depth},
     *                               {@code metadata.key}, {@code metadata.value} or {@code metadata.type}
     */
    Map<String, ?> metadata(Map<String, ?> metadata);

    /**
     * Checks an endpoint a producer registers, the address consumers will be handed: for {@code pubsub}
     * and {@code reqrep} a {@code tcp://host:port} that other hosts can connect to; for {@code shm} a
     * segment name of the shm transport's form ({@code labhub-} and 32 hex digits) together with the size
     * metadata the shm transport publishes ({@value #META_SHM_SLOT_SIZE}, {@value #META_SHM_SLOT_COUNT}),
     * which must pass {@link #shmSizes}.
     *
     * @param kind     the channel's kind
     * @param endpoint the endpoint as registered
     * @param metadata the channel's metadata (values as strings or numbers); only read for {@code shm}
     * @return the same endpoint
     * @throws InvalidInputException {@code endpoint.null}, {@code endpoint.length}, {@code endpoint.charset},
     *                               {@code endpoint.scheme}, {@code endpoint.host}, {@code endpoint.port},
     *                               {@code endpoint.segment}, {@code endpoint.shmSize}, {@code shm.slotSize},
     *                               {@code shm.slotCount} or {@code shm.total}
     */
    String endpoint(ChannelKind kind, String endpoint, Map<String, ?> metadata);

    /**
     * Checks where a ZeroMQ producer binds: {@code tcp://host:port}, {@code ipc://path} or
     * {@code inproc://name}; {@code tcp://*:*} (all interfaces, an ephemeral port) is allowed.
     *
     * @param endpoint the endpoint a producer asked for
     * @return the same endpoint
     * @throws InvalidInputException {@code zmq.endpoint}
     * @since 1.2
     */
    String bindEndpoint(String endpoint);

    /**
     * Checks the options of a shm producer: sizes as {@link #shmSizes}, metadata as {@link #metadata}, a
     * positive reliable timeout.
     *
     * @return the same options
     * @throws InvalidInputException {@code options.null}, {@code options.reliableTimeout}, or a size or
     *                               metadata rule
     * @since 1.2
     */
    ShmOptions shmOptions(ShmOptions options);

    /**
     * Checks the options of a ZeroMQ producer: a positive message size and worker count, a high-water mark
     * of 0 or more, metadata as {@link #metadata}, and an endpoint (when one is given) as {@link #bindEndpoint}.
     *
     * @return the same options
     * @throws InvalidInputException {@code options.null}, {@code options.maxMessageSize},
     *                               {@code options.workerThreads}, {@code options.highWaterMark},
     *                               {@code zmq.endpoint}, or a metadata rule
     * @since 1.2
     */
    ZmqOptions zmqOptions(ZmqOptions options);

    /**
     * Checks the options of a consumer: a positive message size, a high-water mark and a wait of 0 or more.
     *
     * @return the same options
     * @throws InvalidInputException {@code options.null}, {@code options.maxMessageSize},
     *                               {@code options.highWaterMark} or {@code options.waitForChannel}
     * @since 1.2
     */
    ConsumerOptions consumerOptions(ConsumerOptions options);

    /** Most fields in one schema record. */
    int MAX_SCHEMA_FIELDS = 256;

    /** Longest schema, as compact UTF-8 JSON, in bytes. */
    int MAX_SCHEMA_JSON_BYTES = 16 * 1024;

    /** Most attributes of one schema. */
    int MAX_SCHEMA_ATTRIBUTES = 64;

    /** Longest attribute string value, in characters. */
    int MAX_SCHEMA_ATTRIBUTE_VALUE_LENGTH = 4096;

    /** Longest field unit, in characters. */
    int MAX_SCHEMA_UNIT_LENGTH = 32;

    /**
     * Checks a channel schema in its JSON form (docs/schemas.md), read as plain values (maps, lists,
     * strings, numbers, booleans; integers as {@code Integer Long Short Byte BigInteger}) and builds it.
     * Checks run in a fixed order: size and depth of the whole document first, then keys, fields in order,
     * size, attributes, reply.
     *
     * @param kind the channel's kind ({@code null}: any; only {@code reqrep} may have a reply schema)
     * @param json the schema object
     * @return the schema, offsets resolved
     * @throws InvalidInputException one of the {@code schema.*} rules above
     * @since 1.3
     */
    Schema schema(ChannelKind kind, Map<String, ?> json);

    /**
     * Checks a schema built in Java (e.g. with {@link Schema#builder()}) by the same rules, through its
     * JSON form.
     *
     * @return an equal schema
     * @throws InvalidInputException one of the {@code schema.*} rules above
     * @since 1.3
     */
    Schema schema(ChannelKind kind, Schema schema);

    /** @return the limits this validator applies */
    ValidationLimits limits();
}
