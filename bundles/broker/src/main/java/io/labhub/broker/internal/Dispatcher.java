package io.labhub.broker.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.labhub.api.ChannelInfo;
import io.labhub.api.ChannelKind;
import io.labhub.api.ChannelName;
import io.labhub.api.ErrorCode;
import io.labhub.api.InvalidInputException;
import io.labhub.api.LabHubException;
import io.labhub.api.text.SafeText;
import io.labhub.broker.protocol.Wire;
import io.labhub.api.schema.Schema;
import io.labhub.validation.Validator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Turns one request into one reply (docs/protocol.md, "Requests"), touching the {@link Registry} only
 * after every field has been checked by the {@link Validator}. No sockets here: the broker loop hands it
 * the frames and the client identity that ZAP reported, and sends back what it returns.
 *
 * <p>Threading: confined to the broker's socket thread.
 */
public final class Dispatcher {

    private static final Logger LOG = LoggerFactory.getLogger(Dispatcher.class);

    /** Longest correlation id accepted, in characters. */
    public static final int MAX_ID_LENGTH = 128;
    /** {@code list} without {@code limit}: this many channels per page. */
    public static final int DEFAULT_LIST_LIMIT = 100;
    /** Largest {@code limit} of a {@code list}. */
    public static final int MAX_LIST_LIMIT = 1000;
    /** A {@code list} page stops before its channels exceed this many bytes of JSON (it holds at least one). */
    public static final long LIST_MAX_BYTES = 256 * 1024;
    private static final Pattern SESSION_ID = Pattern.compile("[0-9a-f]{32}");

    private final Registry registry;
    private final Validator validator;
    private final int maxMessageSize;
    private final SessionInfo sessionInfo;
    private final RateLimitedLog refusals = new RateLimitedLog(LOG, 20);
    private long ok;
    private long refused;

    /** What {@code hello} and {@code heartbeat} replies tell a client about the broker. */
    public record SessionInfo(String brokerKey, String eventsEndpoint, long heartbeatIntervalMs, int missedBeats,
                              int maxMessageSize) {
    }

    /** A reply to send: the frames that address it, then the JSON. */
    public record Reply(List<byte[]> envelope, byte[] body) {
    }

    public Dispatcher(Registry registry, Validator validator, int maxMessageSize, SessionInfo sessionInfo) {
        this.registry = registry;
        this.validator = validator;
        this.maxMessageSize = maxMessageSize;
        this.sessionInfo = sessionInfo;
    }

    public long okCount() {
        return ok;
    }

    public long refusedCount() {
        return refused;
    }

    /**
     * @param client the client's identity (its CURVE public key as ZAP reported it)
     * @param frames the frames as the ROUTER received them: routing id first
     * @param now    the time of arrival
     * @return the reply, or {@code null} when none can be addressed
     */
    public Reply handle(String client, List<byte[]> frames, Instant now) {
        if (frames.size() < 2) {
            refused++;
            refusals.warn("dropped a message without body from {}", shortKey(client));
            return null;
        }
        List<byte[]> envelope;
        List<byte[]> body;
        if (frames.size() == 3 && frames.get(1).length == 0) {
            // REQ-style envelope [routing id, empty delimiter, body]: answered with the same envelope.
            envelope = frames.subList(0, 2);
            body = frames.subList(2, 3);
        } else {
            envelope = frames.subList(0, 1);
            body = frames.subList(1, frames.size());
        }
        String connection = HexFormat.of().formatHex(frames.get(0));
        ObjectNode reply = handleBody(client, connection, body, now);
        return new Reply(envelope, Wire.write(reply));
    }

