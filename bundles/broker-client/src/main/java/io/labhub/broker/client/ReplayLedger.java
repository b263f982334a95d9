package io.labhub.broker.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.labhub.api.ChannelInfo;
import io.labhub.api.ChannelName;
import io.labhub.api.ErrorCode;
import io.labhub.broker.protocol.Wire;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What this client has told the broker and must tell it again whenever a session opens: its offers
 * (registered channels) and attachments, and the withdrawals (unregister, detach) made while no session
 * was open. Replays the broker refused for a while (another live producer, a reservation, a channel not
 * back yet) are retried every {@value #RETRY_EVERY_BEATS} heartbeats; those that cannot pass are forgotten.
 *
 * <p>API threads write {@link #offers}, {@link #attachments} and the withdrawals (concurrent
 * collections); the rest is the socket thread's.
 */
final class ReplayLedger {

    private static final Logger LOG = LoggerFactory.getLogger(ReplayLedger.class);
    /** A replayed register refused with CHANNEL_EXISTS, or a replayed attach whose channel is not back yet
     *  (its producer has not re-registered after a broker restart), is retried this often. */
    static final int RETRY_EVERY_BEATS = 2;

    final Map<ChannelName, ChannelInfo> offers = new ConcurrentHashMap<>();
    final Map<ChannelName, Integer> attachments = new ConcurrentHashMap<>();
    final Set<ChannelName> pendingUnregisters = ConcurrentHashMap.newKeySet();
    final Set<ChannelName> pendingDetaches = ConcurrentHashMap.newKeySet();

    // socket thread only
    private final Set<ChannelName> conflicts = new HashSet<>();
    private final Set<ChannelName> unattached = new HashSet<>();
    private int beatsSinceRetry;

    static ObjectNode registerRequest(ChannelInfo offer) {
        ObjectNode request = Wire.request(Wire.REGISTER, null);
        request.put(Wire.NAME, offer.name().value());
        request.put(Wire.KIND, offer.kind().wireName());
        request.put(Wire.ENDPOINT, offer.endpoint());
        if (offer.serverKey() != null) {
            request.put(Wire.SERVER_KEY, offer.serverKey());
        }
        ObjectNode metadata = request.putObject(Wire.METADATA);
        offer.metadata().forEach(metadata::put);
        if (offer.schema() != null) {
            request.set(Wire.SCHEMA, Wire.schema(offer.schema()));
        }
        return request;
    }

    static ObjectNode nameRequest(String type, ChannelName name) {
        ObjectNode request = Wire.request(type, null);
        request.put(Wire.NAME, name.value());
        return request;
    }

    /** A session opened: the withdrawals made while away, then every offer and attachment. */
    void replay(Consumer<ObjectNode> send) {
        for (ChannelName name : List.copyOf(pendingUnregisters)) {
            pendingUnregisters.remove(name);
            send.accept(nameRequest(Wire.UNREGISTER, name));
        }
        for (ChannelName name : List.copyOf(pendingDetaches)) {
            pendingDetaches.remove(name);
            send.accept(nameRequest(Wire.DETACH, name));
        }
        conflicts.clear();
        unattached.clear();
        offers.values().forEach(offer -> send.accept(registerRequest(offer)));
        attachments.keySet().forEach(name -> send.accept(nameRequest(Wire.ATTACH, name)));
    }

    /** A heartbeat was sent: every {@value #RETRY_EVERY_BEATS} of them, retry the refused replays. */
    void onHeartbeat(Consumer<ObjectNode> send) {
        if ((!conflicts.isEmpty() || !unattached.isEmpty()) && ++beatsSinceRetry >= RETRY_EVERY_BEATS) {
            beatsSinceRetry = 0;
            for (ChannelName name : List.copyOf(conflicts)) {
                conflicts.remove(name);
                ChannelInfo offer = offers.get(name);
                if (offer != null) {
                    send.accept(registerRequest(offer));
                }
            }
            for (ChannelName name : List.copyOf(unattached)) {
                unattached.remove(name);
                if (attachments.containsKey(name)) {
                    send.accept(nameRequest(Wire.ATTACH, name));
                }
            }
        }
    }

    /** A fire-and-forget withdrawal that could not be sent: keep it for the next session. */
    void requeueWithdrawal(ObjectNode request) {
        String type = request.path(Wire.TYPE).asText();
        if (!Wire.UNREGISTER.equals(type) && !Wire.DETACH.equals(type)) {
            return; // heartbeats and replays are sent again by the next session anyway
        }
        ChannelName name = new ChannelName(request.path(Wire.NAME).asText());
        if (Wire.UNREGISTER.equals(type) && !offers.containsKey(name)) {
            pendingUnregisters.add(name);
        } else if (Wire.DETACH.equals(type) && !attachments.containsKey(name)) {
            pendingDetaches.add(name);
        }
    }

    /** The broker accepted a request of ours nobody waits for. */
    void accepted(String type, ChannelName name) {
        if (name == null) {
            return;
        }
        if (Wire.REGISTER.equals(type)) {
            conflicts.remove(name);
        }
        if (Wire.ATTACH.equals(type)) {
            unattached.remove(name);
        }
    }

    /** The broker refused a request of ours nobody waits for (a replay): retry it later, or forget it. */
    void refused(String type, ChannelName name, ErrorCode code, String text, JsonNode reply) {
        if (Wire.REGISTER.equals(type) && name != null && offers.containsKey(name)) {
            // A replayed offer: taken again later when the refusal can pass (another live producer, a
            // reservation, too many requests at once), forgotten when it cannot (a bad field, a full quota).
            boolean transient_ = code == ErrorCode.CHANNEL_EXISTS || code == ErrorCode.CHANNEL_RESERVED
                    || (code == ErrorCode.QUOTA_EXCEEDED && "maxInFlightPerKey".equals(reply.path(Wire.QUOTA).asText()));
            if (transient_) {
                conflicts.add(name);
            }
            LOG.warn("the broker refused to register {} again: {} {}{}", name, code, text,
                    transient_ ? " (retrying every " + RETRY_EVERY_BEATS + " heartbeats)" : " (offer forgotten)");
            if (!transient_) {
                offers.remove(name);
            }
        } else if (Wire.ATTACH.equals(type) && name != null && attachments.containsKey(name)
                && code == ErrorCode.CHANNEL_NOT_FOUND) {
            unattached.add(name); // its producer may not have re-registered yet: try again shortly
        } else if (code != ErrorCode.CHANNEL_NOT_FOUND) {
            LOG.warn("the broker refused {} {}: {} {}", type, name == null ? "" : name, code, text);
        }
    }
}
