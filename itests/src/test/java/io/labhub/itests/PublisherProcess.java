package io.labhub.itests;

import io.labhub.api.Hub;
import io.labhub.api.Publisher;
import io.labhub.launcher.LabHub;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A second LabHub process for the crash tests: embeds LabHub from {@code args[0]} (its home, whose
 * conf/ points the Hub at the test's broker) and publishes a counter on {@code args[1]} as fast as
 * one message per millisecond, until it is killed.
 */
public final class PublisherProcess {

    private PublisherProcess() {
    }

    public static void main(String[] args) throws Exception {
        LabHub lab = LabHub.builder().home(Path.of(args[0])).featuresDir(It.featuresDir())
                .features("boot", "framework", "base", "broker", "core", "zmq").start();
        Hub hub = lab.hub(Duration.ofSeconds(60));
        Publisher pub = hub.createPublisher(args[1]);
        System.out.println("publishing");
        System.out.flush();
        for (long i = 0; ; i++) {
            pub.publish(ByteBuffer.allocate(8).putLong(i).array());
            Thread.sleep(1);
        }
    }
}
