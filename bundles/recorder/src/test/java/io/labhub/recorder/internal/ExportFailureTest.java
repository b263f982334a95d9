package io.labhub.recorder.internal;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import io.labhub.api.InvalidInputException;
import io.labhub.recorder.RecordingStatus;
import io.labhub.validation.Validators;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * No partial HDF5 file after a failed export (issue 18): the export writes {@code FILE.part} and renames it into
 * place only when complete. A spool with a damaged entry (found by the counting pass) is refused with rule
 * {@code recorder.spool}, leaves nothing at the target path nor a part beside it, and its spools untouched, so
 * {@code recover} can be run again; a part left by an export that crashed is replaced, not appended to.
 * (A full disk during jhdf's write at close: {@code RecorderFaultsTest}, as root.)
 */
public class ExportFailureTest {

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    /** {@code recover} needs no Hub: it reads only the spools */
    private final RecorderService recorder = new RecorderService(null, Validators.defaults());

    private static void spool(Path p, String channel, int entries) throws Exception {
        try (Spool s = new Spool(p, new Spool.Header(channel, "pubsub", null, Map.of(), "2026-12-03T17:00:00Z", "1@test"))) {
            for (int k = 0; k < entries; k++) {
                byte[] payload = new byte[1000 + k];
                java.util.Arrays.fill(payload, (byte) k);
                s.append(k, 10 + k, 20 + k, 0, MemorySegment.ofArray(payload));
            }
        }
    }

    /** where the export writes until the file is complete (HdfExport.partOf; spelt out, as a user sees it) */
    private static Path part(Path file) {
        return file.resolveSibling(file.getFileName() + ".part");
    }

    /** an entry that says its payload is -5 bytes long: a damaged spool, not a torn tail */
    private static void damage(Path p) throws Exception {
        ByteBuffer b = ByteBuffer.allocate(36).putLong(99).putLong(1).putLong(2).putLong(0).putInt(-5);
        Files.write(p, b.array(), StandardOpenOption.APPEND);
    }

    @Test
    public void aDamagedSpoolLeavesNoFileAndKeepsTheSpools() throws Exception {
        Path file = tmp.getRoot().toPath().resolve("run.h5");
        Path good = RecorderService.spoolOf(file, 0);
        Path bad = RecorderService.spoolOf(file, 1);
        spool(good, "a.frames", 20);
        spool(bad, "b.frames", 20);
        damage(bad);
        byte[] goodBytes = Files.readAllBytes(good);
        byte[] badBytes = Files.readAllBytes(bad);
        for (int attempt = 0; attempt < 2; attempt++) { // the second: what the user sees on retrying
            try {
                recorder.recover(file);
                fail("a damaged spool must be refused");
            } catch (InvalidInputException e) {
                assertEquals("recorder.spool", e.rule());
                assertEquals(bad.toString(), e.value());
            }
            assertFalse("no file at the target path (attempt " + attempt + ")", Files.exists(file));
            assertFalse("no part beside it", Files.exists(part(file)));
            assertArrayEquals("the good spool is kept as it was", goodBytes, Files.readAllBytes(good));
            assertArrayEquals("the damaged spool is kept as it was", badBytes, Files.readAllBytes(bad));
        }
        try (var s = Files.list(tmp.getRoot().toPath())) {
            assertEquals("nothing else was made", List.of("run.h5.0.spool", "run.h5.1.spool"),
                    s.map(p -> p.getFileName().toString()).sorted().toList());
        }
    }

    @Test
    public void aPartLeftByACrashedExportIsReplaced() throws Exception {
        Path file = tmp.getRoot().toPath().resolve("run.h5");
        spool(RecorderService.spoolOf(file, 0), "a.frames", 20);
        Path part = part(file);
        byte[] junk = new byte[4 << 20]; // larger than the file: jhdf opens without truncating
        java.util.Arrays.fill(junk, (byte) 0x5A);
        Files.write(part, junk);
        RecordingStatus s = recorder.recover(file);
        assertNull(s.fileError());
        assertEquals(Map.of("a.frames", 20L), s.frames());
        assertFalse("the part is gone", Files.exists(part));
        assertTrue("the file is smaller than the junk part was: written afresh", Files.size(file) < junk.length);
        assertEquals(Map.of("a.frames", 20L), RecordingFiles.channels(file));
        assertEquals("the spool is deleted once the file is written", List.of(), RecorderService.spools(file));
        try (var h5 = new io.jhdf.HdfFile(file)) {
            int[] length = (int[]) ((io.jhdf.api.Dataset) h5.getByPath("a.frames/length")).getData();
            for (int k = 0; k < 20; k++) {
                assertEquals(1000 + k, length[k]);
            }
        }
    }
}