    /**
     * The reply to a message that came beyond its key's in-flight quota: refused without being handled
     * (its id is read only when the frame is small, so that refusing costs little).
     */
    public Reply refuseInFlight(String client, List<byte[]> frames, int limit) {
        refused++;
        if (frames.size() < 2) {
            return null;
        }
        boolean req = frames.size() == 3 && frames.get(1).length == 0;
        List<byte[]> envelope = req ? frames.subList(0, 2) : frames.subList(0, 1);
        byte[] body = frames.get(req ? 2 : 1);
        JsonNode id = body.length <= 1024 ? bestEffortId(body) : null;
        refusals.warn("refused a message from {}: QUOTA_EXCEEDED (more than {} requests in flight)", shortKey(client), limit);
        ObjectNode error = Wire.error(id, null, ErrorCode.QUOTA_EXCEEDED, "[maxInFlightPerKey=" + limit
                + "] more than " + limit + " requests of this key are waiting for the broker; wait for replies");
        error.put(Wire.QUOTA, "maxInFlightPerKey");
        error.put(Wire.LIMIT, limit);
        return new Reply(envelope, Wire.write(error));
    }

    private ObjectNode handleBody(String client, String connection, List<byte[]> body, Instant now) {
        JsonNode id = null;
        String type = null;
        try {
            if (body.size() != 1) {
                id = bestEffortId(body.get(0));
                throw new LabHubException(ErrorCode.INVALID_MESSAGE,
                        "a message must be exactly one frame, got " + body.size());
            }
            byte[] frame = body.get(0);
            if (frame.length > maxMessageSize) {
                throw new LabHubException(ErrorCode.MESSAGE_TOO_LARGE,
                        "the message has " + frame.length + " bytes, more than the maximum " + maxMessageSize);
            }
            ObjectNode request = Wire.parseObject(frame);
            id = readId(request);
            type = readType(request);
            readVersion(request);
            ObjectNode reply = dispatch(client, connection, type, id, request, now);
            ok++;
            return reply;
        } catch (LabHubException e) {
            refused++;
            String known = type != null && isKnownType(type) ? type : null;
            ObjectNode error = Wire.error(id, known, e.code(), e.getMessage());
            if (e instanceof InvalidInputException iie && iie.rule() != null) {
                error.put(Wire.RULE, iie.rule());
            }
            if (e.code() == ErrorCode.UNSUPPORTED_VERSION) {
                error.putArray(Wire.SUPPORTED).add(Wire.VERSION);
            }
            if (e instanceof QuotaExceededException q) {
                error.put(Wire.QUOTA, q.quota());
                error.put(Wire.LIMIT, q.limit());
            }
            if (e.code() != ErrorCode.UNKNOWN_CLIENT && e.code() != ErrorCode.CHANNEL_NOT_FOUND) {
                refusals.warn("refused a {} message from {} (connection {}): {} {}", known == null ? "malformed" : known,
                        shortKey(client), connection, e.code(), e.getMessage());
            }
            return error;
        } catch (RuntimeException e) {
            refused++;
            LOG.error("internal error while handling a {} message from {}", type, shortKey(client), e);
            return Wire.error(id, type, ErrorCode.INTERNAL, "internal broker error: " + e.getClass().getSimpleName());
        }
    }

    private JsonNode bestEffortId(byte[] frame) {
        try {
            if (frame.length <= maxMessageSize) {
                return readId(Wire.parseObject(frame));
            }
        } catch (LabHubException ignored) {
            // the id is a courtesy here; the error reply is what matters
        }
        return null;
    }

    private static JsonNode readId(ObjectNode request) {
        JsonNode id = request.get(Wire.ID);
        if (id == null || id.isNull()) {
            throw new LabHubException(ErrorCode.INVALID_MESSAGE, "the field 'id' is missing");
        }
        boolean okString = id.isTextual() && id.textValue().length() <= MAX_ID_LENGTH;
        boolean okNumber = id.isIntegralNumber() && id.canConvertToLong();
        if (!okString && !okNumber) {
            throw new LabHubException(ErrorCode.INVALID_MESSAGE,
                    "the field 'id' must be a string of at most " + MAX_ID_LENGTH + " characters or an integer");
        }
        return id;
    }

    private static String readType(ObjectNode request) {
        JsonNode type = request.get(Wire.TYPE);
        if (type == null || type.isNull()) {
            throw new LabHubException(ErrorCode.INVALID_MESSAGE, "the field 'type' is missing");
        }
        if (!type.isTextual()) {
            throw new LabHubException(ErrorCode.INVALID_MESSAGE, "the field 'type' must be a string");
        }
        return type.textValue();
    }

