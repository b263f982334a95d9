package io.labhub.security.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertThrows;

import io.labhub.api.LabHubException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/** Speaks RFC 27 to the handler directly, over inproc, as a server socket's session would. */
public class ZapHandlerTest {

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private ZContext context;
    private AllowList allowList;
    private ZapHandler handler;
    private ZMQ.Socket req;
    private final String allowed = CurveKeys.generate().publicKey();

    @Before
    public void start() {
        Path file = tmp.getRoot().toPath().resolve("allowed_keys");
        allowList = new AllowList(file);
        allowList.add(allowed);
        context = new ZContext();
        handler = ZapHandler.start(context, allowList);
        req = context.createSocket(SocketType.REQ);
        req.setReceiveTimeOut(5_000);
        req.connect(ZapHandler.ENDPOINT);
    }

    @After
    public void stop() {
        handler.close();
        context.close();
    }

    @Test
    public void curveWithAnAllowedKeyGets200AndTheKeyAsUserId() {
        List<String> reply = ask("1.0", "CURVE", ZMQ.Curve.z85Decode(allowed));
        assertEquals(List.of("1.0", "1", "200", "OK", allowed, ""), reply);
        assertEquals(1, handler.admissions());
        assertEquals(0, handler.refusals());
    }

    @Test
    public void curveWithAnUnknownKeyGets400() {
        String stranger = CurveKeys.generate().publicKey();
        assertEquals("400", ask("1.0", "CURVE", ZMQ.Curve.z85Decode(stranger)).get(2));
        assertEquals(1, handler.refusals());
    }

    @Test
    public void nullAndPlainMechanismsGet400() {
        assertEquals("400", ask("1.0", "NULL").get(2));
        assertEquals("400", ask("1.0", "PLAIN", bytes("admin"), bytes("secret")).get(2));
        assertEquals(2, handler.refusals());
        assertEquals(0, handler.admissions());
    }

    @Test
    public void wrongVersionAndMalformedCredentialsGet400AndTheHandlerKeepsServing() {
        assertEquals("400", ask("2.0", "CURVE", ZMQ.Curve.z85Decode(allowed)).get(2));
        assertEquals("400", ask("1.0", "CURVE", new byte[5]).get(2));
        assertEquals("400", ask("1.0", "CURVE").get(2));
        // A request of too few frames: still answered, echoing its id.
        req.sendMore("1.0");
        req.send("7");
        List<String> reply = receive();
        assertEquals("400", reply.get(2));
        assertEquals("7", reply.get(1));
        assertEquals("200", ask("1.0", "CURVE", ZMQ.Curve.z85Decode(allowed)).get(2));
    }

    @Test
    public void eachRefusalIsCountedButLoggedOncePerKeyAndHost() {
        byte[] stranger = ZMQ.Curve.z85Decode(CurveKeys.generate().publicKey());
        askFrom("10.0.0.1:4000", "CURVE", stranger);
        askFrom("10.0.0.1:4001", "CURVE", stranger); // a reconnection: same host, new port
        askFrom("10.0.0.2:4000", "CURVE", stranger);
        askFrom("10.0.0.2:4000", "NULL");
        askFrom("10.0.0.2:4000", "NULL");
        assertEquals(5, handler.refusals());
        assertEquals(3, handler.refusalsLogged());
    }

    @Test
    public void allowListChangesAreSeenByTheRunningHandler() {
        String late = CurveKeys.generate().publicKey();
        assertEquals("400", ask("1.0", "CURVE", ZMQ.Curve.z85Decode(late)).get(2));
        allowList.add(late);
        assertEquals("200", ask("1.0", "CURVE", ZMQ.Curve.z85Decode(late)).get(2));
    }

    @Test
    public void aSecondHandlerInTheSameContextIsRefused() {
        LabHubException e = assertThrows(LabHubException.class, () -> ZapHandler.start(context, allowList));
        assertNotNull(e.getMessage());
    }

    @Test
    public void hostDropsOnlyAPort() {
        assertEquals("127.0.0.1", ZapHandler.host("127.0.0.1:5555"));
        assertEquals("[::1]", ZapHandler.host("[::1]:5555"));
        assertEquals("::1", ZapHandler.host("::1"));
        assertEquals("127.0.0.1", ZapHandler.host("127.0.0.1"));
        assertEquals("", ZapHandler.host(""));
    }

    private List<String> ask(String version, String mechanism, byte[]... credentials) {
        return askFull(version, "10.0.0.9", mechanism, credentials);
    }

    private List<String> askFrom(String address, String mechanism, byte[]... credentials) {
        return askFull("1.0", address, mechanism, credentials);
    }

    private List<String> askFull(String version, String address, String mechanism, byte[]... credentials) {
        List<byte[]> frames = new ArrayList<>(List.of(bytes(version), bytes("1"), bytes("labhub"), bytes(address),
                new byte[0], bytes(mechanism)));
        frames.addAll(List.of(credentials));
        for (int i = 0; i < frames.size(); i++) {
            req.send(frames.get(i), i < frames.size() - 1 ? ZMQ.SNDMORE : 0);
        }
        return receive();
    }

    private List<String> receive() {
        List<String> reply = new ArrayList<>();
        byte[] frame = req.recv(0);
        assertNotNull("the ZAP handler did not answer", frame);
        reply.add(new String(frame, StandardCharsets.UTF_8));
        while (req.hasReceiveMore()) {
            reply.add(new String(req.recv(0), StandardCharsets.UTF_8));
        }
        assertEquals("a ZAP reply has 6 frames after the envelope", 6, reply.size());
        return reply;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
