package io.labhub.core.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;
import static org.junit.Assume.assumeTrue;

import io.labhub.api.InvalidInputException;
import io.labhub.recorder.Replayer;
import io.labhub.recorder.internal.RecordingFixture;
import io.labhub.recorder.internal.ReplayService;
import io.labhub.testkit.Python;
import io.labhub.validation.Validators;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import org.junit.After;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * A cut file is refused at start with rule {@code replay.file}, before any producer is made. jhdf writes a group's
 * headers after its datasets, so a cut recorder file no longer opens; h5py writes the data last, so a file of
 * another writer cut inside its last dataset opens whole: replay reads the entries only while it publishes them,
 * so it checks at start that each contiguous dataset lies inside the file. (Skipped without python3-h5py.)
 */
public class ReplayTruncatedTest {

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private final HubEngine engine = new HubEngine(Validators.defaults(), new LocalDirectory("local"));

    @After
    public void tearDown() {
        engine.shutdown();
    }

    @Test
    public void aFileCutInsideADatasetIsRefusedAtStart() throws Exception {
        Path recorded = tmp.getRoot().toPath().resolve("recorded.h5");
        byte[][] payloads = new byte[4][200_000];
        for (int k = 0; k < payloads.length; k++) {
            java.util.Arrays.fill(payloads[k], (byte) (k + 1));
        }
        RecordingFixture.untyped(recorded, "scope.trace", "shm", Map.of(), payloads, new long[] {1, 2, 3, 4});
        refusedWhenCut(recorded, "unreadable recording");
        assumeTrue("needs python3-h5py for a file whose data comes last", Python.has("h5py", "numpy"));
        Path other = tmp.getRoot().toPath().resolve("other.h5");
        Python.Result r = Python.run(String.join("\n",
                "import h5py, numpy as np, sys",
                "f = h5py.File(sys.argv[1], 'w')",
                "f.attrs['labhub.recording'] = np.bytes_('1')",
                "g = f.create_group('scope.trace')",
                "g.attrs['kind'] = np.bytes_('shm')",
                "g.attrs['entries'] = np.int64(4)",
                "g.create_dataset('timestampNs', data=np.arange(1, 5, dtype='<i8'))",
                "g.create_dataset('length', data=np.full(4, 200000, dtype='<i4'))",
                "d = g.create_dataset('payload', data=np.ones((4, 200000), dtype='i1'))",
                "end = d.id.get_offset() + d.id.get_storage_size()",
                "f.close()",
                "import os",
                "assert end == os.path.getsize(sys.argv[1]), (end, os.path.getsize(sys.argv[1]))",
                "print('written')"), other.toString());
        assertEquals(r.output(), 0, r.exit());
        refusedWhenCut(other, "truncated");
    }

    private void refusedWhenCut(Path file, String why) throws Exception {
        long whole = Files.size(file);
        ReplayService replayer = new ReplayService(new BundleHub(engine, "replay"), Validators.defaults());
        for (long cut : new long[] {whole - 1000, whole - 100_000, whole - 500_000}) {
            Path p = tmp.getRoot().toPath().resolve(file.getFileName() + "-cut-" + cut + ".h5");
            Files.copy(file, p);
            try (FileChannel fc = FileChannel.open(p, StandardOpenOption.WRITE)) {
                fc.truncate(cut);
            }
            try {
                replayer.start(p, Replayer.Options.DEFAULTS.withRate(Replayer.MAX));
                fail("a file cut to " + cut + " of " + whole + " bytes must be refused");
            } catch (InvalidInputException e) {
                assertEquals(e.getMessage(), "replay.file", e.rule());
                assertTrue(e.getMessage(), e.getMessage().contains(why));
                System.out.println("ReplayTruncatedTest: " + file.getFileName() + " cut to " + cut + " of " + whole
                        + ": " + e.getMessage() + " (" + e.value() + ")");
            }
            assertTrue("nothing was started", replayer.status().isEmpty());
            assertTrue("no channel was made", new BundleHub(engine, "x").find("scope.trace").isEmpty());
        }
    }
}
