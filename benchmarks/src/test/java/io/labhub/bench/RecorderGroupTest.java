package io.labhub.bench;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;
import static org.junit.Assume.assumeTrue;

import io.labhub.api.InvalidInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.Test;

/** The recorder group measures disk writes: a directory in memory is refused before anything is measured. */
public class RecorderGroupTest {

    @Test
    public void aDirectoryOnTmpfsIsRefusedWithItsRule() throws Exception {
        Path shm = Path.of("/dev/shm");
        assumeTrue("/dev/shm is a tmpfs here", Files.isDirectory(shm) && Files.getFileStore(shm).type().equals("tmpfs"));
        try {
            RecorderGroup.onDisk(shm);
            fail("a tmpfs directory was taken for a disk");
        } catch (InvalidInputException e) {
            assertEquals("bench.recorder.dir", e.rule());
            assertEquals(shm.toString(), e.value());
        }
    }

    @Test
    public void theBuildDirectoryIsTakenWhenOnADisk() throws Exception {
        Path target = Path.of("target").toAbsolutePath();
        String type = Files.getFileStore(target).type();
        assumeTrue("target/ is on a disk here (" + type + ")", !type.contains("tmpfs") && !type.contains("ramfs"));
        assertEquals(target, RecorderGroup.onDisk(target));
        assertTrue(RecorderGroup.RUN_BYTES > 0);
    }
}
