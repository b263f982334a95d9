package io.labhub.transport.shm.internal;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.labhub.api.ChannelCounters;
import io.labhub.api.ChannelInfo;
import io.labhub.api.ChannelKind;
import io.labhub.api.ChannelName;
import io.labhub.api.FrameSnapshot;
import io.labhub.api.ConsumerOptions;
import io.labhub.api.ErrorCode;
import io.labhub.api.LabHubException;
import io.labhub.api.ShmConsumer;
import io.labhub.api.ShmOptions;
import io.labhub.api.ShmProducer;
import io.labhub.api.WaitStrategy;
import io.labhub.api.spi.ChannelContext;
import io.labhub.api.spi.ShmTransport;
import io.labhub.transport.shm.internal.ShmLayout.Expectation;
import io.labhub.transport.shm.internal.platform.SegmentAccess;
import io.labhub.transport.shm.internal.platform.SegmentNames;
import io.labhub.transport.shm.internal.platform.ShmPlatform;
import io.labhub.transport.shm.internal.platform.ShmPlatforms;

/**
 * The {@code shm} transport: rings from {@link RingProducer} / {@link RingConsumer}, registered and
 * discovered through the Hub's {@link ChannelContext}. The metadata it publishes (keys
 * {@code shm.*}) tells consumers what to expect before they map anything.
 */
@Component(service = ShmTransport.class, configurationPid = ShmTransportConfig.PID)
@Designate(ocd = ShmTransportConfig.class)
public final class ShmTransportImpl implements ShmTransport {

    public static final String META_SLOT_SIZE = "shm.slotSize";
    public static final String META_SLOT_COUNT = "shm.slotCount";
    public static final String META_LAYOUT_VERSION = "shm.layoutVersion";
    public static final String META_POLICY = "shm.policy";
    public static final String META_CRC32C = "shm.crc32c";
    public static final String META_SPIN_NANOS = "shm.spinNanos";
    public static final String META_YIELD_NANOS = "shm.yieldNanos";

    private static final Logger LOG = LoggerFactory.getLogger(ShmTransportImpl.class);

    private final ShmPlatform platform;
    private final RingSettings settings;
    private final SegmentAccess access;
    private final Heartbeat heartbeat;
    /** This transport's open producers by channel: observed from their own mapping, no directory scan. */
    private final Map<ChannelName, RingProducer> producers = new ConcurrentHashMap<>();

    @Activate
    public ShmTransportImpl(ShmTransportConfig config) {
        this(ShmPlatforms.load(Path.of(config.directory()), config.windowsNamespace()), RingSettings.of(config), new SegmentAccess(config.fileGroup()));
    }

    /** For use without OSGi (tests, embedding). */
    public ShmTransportImpl(ShmPlatform platform, RingSettings settings, SegmentAccess access) {
        this.platform = platform;
        this.settings = settings;
        this.access = access;
        this.heartbeat = new Heartbeat(settings.heartbeatPeriod());
        int removed = SegmentJanitor.sweep(platform);
        LOG.info("shm transport on platform {}{}", platform.id(), removed > 0 ? ", removed " + removed + " stale segments" : "");
    }

    public ShmPlatform platform() {
        return platform;
    }

    @Deactivate
    public void deactivate() {
        heartbeat.close();
    }

    @Override
    public ShmProducer createProducer(ChannelContext context, ShmOptions options) {
        SegmentJanitor.sweep(platform); // a SIGKILLed producer without consumers cannot clean up itself
        String segment = SegmentNames.random();
        RingProducer[] self = new RingProducer[1];
        RingProducer producer = RingProducer.create(platform, context.name(), segment, options, settings, access,
                heartbeat, () -> {
                    producers.remove(context.name(), self[0]);
                    context.closed();
                });
        self[0] = producer;
        try {
            Map<String, String> metadata = new HashMap<>(options.metadata());
            metadata.put(META_SLOT_SIZE, Integer.toString(options.slotSize()));
            metadata.put(META_SLOT_COUNT, Integer.toString(options.slotCount()));
            metadata.put(META_LAYOUT_VERSION, Integer.toString(ShmLayout.LAYOUT_VERSION));
            metadata.put(META_POLICY, options.policy().name().toLowerCase(java.util.Locale.ROOT));
            metadata.put(META_CRC32C, Boolean.toString(options.crc32c()));
            metadata.put(META_SPIN_NANOS, Long.toString(RingSettings.nanos(options.waitStrategy().spin())));
            metadata.put(META_YIELD_NANOS, Long.toString(RingSettings.nanos(options.waitStrategy().yield())));
            context.offer(segment, null, metadata);
            producers.put(context.name(), producer);
            return producer;
        } catch (RuntimeException e) {
            producer.close();
            throw e;
        }
    }

