package io.labhub.sample.framestats;

import io.labhub.api.ChannelClosedException;
import io.labhub.api.ChannelInfo;
import io.labhub.api.InvalidInputException;
import io.labhub.api.schema.Dtype;
import io.labhub.api.schema.Schema;
import io.labhub.api.ChannelNotFoundException;
import io.labhub.api.ConsumerOptions;
import io.labhub.api.FrameHandler;
import io.labhub.api.Hub;
import io.labhub.api.LabHubException;
import io.labhub.api.PollResult;
import io.labhub.api.ShmConsumer;
import io.labhub.api.ShmFrame;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.time.Duration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A sample consumer: reads the camera's frames (zero copy), computes the frame rate and the mean
 * intensity, and logs them every few seconds. It keeps going when the camera goes away: a closed
 * channel or a producer that stays dead makes it close its consumer and open the channel again, waiting
 * for it to be registered, so it picks the camera up when it comes back.
 *
 * <p>Frames are read through the channel's schema (docs/schemas.md), as the broker hands it out: the
 * {@code pixels} field ({@code u16}) is a zero-copy slice of the slot, and a frame of another size than
 * the schema's is counted as bad and skipped. A channel without a schema is read by the camera sample's
 * documented layout (docs/walkthrough.md): a 32-byte little-endian header with width at offset 16 and
 * height at 20, then unsigned 16-bit pixels. This bundle imports nothing from the camera's bundle, only
 * the API, so it survives the camera's jar being removed. Configuration pid
 * {@code io.labhub.sample.framestats}.
 */
@Component(configurationPid = "io.labhub.sample.framestats", immediate = true, service = FrameStats.class)
@Designate(ocd = FrameStats.Config.class)
public class FrameStats {

    private static final Logger LOG = LoggerFactory.getLogger(FrameStats.class);
    private static final int WIDTH_OFFSET = 16;
    private static final int HEIGHT_OFFSET = 20;
    private static final int HEADER_BYTES = 32;
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    @ObjectClassDefinition(name = "LabHub sample frame statistics")
    public @interface Config {
        @AttributeDefinition(description = "The camera's shm channel")
        String channel() default "camera1.frames";

        @AttributeDefinition(description = "How often the statistics are logged, in seconds", min = "1")
        int logIntervalSeconds() default 5;

        @AttributeDefinition(description = "Seconds without frames from a dead producer before the channel is reopened", min = "1")
        int reopenAfterSeconds() default 3;
    }

    /** What the last interval showed; for tests and for the log. */
    public record Snapshot(long frames, double rateHz, double meanIntensity, long reopened, boolean connected) {
    }

    private final Hub hub;
    private final String channel;
    private final long logIntervalNanos;
    private final long reopenAfterNanos;
    private final Thread worker;
    private volatile boolean running = true;
    private volatile Snapshot last = new Snapshot(0, 0, Double.NaN, 0, false);
    private long totalFrames;
    private long reopened;

    @Activate
    public FrameStats(@Reference Hub hub, Config config) {
        this.hub = hub;
        this.channel = config.channel();
        this.logIntervalNanos = Math.max(1, config.logIntervalSeconds()) * 1_000_000_000L;
        this.reopenAfterNanos = Math.max(1, config.reopenAfterSeconds()) * 1_000_000_000L;
        // The consumer's own thread: it may wait for the camera for as long as it takes.
        this.worker = new Thread(this::run, "frame-stats-" + channel);
        this.worker.setDaemon(true);
        this.worker.start();
    }

    /** The statistics of the last logged interval. */
    public Snapshot snapshot() {
        return last;
    }

    private void run() {
        while (running) {
            try (ShmConsumer c = hub.openShmConsumer(channel, ConsumerOptions.DEFAULTS.withWaitForChannel(Duration.ofSeconds(1)))) {
                if (!running) {
                    return;
                }
                Schema schema = pixelSchema(hub.find(channel).map(ChannelInfo::schema).orElse(null));
                LOG.info("frame-stats: reading '{}' ({})", channel, schema == null ? "no u16 'pixels' schema: by the"
                        + " camera's documented layout" : "schema " + schema.hash().substring(0, 12));
                consume(c, schema);
            } catch (ChannelNotFoundException e) {
                LOG.debug("frame-stats: '{}' not registered yet, still waiting", channel);
            } catch (ChannelClosedException e) {
                if (running) {
                    LOG.info("frame-stats: '{}' closed, waiting for it to come back", channel);
                }
            } catch (LabHubException e) {
                LOG.warn("frame-stats: '{}' failed ({}), opening it again", channel, e.getMessage());
                pause();
            }
            if (running) {
                reopened++;
                last = new Snapshot(0, 0, Double.NaN, reopened, false);
            }
        }
    }

