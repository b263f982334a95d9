package io.labhub.security.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;
import static org.junit.Assume.assumeTrue;

import io.labhub.api.ErrorCode;
import io.labhub.api.InvalidInputException;
import io.labhub.api.LabHubException;
import io.labhub.security.CurveKeyPair;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.zeromq.ZMQ;

public class CurveKeysTest {

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private Path dir;
    private Path pub;
    private Path sec;

    @Before
    public void paths() {
        dir = tmp.getRoot().toPath();
        pub = dir.resolve("k.pub");
        sec = dir.resolve("k.key");
    }

    private static boolean posix() {
        return FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
    }

    @Test
    public void generatedPairsAreValidDistinctAndMatching() {
        CurveKeyPair a = CurveKeys.generate();
        CurveKeyPair b = CurveKeys.generate();
        assertEquals(40, a.publicKey().length());
        assertEquals(40, a.secretKey().length());
        assertEquals(32, ZMQ.Curve.z85Decode(a.publicKey()).length);
        assertNotEquals(a.publicKey(), b.publicKey());
        assertEquals(a.publicKey(), CurveKeys.publicKeyOf(a.secretKey()));
        assertFalse("toString must hide the secret", a.toString().contains(a.secretKey()));
    }

    @Test
    public void saveThenLoadRoundTrips() {
        CurveKeyPair keys = CurveKeys.generate();
        CurveKeys.save(keys, pub, sec);
        assertEquals(keys, CurveKeys.load(pub, sec));
    }

