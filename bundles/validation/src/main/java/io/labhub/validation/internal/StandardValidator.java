package io.labhub.validation.internal;

import io.labhub.api.ChannelKind;
import io.labhub.api.ChannelName;
import io.labhub.api.ConsumerOptions;
import io.labhub.api.ShmOptions;
import io.labhub.api.ZmqOptions;
import io.labhub.api.schema.Schema;
import io.labhub.validation.ValidationLimits;
import io.labhub.validation.Validator;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The one implementation of the rules documented on {@link Validator}. Immutable.
 *
 * <p>Checks run in a fixed order, cheapest and most telling first (null, length, characters, structure),
 * so that a hostile input is refused after looking at a bounded prefix of it and the rule reported is
 * the same every time for the same input.
 */
public final class StandardValidator implements Validator {

    private final ValidationLimits limits;

    public StandardValidator(ValidationLimits limits) {
        this.limits = limits;
    }

    @Override
    public ValidationLimits limits() {
        return limits;
    }

    // ---------------------------------------------------------------- bind endpoints and options

    /** {@code .} does not match a line end: an endpoint is one line. */
    private static final Pattern BIND_ENDPOINT = Pattern.compile("(tcp|ipc|inproc)://.+");

    @Override
    public String bindEndpoint(String endpoint) {
        if (endpoint == null || endpoint.length() > MAX_ENDPOINT_LENGTH || !BIND_ENDPOINT.matcher(endpoint).matches()) {
            throw Refusals.refuse("zmq.endpoint", endpoint,
                    "a ZeroMQ endpoint to bind must look like tcp://host:port (or ipc://, inproc://)");
        }
        return endpoint;
    }

    @Override
    public ShmOptions shmOptions(ShmOptions o) {
        if (o == null) {
            throw Refusals.refuse("options.null", null, "shared-memory options must not be null");
        }
        shmSizes(o.slotSize(), o.slotCount());
        metadata(o.metadata());
        positive("reliableTimeout", o.reliableTimeout().toNanos());
        if (o.schema() != null) {
            schema(ChannelKind.SHM, o.schema());
            if (o.schema().size() > o.slotSize()) {
                throw Refusals.refuseValue("schema.size", o.schema().size(), "the schema's record does not fit the"
                        + " slot size " + o.slotSize() + "; its size is");
            }
        }
        return o;
    }

    @Override
    public ZmqOptions zmqOptions(ZmqOptions o) {
        if (o == null) {
            throw Refusals.refuse("options.null", null, "ZeroMQ options must not be null");
        }
        positive("maxMessageSize", o.maxMessageSize());
        positive("workerThreads", o.workerThreads());
        nonNegative("highWaterMark", o.highWaterMark());
        if (o.endpoint() != null && !o.endpoint().isBlank()) {
            bindEndpoint(o.endpoint());
        }
        metadata(o.metadata());
        if (o.schema() != null) {
            schema(null, o.schema());
        }
        return o;
    }

    @Override
    public Schema schema(ChannelKind kind, Map<String, ?> json) {
        return SchemaRules.check(kind, json);
    }

    @Override
    public Schema schema(ChannelKind kind, Schema schema) {
        return SchemaRules.check(kind, schema);
    }

    @Override
    public ConsumerOptions consumerOptions(ConsumerOptions o) {
        if (o == null) {
            throw Refusals.refuse("options.null", null, "consumer options must not be null");
        }
        positive("maxMessageSize", o.maxMessageSize());
        nonNegative("highWaterMark", o.highWaterMark());
        nonNegative("waitForChannel", o.waitForChannel().toNanos());
        return o;
    }

    private static void positive(String what, long v) {
        if (v <= 0) {
            throw Refusals.refuseValue("options." + what, v, "option " + what + " must be > 0");
        }
    }

    private static void nonNegative(String what, long v) {
        if (v < 0) {
            throw Refusals.refuseValue("options." + what, v, "option " + what + " must be >= 0");
        }
    }

    // ---------------------------------------------------------------- channel names