    private static void readVersion(ObjectNode request) {
        JsonNode v = request.get(Wire.V);
        if (v == null || v.isNull()) {
            throw new LabHubException(ErrorCode.INVALID_MESSAGE, "the field 'v' (protocol version) is missing");
        }
        if (!v.isIntegralNumber()) {
            throw new LabHubException(ErrorCode.INVALID_MESSAGE, "the field 'v' must be an integer");
        }
        if (!v.canConvertToInt() || v.intValue() != Wire.VERSION) {
            throw new LabHubException(ErrorCode.UNSUPPORTED_VERSION,
                    "protocol version " + v.asText() + " is not supported; this broker speaks " + Wire.VERSION);
        }
    }

    private static boolean isKnownType(String type) {
        return switch (type) {
            case Wire.HELLO, Wire.HEARTBEAT, Wire.REGISTER, Wire.UNREGISTER, Wire.DISCOVER, Wire.ATTACH,
                 Wire.DETACH, Wire.LIST -> true;
            default -> false;
        };
    }

    private ObjectNode dispatch(String client, String connection, String type, JsonNode id, ObjectNode request,
                                Instant now) {
        if (!isKnownType(type)) {
            throw new LabHubException(ErrorCode.UNKNOWN_TYPE, "unknown message type '" + SafeText.display(type) + "'");
        }
        if (!Wire.HELLO.equals(type)) {
            // Another process with the same key is refused before it can touch anything of the first one.
            registry.checkConnection(client, connection);
            registry.touch(client, now);
        }
        ObjectNode reply = Wire.ok(id, type);
        switch (type) {
            case Wire.HELLO -> {
                registry.hello(client, session(request), connection, now);
                reply.put(Wire.CLIENT, client);
                reply.put(Wire.BROKER, sessionInfo.brokerKey());
                putSession(reply);
                reply.put(Wire.MAX_MESSAGE_SIZE, sessionInfo.maxMessageSize());
            }
            case Wire.HEARTBEAT -> {
                registry.requireSession(client);
                putSession(reply);
                reply.put(Wire.CHANNELS, registry.channelCount(client));
                reply.put(Wire.ATTACHMENTS, registry.attachmentCount(client));
            }
            case Wire.REGISTER -> reply.set(Wire.CHANNEL, Wire.channel(register(client, request, now)));
            case Wire.UNREGISTER -> reply.set(Wire.CHANNEL, Wire.channel(registry.unregister(client, name(request))));
            case Wire.DISCOVER -> reply.set(Wire.CHANNEL, Wire.channel(registry.discover(name(request))));
            case Wire.ATTACH -> reply.set(Wire.CHANNEL, Wire.channel(registry.attach(client, name(request))));
            case Wire.DETACH -> reply.set(Wire.CHANNEL, Wire.channel(registry.detach(client, name(request))));
            case Wire.LIST -> list(request, reply);
            default -> throw new IllegalStateException(type);
        }
        return reply;
    }

    private static String session(ObjectNode request) {
        String session = Wire.optionalString(request, Wire.SESSION);
        if (session != null && !SESSION_ID.matcher(session).matches()) {
            throw new InvalidInputException("field.session", SafeText.display(session),
                    "the field 'session' must be 32 lowercase hex digits (random per client process start)");
        }
        return session;
    }

