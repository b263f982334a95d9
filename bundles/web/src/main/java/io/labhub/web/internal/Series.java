package io.labhub.web.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.labhub.api.ChannelInfo;
import io.labhub.api.ConsumerOptions;
import io.labhub.api.Hub;
import io.labhub.api.LabHubException;
import io.labhub.api.Message;
import io.labhub.api.Subscriber;
import io.labhub.api.schema.Field;
import io.labhub.api.schema.RecordView;
import io.labhub.api.schema.Schema;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last {@link #SPAN} of one pub/sub channel's numeric fields, for the page's plot: a {@link Subscriber} (a
 * pub/sub subscriber never slows its publisher) on its own virtual thread. Fields are the record's numeric scalar
 * fields when the channel has a schema, else the numeric members of a JSON object payload (the thermometer).
 */
final class Series implements AutoCloseable {

    static final Duration SPAN = Duration.ofMinutes(5);
    static final int MAX_POINTS = 3000;
    private static final Logger LOG = LoggerFactory.getLogger(Series.class);

    private record Point(long millis, Map<String, Double> values) {
    }

    private final String channel;
    private final Subscriber subscriber;
    private final Schema schema;
    private final ArrayDeque<Point> points = new ArrayDeque<>();
    private final Thread thread;
    private volatile boolean closed;

    Series(Hub hub, ChannelInfo info) {
        this.channel = info.name().value();
        this.schema = info.schema();
        this.subscriber = hub.openSubscriber(channel, ConsumerOptions.DEFAULTS.withWaitForChannel(Duration.ofSeconds(2)));
        this.thread = Thread.ofVirtual().name("labhub-web-series-" + channel).start(this::run);
    }

    private void run() {
        while (!closed) {
            try {
                Message m = subscriber.receive(Duration.ofSeconds(1));
                if (m != null) {
                    add(System.currentTimeMillis(), values(m.payload()));
                }
            } catch (LabHubException e) {
                if (!closed) {
                    LOG.debug("series {}: {}", channel, e.toString());
                }
                if (!subscriber.isOpen()) {
                    return;
                }
            }
        }
    }

    private Map<String, Double> values(byte[] payload) {
        Map<String, Double> out = new LinkedHashMap<>();
        if (schema != null && schema.fields().stream().anyMatch(Series::numericScalar) && payload.length >= schema.size()) {
            RecordView v = schema.view(payload);
            for (Field f : schema.fields()) {
                if (numericScalar(f)) {
                    out.put(f.name(), number(v, f));
                }
            }
            return out;
        }
        try {
            JsonNode n = Http.JSON.readTree(payload);
            if (n != null && n.isObject()) {
                for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> e = it.next();
                    if (e.getValue().isNumber()) {
                        out.put(e.getKey(), e.getValue().asDouble());
                    }
                }
            }
        } catch (java.io.IOException e) {
            // not JSON: nothing to plot
        }
        return out;
    }

    private static boolean numericScalar(Field f) {
        return f.count() == 1 && switch (f.dtype()) {
            case U8, I8, U16, I16, U32, I32, U64, I64, F32, F64 -> true;
            default -> false;
        };
    }

    private static double number(RecordView v, Field f) {
        String n = f.name();
        return switch (f.dtype()) {
            case U8 -> v.getU8(n);
            case I8 -> v.getI8(n);
            case U16 -> v.getU16(n);
            case I16 -> v.getI16(n);
            case U32 -> v.getU32(n);
            case I32 -> v.getI32(n);
            case U64, I64 -> v.getI64(n);
            case F32 -> v.getF32(n);
            default -> v.getF64(n);
        };
    }

    private synchronized void add(long millis, Map<String, Double> values) {
        if (values.isEmpty()) {
            return;
        }
        points.addLast(new Point(millis, values));
        while (points.size() > MAX_POINTS || points.peekFirst().millis() < millis - SPAN.toMillis()) {
            points.removeFirst();
        }
    }

    /** @return {@code {channel, fields: {name: [[millis, value], ...]}}} */
    synchronized Map<String, Object> read() {
        Map<String, List<double[]>> fields = new LinkedHashMap<>();
        for (Point p : points) {
            for (Map.Entry<String, Double> e : p.values().entrySet()) {
                fields.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(new double[] {p.millis(), e.getValue()});
            }
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("channel", channel);
        out.put("spanSeconds", SPAN.toSeconds());
        out.put("fields", fields);
        return out;
    }

    @Override
    public void close() {
        closed = true;
        subscriber.close();
        thread.interrupt();
    }
}