    @Override
    public ChannelName channelName(String name) {
        if (name == null) {
            throw Refusals.refuse("name.null", null, "a channel name is required");
        }
        if (name.isEmpty()) {
            throw Refusals.refuse("name.empty", name, "a channel name must not be empty");
        }
        if (name.length() > MAX_NAME_LENGTH) {
            throw Refusals.refuse("name.length", name, "a channel name must be at most " + MAX_NAME_LENGTH
                    + " characters, this one has " + name.length());
        }
        for (int i = 0; i < name.length(); i++) {
            if (!isNameChar(name.charAt(i))) {
                throw Refusals.refuse("name.charset", name, "a channel name may contain only A-Z a-z 0-9 _ . -;"
                        + " character " + Refusals.describeChar(name, i) + " at index " + i + " is not allowed");
            }
        }
        if (!isAsciiLetter(name.charAt(0))) {
            throw Refusals.refuse("name.start", name, "a channel name must start with a letter A-Z or a-z");
        }
        int emptyLevel = name.endsWith(".") ? name.length() - 1 : name.indexOf("..");
        if (emptyLevel >= 0) {
            throw Refusals.refuse("name.level", name, "a channel name's levels are separated by single dots"
                    + " and must not be empty; empty level at index " + emptyLevel);
        }
        return new ChannelName(name);
    }

    // ---------------------------------------------------------------- keys

    @Override
    public String publicKey(String z85) {
        if (z85 == null) {
            throw Refusals.refuse("key.null", null, "a public key is required");
        }
        if (z85.length() != KEY_LENGTH) {
            throw Refusals.refuse("key.length", z85, "a public key is " + KEY_LENGTH
                    + " characters of Z85, this one has " + z85.length());
        }
        // Length and alphabet are checked here, so the only refusal left to the codec is key.decode.
        Z85Codec.decode(z85, "key");
        return z85;
    }

    // ---------------------------------------------------------------- shared-memory sizes

    @Override
    public void shmSizes(long slotSize, long slotCount) {
        if (slotSize < 1 || slotSize > limits.maxSlotSize()) {
            throw Refusals.refuseValue("shm.slotSize", slotSize,
                    "the slot size must be between 1 and " + limits.maxSlotSize() + " bytes");
        }
        if (slotCount < 1 || slotCount > limits.maxSlotCount()) {
            throw Refusals.refuseValue("shm.slotCount", slotCount,
                    "the slot count must be between 1 and " + limits.maxSlotCount());
        }
        long total;
        try {
            // Cannot overflow while both limits are ints, but the check must not depend on that.
            total = Math.multiplyExact(slotSize, slotCount);
        } catch (ArithmeticException overflow) {
            throw Refusals.refuseValue("shm.total", slotCount + " x " + slotSize,
                    "slot count x slot size overflows a 64-bit size");
        }
        if (total > limits.maxSegmentBytes()) {
            throw Refusals.refuseValue("shm.total", slotCount + " x " + slotSize + " = " + total,
                    "slot count x slot size must be at most " + limits.maxSegmentBytes() + " bytes");
        }
    }

    // ---------------------------------------------------------------- endpoints

    /** The shm transport's segment names (its {@code SegmentNames}): not guessable from the channel name. */
    private static final Pattern SEGMENT = Pattern.compile("labhub-[0-9a-f]{32}");
    private static final Pattern IPV6 = Pattern.compile("\\[[0-9A-Fa-f:.]{2,45}(%[A-Za-z0-9_.-]{1,32})?\\]");

    @Override
    public String endpoint(ChannelKind kind, String endpoint, Map<String, ?> metadata) {
        if (endpoint == null) {
            throw Refusals.refuse("endpoint.null", null, "an endpoint is required");
        }
        if (kind == null) {
            throw Refusals.refuse("endpoint.null", endpoint, "an endpoint needs its channel kind");
        }
        if (endpoint.isEmpty() || endpoint.length() > MAX_ENDPOINT_LENGTH) {
            throw Refusals.refuse("endpoint.length", endpoint, "an endpoint must have 1-" + MAX_ENDPOINT_LENGTH
                    + " characters, this one has " + endpoint.length());
        }
        for (int i = 0; i < endpoint.length(); i++) {
            char c = endpoint.charAt(i);
            if (c <= 0x20 || c >= 0x7f) {
                throw Refusals.refuse("endpoint.charset", endpoint, "an endpoint must be printable ASCII without"
                        + " spaces; character " + Refusals.describeChar(endpoint, i) + " at index " + i + " is not");
            }
        }
        switch (kind) {
            case PUBSUB, REQREP -> tcpEndpoint(kind, endpoint);
            case SHM -> shmEndpoint(endpoint, metadata);
        }
        return endpoint;
    }

