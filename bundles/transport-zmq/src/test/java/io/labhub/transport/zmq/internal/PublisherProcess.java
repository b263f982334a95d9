package io.labhub.transport.zmq.internal;

import io.labhub.api.ChannelInfo;
import io.labhub.api.ChannelName;
import io.labhub.api.Publisher;
import io.labhub.api.ZmqOptions;
import io.labhub.api.spi.ChannelContext;
import io.labhub.api.spi.ChannelEvent;
import io.labhub.security.CurveSecurityFactory;
import io.labhub.security.CurveSecurityHandle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * A publisher in a JVM of its own, for the crash test: it announces its endpoint by writing a file
 * (standing in for the broker) and publishes "n0", "n1", ... every millisecond until it is killed.
 *
 * <p>Arguments: keys directory, allow-list file, announcement file, channel name.
 */
public final class PublisherProcess {

    private PublisherProcess() {
    }

    public static void main(String[] args) throws Exception {
        Path keys = Path.of(args[0]);
        Path allowList = Path.of(args[1]);
        Path announcement = Path.of(args[2]);
        String name = args[3];
        CurveSecurityHandle security = CurveSecurityFactory.start(keys, allowList);
        ZmqPubSubTransport transport = new ZmqPubSubTransport(security, TransportFixture.SETTINGS);
        Publisher publisher = transport.createPublisher(new ChannelContext() {
            @Override
            public ChannelName name() {
                return new ChannelName(name);
            }

            @Override
            public void offer(String endpoint, String serverKey, Map<String, String> metadata) {
                try {
                    Path tmp = announcement.resolveSibling(announcement.getFileName() + ".tmp");
                    Files.writeString(tmp, endpoint + "\n" + serverKey + "\n", StandardCharsets.US_ASCII);
                    Files.move(tmp, announcement, StandardCopyOption.ATOMIC_MOVE);
                } catch (java.io.IOException e) {
                    throw new IllegalStateException(e);
                }
            }

            @Override
            public ChannelInfo discover(Duration wait) {
                throw new UnsupportedOperationException();
            }

            @Override
            public void attach() {
            }

            @Override
            public void detach() {
            }

            @Override
            public AutoCloseable onEvent(Consumer<ChannelEvent> listener) {
                return () -> { };
            }

            @Override
            public void closed() {
            }
        }, ZmqOptions.DEFAULTS);
        for (long i = 0; ; i++) {
            publisher.publish(("n" + i).getBytes(StandardCharsets.UTF_8));
            LockSupport.parkNanos(1_000_000); // a steady rate, not synchronisation
        }
    }
}
