package io.labhub.recorder.internal;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.fail;

import io.labhub.api.InvalidInputException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * {@link Spool#read(Path, long, int, java.util.function.Consumer)}, the export's reads: each payload cut to the
 * window asked for, entries smaller and larger than the read-ahead, a torn tail (inside an entry's fixed part or
 * its payload) left out and counted, a negative length refused with rule {@code recorder.spool}.
 */
public class SpoolTest {

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    /** lengths around the 64 KiB read-ahead, and empty ones */
    private static final int[] LENGTHS = {0, 1, 100, Spool.WINDOW - 36, Spool.WINDOW, Spool.WINDOW + 1, 3 * Spool.WINDOW, 7, 0};

    private static byte[] payload(int k, int length) {
        byte[] p = new byte[length];
        for (int i = 0; i < length; i++) {
            p[i] = (byte) (k * 13 + i * 7);
        }
        return p;
    }

    private Path spool() throws Exception {
        Path p = tmp.getRoot().toPath().resolve("s.spool");
        try (Spool s = new Spool(p, new Spool.Header("a.b", "shm", null, Map.of(), "t", "r"))) {
            for (int k = 0; k < LENGTHS.length; k++) {
                s.append(k, 10 + k, 20 + k, k % 2, MemorySegment.ofArray(payload(k, LENGTHS[k])));
            }
        }
        return p;
    }

    private static List<Spool.Entry> read(Path p, long from, int max, long[] dropped) {
        List<Spool.Entry> out = new ArrayList<>();
        Spool.Contents c = Spool.read(p, from, max, out::add);
        assertEquals(out.size(), c.entries());
        dropped[0] = c.droppedBytes();
        return out;
    }

    @Test
    public void eachPayloadIsCutToTheWindowAskedFor() throws Exception {
        Path p = spool();
        long[][] windows = {{0, Integer.MAX_VALUE}, {0, 0}, {5, 10}, {Spool.WINDOW - 3, 70_000}, {1, Integer.MAX_VALUE}};
        for (long[] w : windows) {
            long[] dropped = {-1};
            List<Spool.Entry> entries = read(p, w[0], (int) w[1], dropped);
            assertEquals(0, dropped[0]);
            assertEquals(LENGTHS.length, entries.size());
            for (int k = 0; k < LENGTHS.length; k++) {
                Spool.Entry e = entries.get(k);
                String at = Arrays.toString(w) + " entry " + k;
                assertEquals(at, k, e.sequence());
                assertEquals(at, 10 + k, e.timestampNs());
                assertEquals(at, 20 + k, e.receivedNs());
                assertEquals(at, k % 2, e.skipped());
                assertEquals(at, LENGTHS[k], e.length());
                int start = (int) Math.min(w[0], LENGTHS[k]);
                int end = (int) Math.min(LENGTHS[k], start + w[1]);
                assertArrayEquals(at, Arrays.copyOfRange(payload(k, LENGTHS[k]), start, end), e.payload());
            }
        }
    }

    @Test
    public void aTornTailIsLeftOutAndCounted() throws Exception {
        Path p = spool();
        long whole = Files.size(p);
        for (int tail : new int[] {1, 35, 36, 36 + 99}) { // inside the fixed part, at its end, inside the payload
            Path torn = tmp.getRoot().toPath().resolve("torn" + tail + ".spool");
            Files.copy(p, torn);
            ByteBuffer b = ByteBuffer.allocate(36 + 99);
            b.putLong(99).putLong(1).putLong(2).putLong(0).putInt(100); // says 100 bytes, has 99 at most
            Files.write(torn, Arrays.copyOf(b.array(), tail), StandardOpenOption.APPEND);
            long[] dropped = {-1};
            assertEquals(LENGTHS.length, read(torn, 0, Integer.MAX_VALUE, dropped).size());
            assertEquals("tail of " + tail, tail, dropped[0]);
            assertEquals(LENGTHS.length, read(torn, 0, 0, dropped).size());
            assertEquals("tail of " + tail + ", fixed parts only", tail, dropped[0]);
            assertEquals(whole + tail, Files.size(torn));
        }
    }

    @Test
    public void aNegativeLengthIsADamagedSpool() throws Exception {
        Path p = spool();
        ByteBuffer b = ByteBuffer.allocate(36 + 8).putLong(99).putLong(1).putLong(2).putLong(0).putInt(-5);
        Files.write(p, b.array(), StandardOpenOption.APPEND);
        try {
            Spool.read(p, 0, 0, e -> { });
            fail("a negative length must be refused");
        } catch (InvalidInputException e) {
            assertEquals("recorder.spool", e.rule());
        }
    }
}
