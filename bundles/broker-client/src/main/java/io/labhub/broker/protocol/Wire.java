package io.labhub.broker.protocol;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.labhub.api.ChannelInfo;
import io.labhub.api.ChannelKind;
import io.labhub.api.ChannelName;
import io.labhub.api.ChannelState;
import io.labhub.api.ErrorCode;
import io.labhub.api.LabHubException;
import io.labhub.api.schema.Schema;
import io.labhub.api.spi.ChannelEvent;
import io.labhub.api.text.SafeText;
import io.labhub.validation.Validator;
import io.labhub.validation.Validators;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The broker protocol's wire format (docs/protocol.md is the reference): one UTF-8 JSON object per
 * message. Shared by the broker server and the client so that both spell every field the same way.
 * Static only: one {@link ObjectMapper} for the whole protocol, configured once (strict parsing).
 *
 * <p>Parsing is strict (valid UTF-8, one object, no trailing tokens, no duplicate keys, bounded
 * nesting) and every failure is a {@link LabHubException} with the protocol's error code; nothing else
 * escapes. Thread-safe.
 */
public final class Wire {

    /** The protocol version this code speaks. */
    public static final int VERSION = 1;

    // common fields
    public static final String V = "v";
    public static final String ID = "id";
    public static final String TYPE = "type";
    public static final String STATUS = "status";
    public static final String CODE = "code";
    public static final String MESSAGE = "message";
    public static final String RULE = "rule";
    public static final String OK = "ok";
    public static final String ERROR = "error";

    // request types
    public static final String HELLO = "hello";
    public static final String HEARTBEAT = "heartbeat";
    public static final String REGISTER = "register";
    public static final String UNREGISTER = "unregister";
    public static final String DISCOVER = "discover";
    public static final String ATTACH = "attach";
    public static final String DETACH = "detach";
    public static final String LIST = "list";

    // event types
    public static final String CHANNEL_REGISTERED = "channel_registered";
    public static final String CHANNEL_CLOSED = "channel_closed";
    public static final String PRODUCER_LOST = "producer_lost";

    // other fields
    public static final String NAME = "name";
    public static final String KIND = "kind";
    public static final String ENDPOINT = "endpoint";
    public static final String SERVER_KEY = "serverKey";
    public static final String METADATA = "metadata";
    public static final String PRODUCER = "producer";
    public static final String CONSUMERS = "consumers";
    public static final String STATE = "state";
    public static final String CHANNEL = "channel";
    public static final String CHANNELS = "channels";
    public static final String CLIENT = "client";
    public static final String BROKER = "broker";
    public static final String EVENTS_ENDPOINT = "eventsEndpoint";
    public static final String HEARTBEAT_INTERVAL_MS = "heartbeatIntervalMs";
    public static final String MISSED_BEATS = "missedBeats";
    public static final String MAX_MESSAGE_SIZE = "maxMessageSize";
    public static final String SUPPORTED = "supported";
    public static final String ATTACHMENTS = "attachments";
    /** {@code hello}: the client process's session id, 32 lowercase hex digits, random per process start. */
    public static final String SESSION = "session";
    /** {@code list}: most channels in the reply; a {@code QUOTA_EXCEEDED} reply: the quota's value. */
    public static final String LIMIT = "limit";
    /** {@code list}: start after this channel name (exclusive). */
    public static final String AFTER = "after";
    /** {@code list} reply: the name to pass as {@code after} for the next page, {@code null} on the last. */
    public static final String NEXT = "next";
    /** A {@code QUOTA_EXCEEDED} reply: the quota's name (its configuration property). */
    public static final String QUOTA = "quota";
    /** A {@code channel_registered} event that moved the name to another key: the key that had it. */
    public static final String PREVIOUS_PRODUCER = "previousProducer";
    /** {@code register} and the channel object: the channel's schema (docs/schemas.md), or null. */
    public static final String SCHEMA = "schema";
    /** The channel object: the hash of its schema (64 hex digits), or null; computed by the broker. */
    public static final String SCHEMA_HASH = "schemaHash";
    /** A {@code channel_registered} event: {@code true} when the name moved to another key. */
    public static final String PRODUCER_CHANGED = "producerChanged";