    /** Reads until the channel closes or its producer stays dead; returns to reopen. */
    private void consume(ShmConsumer c, Schema schema) {
        long intervalStart = System.nanoTime();
        long lastFrameAt = System.nanoTime();
        Interval interval = new Interval(schema);
        while (running) {
            int n;
            try {
                // a batch per call; "nothing within 500 ms" and "closed" are results, not exceptions
                n = c.poll(interval, 64, Duration.ofMillis(500));
            } catch (IllegalStateException e) {
                // the mapping went away under the read (the consumer was closed or remapped): start over
                LOG.debug("frame-stats: a frame of '{}' became unreadable, reopening", channel, e);
                return;
            }
            if (n == PollResult.CLOSED) {
                if (running) {
                    LOG.info("frame-stats: '{}' closed, waiting for it to come back", channel);
                }
                return;
            }
            if (n > 0) {
                lastFrameAt = System.nanoTime();
            } else if (!c.producerAlive() && System.nanoTime() - lastFrameAt > reopenAfterNanos) {
                LOG.info("frame-stats: producer of '{}' is gone, reopening", channel);
                return;
            }
            long now = System.nanoTime();
            if (now - intervalStart >= logIntervalNanos) {
                double seconds = (now - intervalStart) / 1e9;
                long frames = interval.frames;
                double intensitySum = interval.intensitySum;
                totalFrames += frames;
                last = new Snapshot(frames, frames / seconds, frames == 0 ? Double.NaN : intensitySum / frames, reopened, true);
                // DEBUG: every interval at INFO filled the console and labhub.log (issue 16); hub:stats shows the rate
                LOG.debug("frame-stats: '{}' {} frames in {} s = {} Hz, mean intensity {} (total {}{})", channel, frames,
                        String.format("%.1f", seconds), String.format("%.1f", frames / seconds),
                        frames == 0 ? "-" : String.format("%.1f", intensitySum / frames), totalFrames,
                        interval.bad == 0 ? "" : ", " + interval.bad + " bad frames skipped");
                intervalStart = now;
                interval.frames = 0;
                interval.intensitySum = 0;
                interval.bad = 0;
            }
        }
    }

    /** The frames of the current interval: a frame counts when it was stable for the whole read. */
    private static final class Interval implements FrameHandler {
        private final Schema schema;
        long frames;
        double intensitySum;
        long bad;

        Interval(Schema schema) {
            this.schema = schema;
        }

        @Override
        public void onFrame(ShmFrame f) {
            double mean = schema == null ? meanIntensity(f.segment()) : meanIntensity(schema, f.segment());
            if (f.release()) {
                if (Double.isNaN(mean)) {
                    bad++;
                } else {
                    frames++;
                    intensitySum += mean;
                }
            }
        }
    }

    /** @return the schema when it has a {@code u16} field {@code pixels} to read, else {@code null} */
    static Schema pixelSchema(Schema schema) {
        return schema != null && schema.has("pixels") && schema.field("pixels").dtype() == Dtype.U16 ? schema : null;
    }

    /**
     * Mean of the {@code pixels} of a frame read through its schema (a zero-copy slice), or NaN when the
     * frame breaks the schema's payload rule (not exactly its size).
     */
    static double meanIntensity(Schema schema, MemorySegment frame) {
        MemorySegment pixels;
        try {
            pixels = schema.view(frame).slice("pixels");
        } catch (InvalidInputException e) {
            return Double.NaN; // schema.payload: a bad frame, counted and skipped
        }
        long n = pixels.byteSize() / 2;
        long sum = 0;
        for (long i = 0; i < n; i++) {
            sum += Short.toUnsignedInt(pixels.get(SHORT, i * 2));
        }
        return n == 0 ? Double.NaN : (double) sum / n;
    }

    /** Mean of the unsigned 16-bit pixels, or NaN when the frame does not match its own header. */
    static double meanIntensity(MemorySegment frame) {
        if (frame.byteSize() < HEADER_BYTES) {
            return Double.NaN;
        }
        long width = Integer.toUnsignedLong(frame.get(INT, WIDTH_OFFSET));
        long height = Integer.toUnsignedLong(frame.get(INT, HEIGHT_OFFSET));
        long pixels = width * height;
        if (pixels == 0 || HEADER_BYTES + pixels * 2 > frame.byteSize()) {
            return Double.NaN;
        }
        long sum = 0;
        for (long i = 0; i < pixels; i++) {
            sum += Short.toUnsignedInt(frame.get(SHORT, HEADER_BYTES + i * 2));
        }
        return (double) sum / pixels;
    }

    private void pause() {
        try {
            Thread.sleep(1000); // back off after an unexpected failure before opening again
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }

    @Deactivate
    void deactivate() {
        running = false;
        // The worker closes its own consumer: its waits are short (500 ms reads, 1 s discovery), and
        // closing from here could unmap a frame while the worker reads it. No interrupt either: an
        // interrupt can break a ZeroMQ socket the Hub uses on this thread.
        try {
            worker.join(3000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        LOG.info("frame-stats on '{}' stopped", channel);
    }
}
