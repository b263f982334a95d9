package io.labhub.core.internal;

import io.labhub.api.ChannelCounters;
import io.labhub.api.ChannelInfo;
import io.labhub.api.ChannelKind;
import io.labhub.api.ConsumerOptions;
import io.labhub.api.Hub;
import io.labhub.api.HubStatus;
import io.labhub.api.InvalidInputException;
import io.labhub.api.Publisher;
import io.labhub.api.RequestClient;
import io.labhub.api.RequestHandler;
import io.labhub.api.RequestServer;
import io.labhub.api.ShmConsumer;
import io.labhub.api.ShmOptions;
import io.labhub.api.ShmProducer;
import io.labhub.api.Subscriber;
import io.labhub.api.ZmqOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ServiceScope;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link Hub} as one bundle sees it. Bundle scope: each bundle that gets the Hub gets its own
 * instance, so that when the bundle stops (or is uninstalled from {@code deploy/}) DS deactivates this
 * instance and every channel it created is closed and unregistered, whatever the driver forgot.
 */
@Component(service = Hub.class, scope = ServiceScope.BUNDLE)
public class BundleHub implements Hub {

    private static final Logger LOG = LoggerFactory.getLogger(BundleHub.class);

    private final HubEngine engine;
    private final Set<HubEngine.Context> channels = ConcurrentHashMap.newKeySet();
    private final String owner;

    @Activate
    public BundleHub(@Reference HubComponent component, org.osgi.service.component.ComponentContext cc) {
        this(component.engine(), cc.getUsingBundle() == null ? "?" : cc.getUsingBundle().getSymbolicName());
    }

    BundleHub(HubEngine engine, String owner) {
        this.engine = engine;
        this.owner = owner;
    }

    String owner() {
        return owner;
    }

    void track(HubEngine.Context c) {
        channels.add(c);
    }

    void untrack(HubEngine.Context c) {
        channels.remove(c);
    }

    @Deactivate
    void deactivate() {
        List<HubEngine.Context> left = new ArrayList<>(channels);
        if (!left.isEmpty()) {
            LOG.info("closing {} channel(s) left open by {}", left.size(), owner);
        }
        for (HubEngine.Context c : left) {
            c.closeChannel();
        }
    }

    @Override
    public ShmProducer createShmProducer(String name, ShmOptions options) {
        engine.check(options);
        return engine.create(this, ChannelKind.SHM, name, options.schema(), ctx -> engine.shm().createProducer(ctx, options));
    }

    @Override
    public ShmConsumer openShmConsumer(String name, ConsumerOptions options) {
        engine.check(options);
        return engine.create(this, ChannelKind.SHM, name, ctx -> engine.shm().openConsumer(ctx, options));
    }

    @Override
    public Publisher createPublisher(String name, ZmqOptions options) {
        engine.check(options);
        return engine.create(this, ChannelKind.PUBSUB, name, options.schema(), ctx -> engine.pubsub().createPublisher(ctx, options));
    }

    @Override
    public Subscriber openSubscriber(String name, ConsumerOptions options) {
        engine.check(options);
        return engine.create(this, ChannelKind.PUBSUB, name, ctx -> engine.pubsub().openSubscriber(ctx, options));
    }

    @Override
    public RequestServer createServer(String name, RequestHandler handler, ZmqOptions options) {
        if (handler == null) {
            throw new InvalidInputException("handler.null", "null", "a request server needs a handler");
        }
        engine.check(options);
        return engine.create(this, ChannelKind.REQREP, name, options.schema(),
                ctx -> engine.reqrep().createServer(ctx, engine.observed(ctx.name(), handler), options));
    }

    @Override
    public AutoCloseable observeRequests(String name, io.labhub.api.RequestObserver observer) {
        return engine.observeRequests(name, observer);
    }

    @Override
    public RequestClient openClient(String name, ConsumerOptions options) {
        engine.check(options);
        return engine.create(this, ChannelKind.REQREP, name, ctx -> engine.reqrep().openClient(ctx, options));
    }

    @Override
    public List<ChannelInfo> channels() {
        return engine.channels();
    }

    @Override
    public Optional<ChannelInfo> find(String name) {
        return engine.find(name);
    }

    @Override
    public Optional<ChannelCounters> producerCounters(String name) {
        return engine.producerCounters(name);
    }

    @Override
    public Optional<ChannelCounters> observe(String name) {
        return engine.observe(name);
    }

    @Override
    public Optional<io.labhub.api.FrameSnapshot> latestFrame(String name, int maxBytes) {
        return engine.latestFrame(name, maxBytes);
    }

    @Override
    public HubStatus status() {
        return engine.status();
    }
}
