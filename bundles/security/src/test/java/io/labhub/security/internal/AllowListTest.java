package io.labhub.security.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;
import static org.junit.Assume.assumeTrue;

import io.labhub.api.InvalidInputException;
import io.labhub.testkit.Await;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class AllowListTest {

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private Path file;
    private final String a = CurveKeys.generate().publicKey();
    private final String b = CurveKeys.generate().publicKey();

    @Before
    public void path() {
        file = tmp.getRoot().toPath().resolve("allowed_keys");
    }

    @Test
    public void readsKeysSkippingCommentsBlankLinesAndInvalidLines() throws Exception {
        Files.writeString(file, "# header\n\n  " + a + "  \r\nnot-a-key\n" + b.substring(0, 30) + "\n" + b + "\n");
        AllowList list = new AllowList(file);
        assertEquals(List.of(a, b), List.copyOf(list.keys()));
        assertTrue(list.contains(a));
        assertFalse(list.contains("not-a-key"));
        assertFalse(list.contains(null));
    }

    @Test
    public void missingFileAdmitsNobody() {
        AllowList list = new AllowList(file);
        assertTrue(list.keys().isEmpty());
        assertFalse(list.contains(a));
    }

    @Test
    public void addAppendsOnceAndCreatesTheFileOwnerOnly() throws Exception {
        AllowList list = new AllowList(file);
        assertTrue(list.add(a));
        assertFalse("a second add must not append again", list.add(a));
        assertTrue(list.add(b));
        List<String> lines = Files.readAllLines(file);
        assertEquals(1, lines.stream().filter(a::equals).count());
        assertEquals(1, lines.stream().filter(b::equals).count());
        assertTrue("header comment", lines.get(0).startsWith("#"));
        assertTrue(list.contains(a) && list.contains(b));
        if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        }
    }

    @Test
    public void addToAFileWithoutTrailingNewlineStartsANewLine() throws Exception {
        Files.writeString(file, "# no newline at the end");
        AllowList list = new AllowList(file);
        list.add(a);
        assertEquals(List.of("# no newline at the end", a), Files.readAllLines(file));
    }

    @Test
    public void addRefusesAnInvalidKeyWithoutTouchingTheFile() {
        AllowList list = new AllowList(file);
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> list.add("bad key"));
        assertEquals("key.length", e.rule());
        assertFalse(Files.exists(file));
    }

    @Test
    public void refreshPicksUpEditsDeletionAndRecreation() throws Exception {
        Files.writeString(file, a + "\n");
        AllowList list = new AllowList(file);
        assertTrue(list.contains(a));

        Files.writeString(file, a + "\n" + b + "\n");
        assertTrue(list.refresh());
        assertTrue(list.contains(b));

        Files.delete(file);
        assertTrue(list.refresh());
        assertFalse(list.contains(a));

        Files.writeString(file, b + "\n");
        list.refresh();
        assertTrue(list.contains(b));
        assertFalse(list.contains(a));
    }

    @Test
    public void sameSizeEditWithUnchangedTimestampIsStillSeen() throws Exception {
        Files.writeString(file, a + "\n");
        FileTime stamp = Files.getLastModifiedTime(file);
        AllowList list = new AllowList(file);
        // Replace the key by another of the same length and put the old timestamp back: only the
        // content tells the difference (a coarse-timestamp file system does this by itself).
        Files.writeString(file, b + "\n", StandardCharsets.US_ASCII);
        Files.setLastModifiedTime(file, stamp);
        assertTrue(list.refresh());
        assertTrue(list.contains(b));
        assertFalse(list.contains(a));
    }

    @Test
    public void refreshIfDueNoticesAChangeWithinAFewIntervals() throws Exception {
        Files.writeString(file, a + "\n");
        AllowList list = new AllowList(file);
        Files.writeString(file, b + "\n");
        Await.until("the change is seen by refreshIfDue", Duration.ofSeconds(5), () -> {
            list.refreshIfDue();
            return list.contains(b);
        });
        assertFalse(list.contains(a));
    }

    @Test
    public void unchangedFileIsNotReloaded() throws Exception {
        Files.writeString(file, a + "\n");
        AllowList list = new AllowList(file);
        Files.setLastModifiedTime(file, FileTime.fromMillis(System.currentTimeMillis() - 60_000));
        assertFalse("same content: nothing to reload", list.refresh());
        assertFalse(list.refresh());
        assertTrue(list.contains(a));
    }
}
