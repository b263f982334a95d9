package io.labhub.transport.zmq.internal;

import io.labhub.api.ChannelInfo;
import io.labhub.api.ChannelKind;
import io.labhub.api.Publisher;
import io.labhub.api.ZmqOptions;
import io.labhub.security.CurveSecurityFactory;
import io.labhub.security.CurveSecurityHandle;
import io.labhub.testkit.Await;
import io.labhub.testkit.FakeHub;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

/**
 * A publisher in a JVM of its own, for the crash test: it announces its endpoint and server key on stdout
 * ({@code READY endpoint serverKey}, standing in for the broker) and publishes "n0", "n1", ... every
 * millisecond until it is killed.
 *
 * <p>Arguments: keys directory, allow-list file, channel name.
 */
public final class PublisherProcess {

    private PublisherProcess() {
    }

    public static void main(String[] args) throws Exception {
        Path keys = Path.of(args[0]);
        Path allowList = Path.of(args[1]);
        String name = args[2];
        CurveSecurityHandle security = CurveSecurityFactory.start(keys, allowList);
        ZmqPubSubTransport transport = new ZmqPubSubTransport(security, TransportFixture.SETTINGS);
        FakeHub hub = new FakeHub();
        Publisher publisher = transport.createPublisher(hub.context(name, ChannelKind.PUBSUB), ZmqOptions.DEFAULTS);
        ChannelInfo offered = Await.value("the publisher offers its channel", Duration.ofSeconds(30), () -> hub.info(name));
        System.out.println("READY " + offered.endpoint() + " " + offered.serverKey());
        System.out.flush();
        for (long i = 0; ; i++) {
            publisher.publish(("n" + i).getBytes(StandardCharsets.UTF_8));
            LockSupport.parkNanos(1_000_000); // a steady rate, not synchronisation
        }
    }
}
