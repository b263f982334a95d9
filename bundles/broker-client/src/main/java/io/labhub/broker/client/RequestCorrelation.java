package io.labhub.broker.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.labhub.agent.PendingTable;
import io.labhub.api.ChannelName;
import io.labhub.broker.protocol.Wire;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The client's requests in flight: each request gets an id ({@code c1}, {@code c2}, ...), the broker
 * echoes it, and the reply finds its {@link Pending} (a reply whose id is unknown, because its request
 * was given up, finds nothing). Deadlines and lookup are {@link PendingTable}'s. Socket thread only.
 */
final class RequestCorrelation {

    /** One request in flight: its type and channel (for the reply's handling), caller, deadline and body. */
    record Pending(String type, ChannelName name, CompletableFuture<ObjectNode> future, long deadline,
                   ObjectNode request) {
    }

    private final PendingTable<String, Pending> table = new PendingTable<>();
    private long counter;

    /** The next correlation id. */
    String nextId() {
        return "c" + (++counter);
    }

    /** Remembers {@code request} (its {@code id} already set) as sent. */
    void add(String id, ObjectNode request, CompletableFuture<ObjectNode> future, long deadline) {
        String type = request.path(Wire.TYPE).asText();
        JsonNode nameNode = request.get(Wire.NAME);
        ChannelName name = nameNode != null && nameNode.isTextual() ? new ChannelName(nameNode.textValue()) : null;
        table.add(id, deadline, new Pending(type, name, future, deadline, request));
    }

    /** @return the request a reply with this id answers, removed; {@code null} when unknown */
    Pending answered(String id) {
        return id == null ? null : table.remove(id);
    }

    /** Forgets one request (a hello whose connection dropped). */
    void forget(String id) {
        if (id != null) {
            table.remove(id);
        }
    }

    /** Removes and returns the requests whose deadline has passed. */
    List<Pending> expire(long now) {
        return table.expire(now);
    }

    /** Removes and returns every request in flight. */
    List<Pending> clear() {
        return table.clear();
    }
}
