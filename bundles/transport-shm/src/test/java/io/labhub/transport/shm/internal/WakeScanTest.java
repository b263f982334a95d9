package io.labhub.transport.shm.internal;

import static org.junit.Assert.assertEquals;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.After;
import org.junit.Before;
import org.junit.Test;

import io.labhub.api.ShmOptions;
import io.labhub.api.ShmPolicy;
import io.labhub.api.WaitStrategy;
import io.labhub.transport.shm.internal.platform.FileShmPlatform;
import io.labhub.transport.shm.internal.platform.SegmentNames;
import io.labhub.transport.shm.internal.platform.ShmHandle;

/**
 * The producer's wake scan (layout 3): only entries whose WAITING is set and whose WAIT_TARGET the commit
 * reaches are woken, each once per sleep (the flag is taken back), on their own WAKE_WORD, which is bumped
 * first, and at most one per commit (the others are owed to that forwarder). The entries are written by hand
 * into the segment file; the platform records the wakes.
 */
public class WakeScanTest {

    /** The portable platform, recording which entries it was asked to wake. */
    static final class RecordingPlatform extends FileShmPlatform {
        final List<Integer> woken = new ArrayList<>();

        RecordingPlatform(Path directory) {
            super(directory);
        }

        @Override
        public synchronized void wake(ShmHandle handle, int entry, MemorySegment word) {
            woken.add(entry);
            super.wake(handle, entry, word);
        }

        synchronized List<Integer> take() {
            List<Integer> copy = List.copyOf(woken);
            woken.clear();
            return copy;
        }
    }

    private Path dir;
    private RecordingPlatform platform;
    private RingProducer producer;
    private Arena arena;
    private MemorySegment seg;

    @Before
    public void setUp() throws Exception {
        dir = ShmTestSupport.newDirectory();
        platform = new RecordingPlatform(dir);
        String segment = SegmentNames.random();
        producer = ShmTestSupport.producer(platform, segment, new ShmOptions(64, 8, ShmPolicy.LATEST,
                Duration.ofSeconds(1), WaitStrategy.BLOCKING, false, Map.of()), null);
        arena = Arena.ofShared();
        try (FileChannel fc = FileChannel.open(dir.resolve(segment), StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            seg = fc.map(FileChannel.MapMode.READ_WRITE, 0, fc.size(), arena);
        }
        ShmLayout.INT.setVolatile(seg, ShmLayout.TABLE_OFFSET + ShmLayout.TABLE_HIGH_WATER, 3);
    }

    @After
    public void tearDown() throws Exception {
        producer.close();
        arena.close();
        ShmTestSupport.removeDirectory(dir);
    }

    private long entry(int i) {
        return ShmLayout.TABLE_OFFSET + ConsumerTable.entryOffset(i);
    }

    /** What a consumer does before it sleeps: the target, then the flag. */
    private void arm(int i, long target) {
        ShmLayout.LONG.setRelease(seg, entry(i) + ShmLayout.ENTRY_WAIT_TARGET, target);
        ShmLayout.INT.setVolatile(seg, entry(i) + ShmLayout.ENTRY_WAITING, 1);
    }

    private int waiting(int i) {
        return (int) ShmLayout.INT.getVolatile(seg, entry(i) + ShmLayout.ENTRY_WAITING);
    }

    private int wakeWord(int i) {
        return (int) ShmLayout.INT.getVolatile(seg, entry(i) + ShmLayout.ENTRY_WAKE_WORD);
    }

    @Test
    public void onlySleepersWhoseTargetACommitReachesAreWokenOncePerSleep() {
        // the woken forwarder counts as on its way for the whole test: frame 3 below must not depend on the clock
        producer.consumerScan().forwardPendingNanos(Long.MAX_VALUE);
        arm(0, 1);
        arm(1, 3);
        producer.publish(new byte[] {1});
        assertEquals("frame 1 wakes the entry waiting for 1 only", List.of(0), platform.take());
        assertEquals("the wake takes the flag back and makes it the forwarder", ShmLayout.WAITING_FORWARD, waiting(0));
        assertEquals("and bumps that entry's word first", 1, wakeWord(0));
        assertEquals(1, waiting(1));
        assertEquals(0, wakeWord(1));

        producer.publish(new byte[] {2});
        assertEquals("entry 0 is not woken again before it sleeps again; entry 1 waits for 3", List.of(), platform.take());

        producer.publish(new byte[] {3});
        assertEquals("the forwarder woken for frame 1 has not run yet: it will wake entry 1, no syscall now",
                List.of(), platform.take());
        assertEquals(ShmLayout.WAITING_OWED, waiting(1));

        arm(0, 4); // consumer 0 ran (its swap) and sleeps again; entry 1 is still owed (this test forwards nothing)
        arm(2, 4);
        producer.publish(new byte[] {4});
        assertEquals("no forwarder on its way: the producer wakes one of the sleepers it reaches", List.of(0), platform.take());
        assertEquals(ShmLayout.WAITING_FORWARD, waiting(0));
        assertEquals("the others are owed a wake by the forwarder", ShmLayout.WAITING_OWED, waiting(2));
        assertEquals(ShmLayout.WAITING_OWED, waiting(1));
        assertEquals(2, wakeWord(0));
        assertEquals(0, wakeWord(2));
        producer.publish(new byte[] {5});
        assertEquals("owed and forwarding entries are left to the consumers", List.of(), platform.take());
    }

    /** Past the window, a forwarder that has not run (no core, or dead) is replaced by the next commit's. */
    @Test
    public void aForwarderThatHasNotRunWithinTheWindowIsReplacedByTheNextCommits() {
        producer.consumerScan().forwardPendingNanos(0);
        arm(0, 1);
        arm(1, 3);
        producer.publish(new byte[] {1});
        assertEquals(List.of(0), platform.take());
        producer.publish(new byte[] {2});
        producer.publish(new byte[] {3});
        assertEquals("entry 0 still has not swapped its flag back: entry 1 is woken itself", List.of(1), platform.take());
        assertEquals(ShmLayout.WAITING_FORWARD, waiting(1));
        assertEquals(1, wakeWord(1));
    }

    @Test
    public void closeWakesEverySleeperWhateverItWaitsFor() {
        arm(0, 100);
        arm(2, 200);
        producer.close();
        assertEquals(List.of(0, 2), platform.take());
        assertEquals(1, wakeWord(0));
        assertEquals(0, waiting(2));
    }
}