    private static void tcpEndpoint(ChannelKind kind, String endpoint) {
        if (!endpoint.startsWith("tcp://")) {
            throw Refusals.refuse("endpoint.scheme", endpoint, "a " + kind.wireName() + " endpoint must be"
                    + " tcp://host:port, reachable from other hosts");
        }
        String rest = endpoint.substring("tcp://".length());
        int colon = rest.lastIndexOf(':');
        if (colon < 0) {
            throw Refusals.refuse("endpoint.port", endpoint, "a tcp endpoint must end with :port (1-65535)");
        }
        String host = rest.substring(0, colon);
        String port = rest.substring(colon + 1);
        if (!isHost(host)) {
            throw Refusals.refuse("endpoint.host", endpoint, "the host of a tcp endpoint must be a host name,"
                    + " an IPv4 address or a bracketed IPv6 address (not empty, not *)");
        }
        int value = -1;
        if (!port.isEmpty() && port.length() <= 5 && port.chars().allMatch(c -> c >= '0' && c <= '9')) {
            value = Integer.parseInt(port);
        }
        if (value < 1 || value > 65535) {
            throw Refusals.refuse("endpoint.port", endpoint, "the port of a tcp endpoint must be a number in 1-65535");
        }
    }

    private static boolean isHost(String host) {
        if (host.isEmpty() || host.length() > 253) {
            return false;
        }
        if (host.charAt(0) == '[') {
            return IPV6.matcher(host).matches();
        }
        if (host.charAt(0) == '-' || host.charAt(0) == '.') {
            return false;
        }
        for (int i = 0; i < host.length(); i++) {
            char c = host.charAt(i);
            if (!(isAsciiLetter(c) || (c >= '0' && c <= '9') || c == '.' || c == '-')) {
                return false;
            }
        }
        return true;
    }

    private void shmEndpoint(String endpoint, Map<String, ?> metadata) {
        if (!SEGMENT.matcher(endpoint).matches()) {
            throw Refusals.refuse("endpoint.segment", endpoint, "a shm endpoint must be a segment name as the shm"
                    + " transport makes it: labhub- and 32 lowercase hex digits");
        }
        long slotSize = sizeOf(metadata, META_SHM_SLOT_SIZE);
        long slotCount = sizeOf(metadata, META_SHM_SLOT_COUNT);
        shmSizes(slotSize, slotCount);
    }

    private static long sizeOf(Map<String, ?> metadata, String key) {
        Object value = metadata == null ? null : metadata.get(key);
        if (value == null) {
            throw Refusals.refuseValue("endpoint.shmSize", key, "a shm registration must publish its ring size in"
                    + " metadata (" + META_SHM_SLOT_SIZE + " and " + META_SHM_SLOT_COUNT + "); missing");
        }
        String text = value instanceof String s ? s.trim() : String.valueOf(value);
        if (!(value instanceof String || value instanceof Integer || value instanceof Long
                || value instanceof Short || value instanceof Byte || value instanceof BigInteger)
                || text.isEmpty() || text.length() > 19 || !text.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw Refusals.refuse("endpoint.shmSize", text, "metadata " + key + " must be a positive integer");
        }
        return Long.parseLong(text);
    }

    // ---------------------------------------------------------------- metadata

    @Override
    public Map<String, ?> metadata(Map<String, ?> metadata) {
        if (metadata == null) {
            throw Refusals.refuse("metadata.null", null, "metadata must be a map (it may be empty)");
        }
        checkMap(metadata, 1, "$", new int[1]);
        return metadata;
    }

    /**
     * @param depth  the level of this container (the top-level map is 1)
     * @param path   where this container is, for messages: {@code $}, {@code $.key}, {@code $.key[2]}
     * @param counted entries counted so far, in all containers
     */
    private void checkMap(Map<?, ?> map, int depth, String path, int[] counted) {
        checkDepth(depth, path);
        checkRoom(map.size(), path, counted);
        for (Map.Entry<?, ?> entry : map.entrySet()) {
            String key = checkKey(entry.getKey(), path);
            counted[0]++;
            checkValue(entry.getValue(), depth, path + "." + key, counted);
        }
    }