    @Test
    public void secretKeyFileIsOwnerOnlyAndPublicFileIsWorldReadable() throws Exception {
        assumeTrue(posix());
        CurveKeys.save(CurveKeys.generate(), pub, sec);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(sec)));
        assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(pub)));
        try (var files = Files.list(dir)) {
            assertEquals("no temporary file left behind", 2, files.count());
        }
    }

    @Test
    public void secretKeyFileReadableByOthersIsRefused() throws Exception {
        assumeTrue(posix());
        CurveKeys.save(CurveKeys.generate(), pub, sec);
        Files.setPosixFilePermissions(sec, PosixFilePermissions.fromString("rw-r--r--"));
        LabHubException e = assertThrows(LabHubException.class, () -> CurveKeys.load(pub, sec));
        assertEquals(ErrorCode.AUTH_FAILED, e.code());
        assertTrue(e.getMessage(), e.getMessage().contains(sec.toString()));
        assertTrue(e.getMessage(), e.getMessage().contains("rw-r--r--"));
    }

    @Test
    public void secretKeyFileWritableByGroupIsRefused() throws Exception {
        assumeTrue(posix());
        CurveKeys.save(CurveKeys.generate(), pub, sec);
        Files.setPosixFilePermissions(sec, PosixFilePermissions.fromString("rw--w----"));
        LabHubException e = assertThrows(LabHubException.class, () -> CurveKeys.load(pub, sec));
        assertEquals(ErrorCode.AUTH_FAILED, e.code());
    }

    @Test
    public void truncatedSecretKeyIsRefusedWithoutQuotingIt() throws Exception {
        CurveKeyPair keys = CurveKeys.generate();
        CurveKeys.save(keys, pub, sec);
        String truncated = keys.secretKey().substring(0, 23);
        Files.writeString(sec, "# my key\n" + truncated + "\n");
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> CurveKeys.load(pub, sec));
        assertEquals("key.length", e.rule());
        assertTrue(e.getMessage(), e.getMessage().contains(sec.toString()));
        assertTrue(e.getMessage(), e.getMessage().contains("line 2"));
        assertTrue(e.getMessage(), e.getMessage().contains("has 23"));
        assertFalse("the secret must not be quoted", e.getMessage().contains(truncated));
    }

    @Test
    public void truncatedPublicKeyFileIsRefused() throws Exception {
        CurveKeyPair keys = CurveKeys.generate();
        CurveKeys.save(keys, pub, sec);
        Files.writeString(pub, keys.publicKey().substring(0, 39));
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> CurveKeys.load(pub, sec));
        assertEquals("key.length", e.rule());
        assertTrue(e.getMessage(), e.getMessage().contains(pub.toString()));
    }

    @Test
    public void binaryGarbageIsRefusedAsNotText() throws Exception {
        CurveKeys.save(CurveKeys.generate(), pub, sec);
        byte[] garbage = new byte[64];
        for (int i = 0; i < garbage.length; i++) {
            garbage[i] = (byte) (i * 37 + 128);
        }
        Files.write(sec, garbage);
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> CurveKeys.load(pub, sec));
        assertEquals("key-file.format", e.rule());
        assertTrue(e.getMessage(), e.getMessage().contains("not ASCII"));
    }

    @Test
    public void textThatIsNotZ85IsRefusedNamingTheRule() throws Exception {
        CurveKeys.save(CurveKeys.generate(), pub, sec);
        Files.writeString(pub, "this is not a key, but it is forty chars\n");
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> CurveKeys.load(pub, sec));
        assertEquals("key.alphabet", e.rule());
    }

    @Test
    public void emptyFileAndFileWithTwoKeysAreRefused() throws Exception {
        CurveKeyPair keys = CurveKeys.generate();
        CurveKeys.save(keys, pub, sec);
        Files.writeString(pub, "# only a comment\n\n");
        assertEquals("key-file.empty",
                assertThrows(InvalidInputException.class, () -> CurveKeys.load(pub, sec)).rule());
        Files.writeString(pub, keys.publicKey() + "\n" + keys.publicKey() + "\n");
        assertEquals("key-file.format",
                assertThrows(InvalidInputException.class, () -> CurveKeys.load(pub, sec)).rule());
    }

    @Test
    public void halvesOfDifferentPairsAreRefused() {
        CurveKeyPair a = CurveKeys.generate();
        CurveKeyPair b = CurveKeys.generate();
        CurveKeys.save(a, pub, sec);
        CurveKeys.save(b, dir.resolve("b.pub"), dir.resolve("b.key"));
        assertEquals("key-pair.mismatch", assertThrows(InvalidInputException.class,
                () -> CurveKeys.load(dir.resolve("b.pub"), sec)).rule());
        assertEquals("key-pair.mismatch", assertThrows(InvalidInputException.class,
                () -> CurveKeys.save(new CurveKeyPair(a.publicKey(), b.secretKey()), pub, sec)).rule());
    }

    @Test
    public void missingFileIsATypedError() {
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> CurveKeys.load(pub, sec));
        assertEquals("key-file.missing", e.rule());
        assertTrue(e.getMessage().contains(sec.toString()));
    }

    @Test
    public void loadOrCreateCreatesOnceThenLoadsTheSamePair() throws Exception {
        Path keysDir = dir.resolve("conf").resolve("keys");
        CurveKeyPair first = CurveKeys.loadOrCreate(keysDir);
        CurveKeyPair second = CurveKeys.loadOrCreate(keysDir);
        assertEquals(first, second);
        assertTrue(Files.readString(keysDir.resolve(CurveKeys.PUBLIC_KEY_FILE), StandardCharsets.US_ASCII)
                .contains(first.publicKey()));
        if (posix()) {
            assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(keysDir)));
            assertEquals("rw-------", PosixFilePermissions.toString(
                    Files.getPosixFilePermissions(keysDir.resolve(CurveKeys.SECRET_KEY_FILE))));
        }
    }

    @Test
    public void threadsStartingTogetherInOneJvmShareOnePair() throws Exception {
        Path keysDir = dir.resolve("shared");
        var pool = java.util.concurrent.Executors.newFixedThreadPool(4);
        try {
            var start = new java.util.concurrent.CountDownLatch(1);
            var futures = new java.util.ArrayList<java.util.concurrent.Future<CurveKeyPair>>();
            for (int i = 0; i < 4; i++) {
                futures.add(pool.submit(() -> {
                    start.await();
                    return CurveKeys.loadOrCreate(keysDir);
                }));
            }
            start.countDown();
            CurveKeyPair first = futures.get(0).get(30, java.util.concurrent.TimeUnit.SECONDS);
            for (var f : futures) {
                assertEquals(first, f.get(30, java.util.concurrent.TimeUnit.SECONDS));
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    public void loadOrCreateRecreatesAMissingPublicKeyFromTheSecret() throws Exception {
        CurveKeyPair first = CurveKeys.loadOrCreate(dir);
        Files.delete(dir.resolve(CurveKeys.PUBLIC_KEY_FILE));
        assertEquals(first, CurveKeys.loadOrCreate(dir));
        assertTrue(Files.exists(dir.resolve(CurveKeys.PUBLIC_KEY_FILE)));
    }

    @Test
    public void loadOrCreateRefusesAPublicKeyWithoutItsSecret() throws Exception {
        CurveKeys.loadOrCreate(dir);
        Files.delete(dir.resolve(CurveKeys.SECRET_KEY_FILE));
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> CurveKeys.loadOrCreate(dir));
        assertEquals("key-file.missing", e.rule());
    }

    @Test
    public void secureClientRefusesAnInvalidServerKeyBeforeTouchingTheSocket() {
        // A null socket proves the order: the key is checked first.
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> CurveKeys.secureClient(null, CurveKeys.generate(), "short"));
        assertEquals("key.length", e.rule());
    }
}
