package io.labhub.security;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import io.labhub.api.InvalidInputException;
import io.labhub.api.LabHubException;
import io.labhub.security.internal.CurveKeys;
import io.labhub.testkit.Await;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

public class CurveSecurityHandleTest {

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private Path keysDir() {
        return tmp.getRoot().toPath().resolve("conf").resolve("keys");
    }

    @Test
    public void firstStartCreatesKeysAndAnAllowListHoldingTheRuntimeKey() throws Exception {
        Path allow = tmp.getRoot().toPath().resolve("elsewhere").resolve("allowed");
        try (CurveSecurityHandle security = CurveSecurityFactory.start(keysDir(), allow)) {
            CurveKeyPair onDisk = CurveKeys.load(keysDir().resolve(CurveKeys.PUBLIC_KEY_FILE),
                    keysDir().resolve(CurveKeys.SECRET_KEY_FILE));
            assertEquals(onDisk.publicKey(), security.publicKey());
            assertEquals(allow.toAbsolutePath(), security.allowListFile());
            List<String> lines = Files.readAllLines(allow);
            assertTrue("header comment", lines.get(0).startsWith("#"));
            assertTrue(lines.contains(security.publicKey()));
            assertTrue(security.isAllowed(security.publicKey()));
            if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
                assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(allow)));
            }
        }
    }

    @Test
    public void secondStartReusesTheKeysAndDoesNotDuplicateTheOwnKey() throws Exception {
        String first;
        try (CurveSecurityHandle security = CurveSecurityFactory.start(keysDir(), null)) {
            first = security.publicKey();
        }
        try (CurveSecurityHandle security = CurveSecurityFactory.start(keysDir(), null)) {
            assertEquals(first, security.publicKey());
            long copies = Files.readAllLines(security.allowListFile()).stream().filter(first::equals).count();
            assertEquals(1, copies);
        }
    }

    @Test
    public void allowAppendsIdempotently() throws Exception {
        try (CurveSecurityHandle security = CurveSecurityFactory.start(keysDir(), null)) {
            String key = security.generateKeyPair().publicKey();
            assertFalse(security.isAllowed(key));
            security.allow(key);
            security.allow(key);
            assertTrue(security.isAllowed(key));
            assertEquals(1, Files.readAllLines(security.allowListFile()).stream().filter(key::equals).count());
        }
    }

    @Test
    public void invalidKeysAreRefusedBeforeAnySocketWork() throws Exception {
        try (CurveSecurityHandle security = CurveSecurityFactory.start(keysDir(), null);
             ZContext context = new ZContext()) {
            byte[] before = Files.readAllBytes(security.allowListFile());
            InvalidInputException bad = assertThrows(InvalidInputException.class, () -> security.allow("%".repeat(40)));
            assertEquals("key.decode", bad.rule());
            assertEquals("key.alphabet",
                    assertThrows(InvalidInputException.class, () -> security.allow("~".repeat(40))).rule());
            assertEquals("key.null", assertThrows(InvalidInputException.class, () -> security.allow(null)).rule());
            assertTrue(java.util.Arrays.equals(before, Files.readAllBytes(security.allowListFile())));

            ZMQ.Socket socket = context.createSocket(SocketType.DEALER);
            InvalidInputException e = assertThrows(InvalidInputException.class,
                    () -> security.secureClient(socket, "too short"));
            assertEquals("key.length", e.rule());
            assertTrue(e.getMessage(), e.getMessage().contains("too short"));
            assertEquals("the socket must be untouched", ZMQ.Socket.Mechanism.NULL, socket.getMechanism());
            // With no socket at all the key error still comes first.
            assertThrows(InvalidInputException.class, () -> security.secureClient(null, "too short"));
            assertFalse(security.isAllowed("too short"));
        }
    }

    @Test
    public void secureServerMakesACurveServerWithTheLabhubDomain() {
        try (CurveSecurityHandle security = CurveSecurityFactory.start(keysDir(), null)) {
            ZMQ.Socket socket = security.context().createSocket(SocketType.ROUTER);
            security.secureServer(socket);
            assertTrue(socket.getCurveServer());
            assertEquals(ZMQ.Socket.Mechanism.CURVE, socket.getMechanism());
            assertEquals(CurveSecurityFactory.ZAP_DOMAIN, socket.getZapDomain());
        }
    }

    @Test
    public void closeLeavesNoThreadBehind() {
        Set<Thread> before = Thread.getAllStackTraces().keySet();
        CurveSecurityHandle security = CurveSecurityFactory.start(keysDir(), null);
        // Make JeroMQ start its I/O threads too.
        ZMQ.Socket server = security.context().createSocket(SocketType.ROUTER);
        security.secureServer(server);
        server.bindToRandomPort("tcp://127.0.0.1");
        Set<Thread> started = Thread.getAllStackTraces().keySet().stream()
                .filter(t -> !before.contains(t)).collect(Collectors.toSet());
        Thread zap = started.stream().filter(t -> t.getName().startsWith("labhub-zap-")).findFirst().orElse(null);
        assertNotNull("no ZAP thread while running: " + started, zap);
        assertTrue(zap.isDaemon());

        security.close();
        security.close(); // idempotent
        assertFalse("the ZAP thread survived close()", zap.isAlive());
        Await.until("every thread started by the handle ended: " + started, Duration.ofSeconds(5),
                () -> started.stream().noneMatch(Thread::isAlive));
        assertThrows(LabHubException.class, security::context);
        assertThrows(LabHubException.class, () -> security.secureServer(server));
    }

    @Test
    public void twoHandlesInOneProcessEachHaveTheirOwnHandler() {
        try (CurveSecurityHandle one = CurveSecurityFactory.start(keysDir(), null);
             CurveSecurityHandle two = CurveSecurityFactory.start(tmp.getRoot().toPath().resolve("other"), null)) {
            assertFalse(one.publicKey().equals(two.publicKey()));
            assertFalse(one.isAllowed(two.publicKey()));
        }
    }
}
