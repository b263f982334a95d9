package io.labhub.transport.shm.internal;

import static org.junit.Assert.assertEquals;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.Test;

import io.labhub.api.ConsumerOptions;
import io.labhub.api.ShmConsumer;
import io.labhub.api.ShmOptions;
import io.labhub.api.ShmPolicy;
import io.labhub.api.ShmProducer;
import io.labhub.api.WaitStrategy;
import io.labhub.api.ChannelName;
import io.labhub.transport.shm.internal.platform.SegmentAccess;
import io.labhub.transport.shm.internal.platform.ShmPlatform;

/** Producers and consumers coming and going for a while leave no files, descriptors or mappings. */
public class ChurnTest {

    @Test
    public void churnLeavesNothingBehind() throws Exception {
        Path dir = ShmTestSupport.newDirectory();
        ShmPlatform platform = ShmTestSupport.platform(dir);
        ShmTransportImpl transport = new ShmTransportImpl(platform, ShmTestSupport.FAST, SegmentAccess.OWNER_ONLY);
        List<String> filesBefore = ShmTestSupport.listing(dir);
        // warm up class loading and the JDK's own descriptors before counting
        runRound(transport, new InProcessRegistry(), 0);
        try (ShmProducer probe = transport.createProducer(new InProcessRegistry().context(new ChannelName("churn.probe")),
                ShmOptions.defaults().withSlots(64, 2))) {
            org.junit.Assert.assertTrue("the mapping check sees an open segment", mappingsOf(dir) > 0);
        }
        long fdsBefore = ShmTestSupport.openDescriptors();
        assertEquals(0, mappingsOf(dir));
        long end = System.nanoTime() + Duration.ofSeconds(3).toNanos();
        int rounds = 0;
        while (System.nanoTime() - end < 0) {
            runRound(transport, new InProcessRegistry(), ++rounds);
        }
        transport.deactivate();
        assertEquals("segment files leaked after " + rounds + " rounds", filesBefore, ShmTestSupport.listing(dir));
        assertEquals("descriptors leaked after " + rounds + " rounds", fdsBefore, ShmTestSupport.openDescriptors());
        assertEquals("mappings leaked after " + rounds + " rounds", 0, mappingsOf(dir));
        assertEquals(List.of(), ShmTestSupport.removeDirectory(dir));
    }

    /** Lines of /proc/self/maps that map a file of {@code dir} (deleted files keep their path there). */
    private static long mappingsOf(Path dir) throws java.io.IOException {
        try (var lines = java.nio.file.Files.lines(Path.of("/proc/self/maps"))) {
            return lines.filter(l -> l.contains(dir.toString())).count();
        }
    }

    /** Two channels, several consumers each, closed in varying order (producer first or last). */
    private static void runRound(ShmTransportImpl transport, InProcessRegistry registry, int round) {
        List<AutoCloseable> ends = new ArrayList<>();
        for (int ch = 0; ch < 2; ch++) {
            ChannelName name = new ChannelName("churn.c" + ch);
            ShmProducer p = transport.createProducer(registry.context(name), new ShmOptions(1024, 8,
                    ch == 0 ? ShmPolicy.LATEST : ShmPolicy.RELIABLE, Duration.ofMillis(200), WaitStrategy.BLOCKING, false, Map.of()));
            List<ShmConsumer> consumers = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                consumers.add(transport.openConsumer(registry.context(name), ConsumerOptions.DEFAULTS));
            }
            for (int i = 0; i < 5; i++) {
                p.publish(new byte[] {(byte) i});
            }
            for (ShmConsumer c : consumers) {
                c.poll().ifPresent(f -> f.release());
            }
            if ((round + ch) % 2 == 0) {
                ends.add(p);
                ends.addAll(consumers);
            } else {
                ends.addAll(consumers);
                ends.add(p);
            }
        }
        for (AutoCloseable end : ends) {
            try {
                end.close();
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }
    }
}