    @Override
    public ShmConsumer openConsumer(ChannelContext context, ConsumerOptions options) {
        ChannelInfo info = context.discover(options.waitForChannel());
        RingConsumer.Endpoint endpoint = endpoint(info);
        WaitStrategy wait = options.waitStrategy();
        if (WaitStrategy.DEFAULT.equals(wait)) {
            wait = channelWait(info);
        }
        AutoCloseable[] subscription = new AutoCloseable[1];
        RingConsumer consumer = RingConsumer.open(platform, context.name(), endpoint, wait, settings, heartbeat, () -> {
            closeQuietly(subscription[0]);
            context.detach();
            context.closed();
        }, () -> endpoint(context.discover(Duration.ZERO)));
        try {
            context.attach();
            subscription[0] = context.onEvent(event -> {
                switch (event.type()) {
                    case REGISTERED -> {
                        try {
                            consumer.requestRemap(endpoint(event.info()));
                        } catch (LabHubException e) {
                            LOG.warn("shm channel {}: ignoring registration: {}", context.name(), e.getMessage());
                        }
                    }
                    case PRODUCER_LOST -> consumer.producerLost();
                    case CLOSED -> { /* the segment header says so too; the segment outlives the producer */ }
                }
            });
            return consumer;
        } catch (RuntimeException e) {
            consumer.close();
            throw e;
        }
    }

    /**
     * The producer's counters from the segment header: of this transport's own producer when it has one,
     * else of the segment on this host that names the channel. Nothing is joined, written or sent.
     */
    @Override
    public Optional<ChannelCounters> observe(ChannelName name) {
        RingProducer local = producers.get(name);
        if (local != null && local.isOpen()) {
            try {
                return Optional.of(local.headerCounters());
            } catch (IllegalStateException | InternalError e) {
                // closed or failed meanwhile: look on the host like for anyone else's
            }
        }
        return SegmentObserver.observe(platform, name);
    }

    /**
     * A copy of the newest committed frame of the channel's segment on this host, this transport's own
     * producer included (its segment is on the host like anyone's): read as an observer, never joined.
     */
    @Override
    public Optional<FrameSnapshot> latest(ChannelName name, int maxBytes) {
        return SegmentObserver.latest(platform, name, maxBytes);
    }

    /** The segment and what to expect of it, from the broker's description of the channel. */
    static RingConsumer.Endpoint endpoint(ChannelInfo info) {
        if (info.kind() != ChannelKind.SHM) {
            throw new LabHubException(ErrorCode.INVALID_ARGUMENT, "channel " + info.name() + " is a "
                    + info.kind().wireName() + " channel, not shm");
        }
        Map<String, String> meta = info.metadata();
        return new RingConsumer.Endpoint(info.endpoint(), new Expectation(intOf(meta, META_SLOT_SIZE),
                intOf(meta, META_SLOT_COUNT), intOf(meta, META_LAYOUT_VERSION), info.schemaHash()));
    }

    private WaitStrategy channelWait(ChannelInfo info) {
        try {
            String spin = info.metadata().get(META_SPIN_NANOS);
            String yield = info.metadata().get(META_YIELD_NANOS);
            if (spin != null && yield != null) {
                WaitStrategy chosen = new WaitStrategy(Duration.ofNanos(Long.parseLong(spin)), Duration.ofNanos(Long.parseLong(yield)));
                if (!WaitStrategy.DEFAULT.equals(chosen)) {
                    return chosen;
                }
            }
        } catch (RuntimeException e) {
            LOG.debug("shm channel {}: ignoring unreadable wait metadata", info.name());
        }
        return settings.defaultWait();
    }

    private static int intOf(Map<String, String> meta, String key) {
        String value = meta.get(key);
        if (value == null) {
            return 0;
        }
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new LabHubException(ErrorCode.SEGMENT_INVALID, "metadata " + key + "=" + value + " is not a number");
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        if (c != null) {
            try {
                c.close();
            } catch (Exception e) {
                LOG.trace("closing event subscription failed", e);
            }
        }
    }
}