    /** One bounded page: {@code limit} (default {@value #DEFAULT_LIST_LIMIT}) channels after {@code after}. */
    private void list(ObjectNode request, ObjectNode reply) {
        int limit = DEFAULT_LIST_LIMIT;
        JsonNode limitNode = request.get(Wire.LIMIT);
        if (limitNode != null && !limitNode.isNull()) {
            if (!limitNode.isIntegralNumber() || !limitNode.canConvertToInt() || limitNode.intValue() < 1
                    || limitNode.intValue() > MAX_LIST_LIMIT) {
                throw new InvalidInputException("field.limit", SafeText.display(limitNode.toString()),
                        "the field 'limit' must be an integer in 1-" + MAX_LIST_LIMIT);
            }
            limit = limitNode.intValue();
        }
        String after = Wire.optionalString(request, Wire.AFTER);
        Registry.Page page = registry.page(after == null ? null : validator.channelName(after), limit, LIST_MAX_BYTES);
        reply.set(Wire.CHANNELS, Wire.channels(page.channels()));
        if (page.next() == null) {
            reply.putNull(Wire.NEXT);
        } else {
            reply.put(Wire.NEXT, page.next());
        }
    }

    private void putSession(ObjectNode reply) {
        reply.put(Wire.EVENTS_ENDPOINT, sessionInfo.eventsEndpoint());
        reply.put(Wire.HEARTBEAT_INTERVAL_MS, sessionInfo.heartbeatIntervalMs());
        reply.put(Wire.MISSED_BEATS, sessionInfo.missedBeats());
    }

    private ChannelName name(ObjectNode request) {
        return validator.channelName(Wire.requireString(request, Wire.NAME));
    }

    private ChannelInfo register(String client, ObjectNode request, Instant now) {
        ChannelName name = name(request);
        String kindText = Wire.requireString(request, Wire.KIND);
        ChannelKind kind = ChannelKind.fromWireName(kindText).orElseThrow(() -> new InvalidInputException(
                "field.kind", SafeText.display(kindText), "the field 'kind' must be one of shm, pubsub, reqrep"));
        String endpoint = Wire.requireString(request, Wire.ENDPOINT);
        String serverKey = Wire.optionalString(request, Wire.SERVER_KEY);
        if (serverKey != null) {
            serverKey = validator.publicKey(serverKey);
        } else if (kind != ChannelKind.SHM) {
            throw Wire.invalid(Wire.SERVER_KEY, "the field 'serverKey' is required for a " + kind.wireName()
                    + " channel (the producer socket's CURVE public key)");
        }
        Map<String, String> metadata = metadata(request.get(Wire.METADATA));
        // tcp://host:port for zmq kinds; a labhub-<hex> segment with its size metadata for shm (one rule, in the Validator)
        validator.endpoint(kind, endpoint, metadata);
        // checked before anything is stored: a hostile schema leaves the registry as it was
        Schema schema = Wire.readSchema(request.get(Wire.SCHEMA), kind, validator);
        return registry.register(client, name, kind, endpoint, serverKey, metadata, schema, now);
    }

    private Map<String, String> metadata(JsonNode node) {
        if (node == null || node.isNull()) {
            return Map.of();
        }
        if (!node.isObject()) {
            throw Wire.invalid(Wire.METADATA, "the field 'metadata' must be an object, not " + Wire.typeName(node));
        }
        validator.metadata(Wire.toJava((ObjectNode) node));
        Map<String, String> flat = new LinkedHashMap<>();
        node.fields().forEachRemaining(e -> flat.put(e.getKey(),
                e.getValue().isTextual() ? e.getValue().textValue() : e.getValue().toString()));
        return flat;
    }

    static String shortKey(String key) {
        return SafeText.keyPrefix(key);
    }

    /** Keeps a flood of bad messages from flooding the log: at most {@code perSecond} lines a second. */
    static final class RateLimitedLog {
        private final Logger log;
        private final int perSecond;
        private long windowStart;
        private int inWindow;
        private long suppressed;

        RateLimitedLog(Logger log, int perSecond) {
            this.log = log;
            this.perSecond = perSecond;
        }

        void warn(String format, Object... args) {
            long second = System.nanoTime() / 1_000_000_000L;
            if (second != windowStart) {
                if (suppressed > 0) {
                    log.warn("{} more refusals were not logged", suppressed);
                }
                windowStart = second;
                inWindow = 0;
                suppressed = 0;
            }
            if (inWindow++ < perSecond) {
                log.warn(format, args);
            } else {
                suppressed++;
            }
        }
    }
}