    /**
     * The heartbeat interval of the protocol, in milliseconds, when nobody configures one: the broker's
     * default (what its {@code hello} reply tells clients) and the client's. Written once, here, where
     * both sides read it.
     */
    public static final long DEFAULT_HEARTBEAT_INTERVAL_MS = 500;


    private static final int MAX_NESTING = 16;

    /** The protocol's one mapper (thread-safe once configured). */
    private static final ObjectMapper MAPPER = JsonMapper.builder(JsonFactory.builder()
                    .streamReadConstraints(StreamReadConstraints.builder()
                            .maxNestingDepth(MAX_NESTING)
                            .maxNumberLength(64)
                            .build())
                    .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                    .build())
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private Wire() {
    }

    /**
     * Parses one frame as a JSON object.
     *
     * @throws LabHubException {@code INVALID_MESSAGE} when it is not valid UTF-8 or not one JSON object
     */
    public static ObjectNode parseObject(byte[] frame) {
        try {
            // Jackson replaces some malformed UTF-8; decode strictly first so garbage is refused as such.
            StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(frame));
        } catch (CharacterCodingException e) {
            throw new LabHubException(ErrorCode.INVALID_MESSAGE, "the frame is not valid UTF-8");
        }
        JsonNode node;
        try {
            node = MAPPER.readTree(frame);
        } catch (IOException | RuntimeException e) {
            throw new LabHubException(ErrorCode.INVALID_MESSAGE, "the frame is not valid JSON: " + shortReason(e));
        }
        if (node == null || node.isMissingNode()) {
            throw new LabHubException(ErrorCode.INVALID_MESSAGE, "the frame is empty");
        }
        if (!node.isObject()) {
            throw new LabHubException(ErrorCode.INVALID_MESSAGE,
                    "the message must be a JSON object, not " + node.getNodeType().name().toLowerCase());
        }
        return (ObjectNode) node;
    }

    private static String shortReason(Exception e) {
        String text = e instanceof JsonProcessingException jpe ? jpe.getOriginalMessage() : e.getMessage();
        return text == null ? e.getClass().getSimpleName() : SafeText.display(text);
    }

    /** @return compact UTF-8 JSON */
    public static byte[] write(JsonNode node) {
        try {
            return MAPPER.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new LabHubException(ErrorCode.INTERNAL, "cannot write JSON: " + e.getOriginalMessage(), e);
        }
    }

    public static ObjectNode object() {
        return JsonNodeFactory.instance.objectNode();
    }

    /** A request skeleton: {@code {"v":1,"id":id,"type":type}}. */
    public static ObjectNode request(String type, String id) {
        ObjectNode node = object();
        node.put(V, VERSION);
        node.put(ID, id);
        node.put(TYPE, type);
        return node;
    }

    /** An ok reply skeleton: {@code {"v":1,"id":..,"type":..,"status":"ok"}}. */
    public static ObjectNode ok(JsonNode id, String type) {
        ObjectNode node = object();
        node.put(V, VERSION);
        node.set(ID, id == null ? JsonNodeFactory.instance.nullNode() : id);
        node.put(TYPE, type == null ? ERROR : type);
        node.put(STATUS, OK);
        return node;
    }

    /** An error reply: {@code {"v":1,"id":..,"type":..,"status":"error","code":..,"message":..}}. */
    public static ObjectNode error(JsonNode id, String type, ErrorCode code, String message) {
        ObjectNode node = object();
        node.put(V, VERSION);
        node.set(ID, id == null ? JsonNodeFactory.instance.nullNode() : id);
        node.put(TYPE, type == null ? ERROR : type);
        node.put(STATUS, ERROR);
        node.put(CODE, code.name());
        node.put(MESSAGE, message == null ? code.name() : message);
        return node;
    }

    // ---------------------------------------------------------------- field access (strict types)

    /** @return the string field, or throws {@code INVALID_ARGUMENT} naming the field */
    public static String requireString(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            throw invalid(field, "the field '" + field + "' is missing");
        }
        if (!value.isTextual()) {
            throw invalid(field, "the field '" + field + "' must be a string, not " + typeName(value));
        }
        return value.textValue();
    }

    /** @return the string field, {@code null} when absent or null; throws when of another type */
    public static String optionalString(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            throw invalid(field, "the field '" + field + "' must be a string, not " + typeName(value));
        }
        return value.textValue();
    }

    public static LabHubException invalid(String field, String message) {
        return new io.labhub.api.InvalidInputException("field." + field, field, message);
    }

    public static String typeName(JsonNode value) {
        return value.getNodeType().name().toLowerCase();
    }

    /** Converts a JSON object to plain Java values (String, Boolean, Number, Map, List) for the Validator. */
    public static Map<String, Object> toJava(ObjectNode node) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            map.put(e.getKey(), toJavaValue(e.getValue()));
        }
        return map;
    }

    private static Object toJavaValue(JsonNode value) {
        if (value.isObject()) {
            return toJava((ObjectNode) value);
        }
        if (value.isArray()) {
            List<Object> list = new ArrayList<>();
            value.forEach(v -> list.add(toJavaValue(v)));
            return list;
        }
        if (value.isTextual()) {
            return value.textValue();
        }
        if (value.isBoolean()) {
            return value.booleanValue();
        }
        if (value.isNumber()) {
            return value.numberValue();
        }
        return null; // JSON null: the Validator refuses it (metadata.value)
    }

    // ---------------------------------------------------------------- channel info

    public static ObjectNode channel(ChannelInfo info) {
        ObjectNode node = object();
        node.put(NAME, info.name().value());
        node.put(KIND, info.kind().wireName());
        node.put(PRODUCER, info.producer());
        node.put(ENDPOINT, info.endpoint());
        if (info.serverKey() == null) {
            node.putNull(SERVER_KEY);
        } else {
            node.put(SERVER_KEY, info.serverKey());
        }
        ObjectNode metadata = node.putObject(METADATA);
        info.metadata().forEach(metadata::put);
        node.put(CONSUMERS, info.consumers());
        node.put(STATE, info.state().wireName());
        if (info.schema() == null) {
            node.putNull(SCHEMA);
            node.putNull(SCHEMA_HASH);
        } else {
            node.set(SCHEMA, schema(info.schema()));
            node.put(SCHEMA_HASH, info.schema().hash());
        }
        return node;
    }

    /** @return the schema's JSON form (what {@code register} carries and the channel object holds) */
    public static ObjectNode schema(Schema schema) {
        return MAPPER.valueToTree(schema.toMap());
    }

    /**
     * Reads a schema object by the Validator's rules.
     *
     * @param kind the channel's kind (only reqrep may have a reply schema)
     * @return the schema, or {@code null} when the field is absent or null
     * @throws LabHubException {@code INVALID_ARGUMENT} with the rule broken ({@code schema.*}, or
     *                         {@code field.schema} when it is not an object)
     */
    public static Schema readSchema(JsonNode node, ChannelKind kind, Validator validator) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isObject()) {
            throw invalid(SCHEMA, "the field 'schema' must be an object, not " + typeName(node));
        }
        return validator.schema(kind, toJava((ObjectNode) node));
    }

    public static ArrayNode channels(List<ChannelInfo> infos) {
        ArrayNode array = JsonNodeFactory.instance.arrayNode();
        infos.forEach(info -> array.add(channel(info)));
        return array;
    }

    /**
     * Reads a channel description written by {@link #channel(ChannelInfo)} (what a client receives).
     *
     * @throws LabHubException {@code INVALID_MESSAGE} when it is not one
     */
    public static ChannelInfo readChannel(JsonNode node) {
        if (node == null || !node.isObject()) {
            throw new LabHubException(ErrorCode.INVALID_MESSAGE, "the broker sent no channel object");
        }
        try {
            String name = requireString(node, NAME);
            ChannelKind kind = ChannelKind.fromWireName(requireString(node, KIND))
                    .orElseThrow(() -> invalid(KIND, "unknown kind"));
            ChannelState state = ChannelState.fromWireName(requireString(node, STATE));
            if (state == null) {
                throw invalid(STATE, "unknown state");
            }
            Map<String, String> metadata = new LinkedHashMap<>();
            JsonNode md = node.get(METADATA);
            if (md != null && md.isObject()) {
                md.fields().forEachRemaining(e -> metadata.put(e.getKey(),
                        e.getValue().isTextual() ? e.getValue().textValue() : e.getValue().toString()));
            }
            JsonNode consumers = node.get(CONSUMERS);
            Schema schema = readSchema(node.get(SCHEMA), kind, Validators.defaults());
            String hash = optionalString(node, SCHEMA_HASH);
            if (schema != null && hash != null && !hash.equals(schema.hash())) {
                throw new io.labhub.api.InvalidInputException("schema.mismatch", SafeText.display(hash),
                        "[schema.mismatch] the schemaHash is not the hash of the schema: \"" + SafeText.display(hash) + "\"");
            }
            return new ChannelInfo(new ChannelName(name), kind, optionalString(node, PRODUCER),
                    optionalString(node, ENDPOINT), optionalString(node, SERVER_KEY), metadata,
                    consumers != null && consumers.canConvertToInt() ? consumers.intValue() : 0, state, schema);
        } catch (LabHubException e) {
            throw new LabHubException(ErrorCode.INVALID_MESSAGE, "malformed channel object: " + e.getMessage());
        }
    }

    /** An event message: {@code {"v":1,"id":seq,"type":"producer_lost","channel":{...}}}. */
    public static ObjectNode event(long sequence, ChannelEvent event) {
        return event(sequence, event, null);
    }

    /**
     * An event message; a {@code channel_registered} also says whether the name moved to another key:
     * {@code "producerChanged":true,"previousProducer":"<key>"} when it did, {@code "producerChanged":false}
     * otherwise.
     */
    public static ObjectNode event(long sequence, ChannelEvent event, String previousProducer) {
        ObjectNode node = object();
        node.put(V, VERSION);
        node.put(ID, sequence);
        node.put(TYPE, eventType(event.type()));
        node.set(CHANNEL, channel(event.info()));
        if (event.type() == ChannelEvent.Type.REGISTERED) {
            node.put(PRODUCER_CHANGED, previousProducer != null);
            if (previousProducer != null) {
                node.put(PREVIOUS_PRODUCER, previousProducer);
            }
        }
        return node;
    }

    public static String eventType(ChannelEvent.Type type) {
        return switch (type) {
            case REGISTERED -> CHANNEL_REGISTERED;
            case CLOSED -> CHANNEL_CLOSED;
            case PRODUCER_LOST -> PRODUCER_LOST;
        };
    }

    /** @return the event type for a wire name, or {@code null} */
    public static ChannelEvent.Type eventType(String wireName) {
        return switch (wireName) {
            case CHANNEL_REGISTERED -> ChannelEvent.Type.REGISTERED;
            case CHANNEL_CLOSED -> ChannelEvent.Type.CLOSED;
            case PRODUCER_LOST -> ChannelEvent.Type.PRODUCER_LOST;
            default -> null;
        };
    }

    /** The topic frame of an event: {@code "<channel name> <event type>"} (see docs/protocol.md). */
    public static String topic(ChannelEvent event) {
        return event.info().name().value() + " " + eventType(event.type());
    }
}
