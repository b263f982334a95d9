package io.labhub.recorder.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static io.labhub.recorder.internal.BigRun.FRAMES;

import io.labhub.api.ChannelKind;
import io.labhub.api.schema.Dtype;
import io.labhub.api.schema.Schema;
import io.labhub.core.internal.ReplayChild;
import io.labhub.testkit.ChildJvm;
import io.labhub.validation.Validator;
import io.labhub.validation.Validators;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * The replay of a recording larger than the replaying JVM's heap (issue 18): 100 frames of 1 MiB with a schema and
 * 100 raw ones of about 1 MiB, spooled by the recorder's own {@link Spool} and exported by its own
 * {@link HdfExport}, replayed by {@link ReplayChild} in a JVM with a 64 MiB heap into a consumer there that checks
 * every frame's sequence and every byte. (Before the replay streamed it read each dataset whole into the heap:
 * OutOfMemoryError.)
 */
public class HdfReplayStreamTest {

    static final Schema SCHEMA = Schema.builder().field("count", Dtype.U32)
            .field("pixels", Dtype.U16, BigRun.ROWS, BigRun.COLS).build();
    private static final String HEAP = "-Xmx64m";
    /** a reliable ring of 4: the replay at max rate waits for the consumer, so nothing is skipped */
    private static final Map<String, String> RING = Map.of("shm.policy", "reliable", "shm.slotCount", "4");

    /** in target/ (not a tmpfs /tmp): 200 MiB of spools, then 200 MiB of HDF5 file, deleted after the test */
    @Rule
    public TemporaryFolder tmp = new TemporaryFolder(new File("target"));

    @Test
    public void aRecordingLargerThanTheHeapIsReplayedFrameByFrame() throws Exception {
        Path dir = tmp.getRoot().toPath().toAbsolutePath();
        Path typed = dir.resolve("run.h5.0.spool");
        Path untyped = dir.resolve("run.h5.1.spool");
        BigRun.spoolFrames(typed, new Spool.Header("cam.frames", "shm", SCHEMA.toJson(), RING, "2026-12-03T18:00:00Z", "1@test"));
        BigRun.spoolRaw(untyped, new Spool.Header("raw.frames", "shm", null, RING, "2026-12-03T18:00:00Z", "1@test"), k -> 0);
        Path file = dir.resolve("run.h5");
        Validator validator = Validators.defaults();
        Map<String, Long> written = HdfExport.write(file, List.of(typed, untyped), h -> validator.schema(
                ChannelKind.fromWireName(h.kind()).orElse(null), SchemaJson.map(h.schema(), why -> new io.labhub.api.InvalidInputException("recorder.spool", h.channel(), why))),
                Instant.parse("2026-12-03T18:01:00Z"), false);
        assertEquals(Map.of("cam.frames", (long) FRAMES, "raw.frames", (long) FRAMES), written);
        Files.delete(typed);
        Files.delete(untyped);
        long size = Files.size(file);
        String line;
        try (ChildJvm child = ChildJvm.main(ReplayChild.class)
                .jvmArgs(HEAP, "--enable-native-access=ALL-UNNAMED", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn")
                .args(tmp.newFolder("shm").toString(), file.toString(), "cam.frames:" + FRAMES + ":typed",
                        "raw.frames:" + FRAMES + ":raw").start()) {
            int exit = child.awaitExit(Duration.ofSeconds(120));
            assertEquals("the replay in a " + HEAP + " JVM failed:\n" + child.output(), 0, exit);
            line = child.lines().stream().filter(l -> l.startsWith("replayed ")).findFirst()
                    .orElseThrow(() -> new AssertionError("no result line:\n" + child.output()));
        }
        System.out.println("HdfReplayStreamTest: " + size + " bytes of HDF5 file, " + line);
        long maxHeap = Long.parseLong(line.replaceAll(".* maxHeap=(\\d+).*", "$1"));
        assertTrue("the file (" + size + " bytes) is larger than the child's heap (" + maxHeap + ")", size > 2 * maxHeap);
        assertTrue(line, line.startsWith("replayed cam.frames=" + FRAMES + " raw.frames=" + FRAMES + " "));
    }
}
