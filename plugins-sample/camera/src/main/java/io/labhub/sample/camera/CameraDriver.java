package io.labhub.sample.camera;

import io.labhub.api.Hub;
import io.labhub.api.ShmClaim;
import io.labhub.api.ShmOptions;
import io.labhub.api.ShmProducer;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
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
 * A simulated camera: writes 16-bit frames (a moving gradient) straight into shared-memory slots (zero
 * copy: claim, write, commit) on its own thread, at the configured rate. Layout: {@link FrameLayout}.
 * Configuration pid {@code io.labhub.sample.camera}; a changed configuration restarts the component
 * (new channel with the new size).
 */
@Component(configurationPid = "io.labhub.sample.camera", immediate = true, service = {})
@Designate(ocd = CameraDriver.Config.class)
public class CameraDriver {

    private static final Logger LOG = LoggerFactory.getLogger(CameraDriver.class);
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    @ObjectClassDefinition(name = "LabHub sample camera")
    public @interface Config {
        @AttributeDefinition(description = "The shm channel the frames go to")
        String channel() default "camera1.frames";

        @AttributeDefinition(description = "Frame width, in pixels", min = "1", max = "8192")
        int width() default 1024;

        @AttributeDefinition(description = "Frame height, in pixels", min = "1", max = "8192")
        int height() default 1024;

        @AttributeDefinition(description = "Frames per second", min = "0.01", max = "10000")
        double rateHz() default 10.0;

        @AttributeDefinition(description = "Slots in the ring", min = "2")
        int slots() default 4;

        @AttributeDefinition(description = "The camera's serial number, an attribute of the channel's schema")
        String serial() default "CAM-0001";
    }

    private final ShmProducer frames;
    private final Thread worker;
    private final int width;
    private final int height;
    private final long periodNanos;
    private volatile boolean running = true;

    @Activate
    public CameraDriver(@Reference Hub hub, Config config) {
        if (config.width() < 1 || config.height() < 1 || config.width() > 8192 || config.height() > 8192 || !(config.rateHz() > 0)) {
            throw new IllegalArgumentException("io.labhub.sample.camera: width/height must be 1..8192 and rateHz > 0, got "
                    + config.width() + "x" + config.height() + " at " + config.rateHz() + " Hz");
        }
        this.width = config.width();
        this.height = config.height();
        this.periodNanos = (long) (1e9 / config.rateHz());
        int frameBytes = FrameLayout.frameBytes(width, height);
        this.frames = hub.createShmProducer(config.channel(), ShmOptions.DEFAULTS
                .withSlots(frameBytes, Math.max(2, config.slots()))
                .withSchema(FrameLayout.schema(width, height, config.serial()))
                .withMetadata(Map.of("width", Integer.toString(width), "height", Integer.toString(height),
                        "pixelFormat", FrameLayout.FORMAT_MONO16_NAME, "headerBytes", Integer.toString(FrameLayout.HEADER_BYTES),
                        "rateHz", Double.toString(config.rateHz()), "layout", "docs/walkthrough.md#camera-frames")));
        // The driver's own thread: a slow or hung driver cannot stall another.
        this.worker = new Thread(this::run, "camera-" + config.channel());
        this.worker.setDaemon(true);
        this.worker.start();
        LOG.info("camera on '{}': {}x{} mono16 at {} Hz", config.channel(), width, height, config.rateHz());
    }

    private void run() {
        short[] ramp = new short[width * 2];
        for (int i = 0; i < ramp.length; i++) {
            ramp[i] = (short) ((i % width) * 65535 / Math.max(1, width - 1));
        }
        MemorySegment rampSegment = MemorySegment.ofArray(ramp);
        int frameBytes = FrameLayout.frameBytes(width, height);
        long next = System.nanoTime();
        long frame = 0;
        while (running) {
            try (ShmClaim claim = frames.claim(frameBytes)) {
                MemorySegment s = claim.segment();
                s.set(LONG, FrameLayout.SEQUENCE_OFFSET, claim.sequence());
                s.set(LONG, FrameLayout.TIMESTAMP_OFFSET, System.currentTimeMillis() * 1_000_000L);
                s.set(INT, FrameLayout.WIDTH_OFFSET, width);
                s.set(INT, FrameLayout.HEIGHT_OFFSET, height);
                s.set(INT, FrameLayout.FORMAT_OFFSET, FrameLayout.FORMAT_MONO16);
                // a gradient that moves one column per frame: each row is a window into the ramp
                for (int row = 0; row < height; row++) {
                    int shift = (int) ((frame + row) % width);
                    MemorySegment.copy(rampSegment, ValueLayout.JAVA_SHORT, shift * 2L, s, SHORT,
                            FrameLayout.HEADER_BYTES + (long) row * width * 2, width);
                }
                claim.commit(frameBytes);
                frame++;
            } catch (RuntimeException e) {
                if (!running || !frames.isOpen()) {
                    break;
                }
                LOG.warn("camera could not write a frame", e);
            }
            next += periodNanos;
            long wait = next - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            } else {
                next = System.nanoTime(); // late: do not try to catch up with a burst
            }
        }
    }

    @Deactivate
    void deactivate() {
        running = false;
        LockSupport.unpark(worker);
        try {
            worker.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        frames.close();
        LOG.info("camera on '{}' stopped", frames.name());
    }
}
