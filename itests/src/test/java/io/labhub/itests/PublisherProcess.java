package io.labhub.itests;

import io.labhub.api.Hub;
import io.labhub.api.Publisher;
import io.labhub.api.ShmOptions;
import io.labhub.api.ShmProducer;
import io.labhub.launcher.LabHub;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A second LabHub process for the crash tests: embeds LabHub from {@code args[0]} (its home, whose
 * conf/ points the Hub at the test's broker) and publishes a counter on {@code args[1]} as fast as
 * one message per millisecond ({@code args[2] = shm}: on a shared-memory channel), until it is killed.
 */
public final class PublisherProcess {

    private PublisherProcess() {
    }

    public static void main(String[] args) throws Exception {
        LabHub lab = LabHub.builder().home(Path.of(args[0])).featuresDir(It.featuresDir())
                .features("boot", "framework", "base", "broker", "core", "shm", "zmq").start();
        Hub hub = lab.hub(Duration.ofSeconds(60));
        boolean shm = args.length > 2 && args[2].equals("shm");
        Publisher pub = shm ? null : hub.createPublisher(args[1]);
        ShmProducer producer = shm ? hub.createShmProducer(args[1], ShmOptions.DEFAULTS.withSlots(4096, 16)) : null;
        System.out.println("publishing");
        System.out.flush();
        for (long i = 0; ; i++) {
            byte[] payload = ByteBuffer.allocate(8).putLong(i).array();
            if (shm) {
                producer.publish(payload);
            } else {
                pub.publish(payload);
            }
            Thread.sleep(1); // a publishing pace, not synchronisation
        }
    }
}