    private void checkList(List<?> list, int depth, String path, int[] counted) {
        checkDepth(depth, path);
        checkRoom(list.size(), path, counted);
        int index = 0;
        for (Object element : list) {
            counted[0]++;
            checkValue(element, depth, path + "[" + index++ + "]", counted);
        }
    }

    private void checkDepth(int depth, String path) {
        if (depth > limits.maxMetadataDepth()) {
            throw Refusals.refuseValue("metadata.depth", path, "metadata may nest at most "
                    + limits.maxMetadataDepth() + " levels of maps and lists; level " + depth + " at");
        }
    }

    /** Refuses a container by its size before walking it, so a huge map costs nothing to refuse. */
    private void checkRoom(int size, String path, int[] counted) {
        long total = (long) counted[0] + size;
        if (total > limits.maxMetadataEntries()) {
            throw Refusals.refuseValue("metadata.entries", path, "metadata may hold at most "
                    + limits.maxMetadataEntries() + " entries in total; " + total + " counted up to");
        }
    }

    private String checkKey(Object key, String path) {
        if (!(key instanceof String text)) {
            throw Refusals.refuseValue("metadata.key", key == null ? "null" : key.getClass().getName(),
                    "metadata keys must be strings; in " + path + " a key is");
        }
        if (text.isEmpty() || text.length() > MAX_METADATA_KEY_LENGTH) {
            throw Refusals.refuse("metadata.key", text, "metadata keys must be 1-" + MAX_METADATA_KEY_LENGTH
                    + " characters; in " + path + " a key has " + text.length());
        }
        for (int i = 0; i < text.length(); i++) {
            if (!isNameChar(text.charAt(i))) {
                throw Refusals.refuse("metadata.key", text, "metadata keys may contain only A-Z a-z 0-9 _ . -;"
                        + " in " + path + " character " + Refusals.describeChar(text, i) + " at index " + i
                        + " of a key is not allowed");
            }
        }
        return text;
    }

    private void checkValue(Object value, int depth, String path, int[] counted) {
        switch (value) {
            case null -> throw Refusals.refuseValue("metadata.value", path,
                    "metadata values must not be null; found null at");
            case String text -> checkString(text, path);
            case Boolean ignored -> { }
            case Byte ignored -> { }
            case Short ignored -> { }
            case Integer ignored -> { }
            case Long ignored -> { }
            case BigInteger ignored -> { }
            case BigDecimal ignored -> { }
            case Double d -> checkFinite(d, path);
            case Float f -> checkFinite(f.doubleValue(), path);
            case Map<?, ?> map -> checkMap(map, depth + 1, path, counted);
            case List<?> list -> checkList(list, depth + 1, path, counted);
            default -> throw Refusals.refuseValue("metadata.type", value.getClass().getName(),
                    "metadata values must be strings, numbers, booleans, maps or lists; at " + path + " the type is");
        }
    }

    private void checkString(String text, String path) {
        if (text.length() > limits.maxMetadataValueLength()) {
            throw Refusals.refuse("metadata.value", text, "metadata strings must be at most "
                    + limits.maxMetadataValueLength() + " characters; at " + path + " one has " + text.length());
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean unpaired = Character.isHighSurrogate(c)
                    ? i + 1 >= text.length() || !Character.isLowSurrogate(text.charAt(++i))
                    : Character.isLowSurrogate(c);
            if (unpaired) {
                throw Refusals.refuse("metadata.value", text, "metadata strings must be well-formed UTF-16;"
                        + " at " + path + " an unpaired surrogate is in");
            }
            if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029') {
                throw Refusals.refuse("metadata.value", text, "metadata strings must not contain control"
                        + " characters; at " + path + " character " + Refusals.describeChar(text, i)
                        + " at index " + i + " is one, in");
            }
        }
    }

    private static void checkFinite(double d, String path) {
        if (!Double.isFinite(d)) {
            throw Refusals.refuseValue("metadata.value", d, "metadata numbers must be finite; at " + path
                    + " the value is");
        }
    }

    private static boolean isNameChar(char c) {
        return isAsciiLetter(c) || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
    }

    private static boolean isAsciiLetter(char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
    }
}
