package io.labhub.transport.zmq.internal;

import io.labhub.api.Channel;
import io.labhub.api.ChannelClosedException;
import io.labhub.api.ChannelCounters;
import io.labhub.api.ChannelKind;
import io.labhub.api.ChannelName;
import io.labhub.api.spi.ChannelContext;
import io.labhub.security.CurveSecurity;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the four ZeroMQ channel ends share: name, counters, the I/O loop that owns the sockets, and an
 * idempotent close that releases the sockets and then tells the Hub ({@link ChannelContext#closed()}).
 */
abstract class ZmqChannel implements Channel {

    private static final Logger LOG = LoggerFactory.getLogger(ZmqChannel.class);

    protected final ChannelContext context;
    protected final CurveSecurity security;
    protected final ZmqSettings settings;
    protected final Counters counters = new Counters();
    protected final IoLoop loop;
    private final ChannelKind kind;
    private final AtomicBoolean open = new AtomicBoolean(true);
    private volatile Runnable onClosed = () -> { };
    private final AtomicBoolean warnedVersion = new AtomicBoolean();

    ZmqChannel(ChannelContext context, CurveSecurity security, ZmqSettings settings, ChannelKind kind, String role) {
        this.context = context;
        this.security = security;
        this.settings = settings;
        this.kind = kind;
        this.loop = new IoLoop("labhub-" + role + "-" + context.name().value(), security.context(),
                settings.lingerMillis());
    }

    /** Called once after close (the transport forgets the channel). */
    void onClosed(Runnable r) {
        this.onClosed = r;
    }

    @Override
    public ChannelName name() {
        return context.name();
    }

    @Override
    public ChannelKind kind() {
        return kind;
    }

    @Override
    public ChannelCounters counters() {
        return counters.snapshot();
    }

    /** Messages refused for their wire version (a version-1 or unknown peer); also counted in errors. */
    long versionRefusals() {
        return counters.versionRefused.sum();
    }

    /** Requests refused with {@code BUSY}. */
    long busyRefusals() {
        return counters.busy.sum();
    }

    /**
     * Counts a received message that {@link WireFormat#check} refused, logging the first refusal for its
     * wire version at WARN (a peer of another LabHub version: worth one line) and the rest at DEBUG.
     */
    protected void refused(WireFormat.Check check, WireFormat.Header h, int frames) {
        counters.errors.increment();
        boolean version = check == WireFormat.Check.VERSION_1 || check == WireFormat.Check.UNKNOWN_VERSION;
        if (version) {
            counters.versionRefused.increment();
            if (!warnedVersion.getAndSet(true)) {
                LOG.warn("{} {}: refused a message of wire version {} in {} frame(s) (this runtime speaks {}; see "
                        + "docs/zmq-channels.md); further ones are counted only. Header: {}", kind.wireName(), name(),
                        h.version(), frames, WireFormat.VERSION, h);
                return;
            }
        }
        LOG.debug("{}: message refused ({}, header {}, {} frame(s))", name(), check, h, frames);
    }

    @Override
    public boolean isOpen() {
        return open.get();
    }

    protected void ensureOpen() {
        if (!open.get()) {
            throw new ChannelClosedException("channel " + name() + " is closed");
        }
    }

    @Override
    public void close() {
        if (!open.compareAndSet(true, false)) {
            return;
        }
        try {
            beforeStop();
        } catch (RuntimeException e) {
            LOG.warn("{}: while closing", name(), e);
        }
        loop.stop(this::onLoopStop, settings.lingerMillis() + 2000L);
        try {
            afterStop();
        } catch (RuntimeException e) {
            LOG.warn("{}: while closing", name(), e);
        }
        try {
            context.closed();
        } catch (RuntimeException e) {
            LOG.warn("{}: the Hub failed to forget the channel", name(), e);
        }
        onClosed.run();
        LOG.debug("{} {} closed", kind.wireName(), name());
    }

    /** Caller's thread, before the loop stops: stop listening to events, refuse new work. */
    protected void beforeStop() {
    }

    /** Loop thread, last task: fail what is pending. Owned sockets are closed right after. */
    protected void onLoopStop() {
    }

    /** Caller's thread, after the loop stopped: wake readers, stop workers. */
    protected void afterStop() {
    }

    /** Closes the loop after a failed open, without telling the Hub (nothing was announced). */
    protected void abandon() {
        open.set(false);
        loop.stop(() -> { }, settings.lingerMillis() + 2000L);
    }
}
