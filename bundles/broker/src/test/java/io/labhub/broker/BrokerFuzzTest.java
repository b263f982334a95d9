package io.labhub.broker;

import com.fasterxml.jackson.databind.JsonNode;
import io.labhub.api.ErrorCode;
import org.junit.Rule;
import org.junit.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

/** Thousands of random and mutated messages; then the broker must still answer a discover correctly. */
public class BrokerFuzzTest {

    private static final int MESSAGES = 4000;
    private static final int BATCH = 200; // stays under the ROUTER's send high-water mark

    private static final String[] TEMPLATES = {
            "{\"v\":1,\"id\":\"f\",\"type\":\"hello\"}",
            "{\"v\":1,\"id\":\"f\",\"type\":\"heartbeat\"}",
            "{\"v\":1,\"id\":\"f\",\"type\":\"register\",\"name\":\"fuzz.a\",\"kind\":\"pubsub\","
                    + "\"endpoint\":\"tcp://127.0.0.1:5\",\"serverKey\":\"rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7\","
                    + "\"metadata\":{\"unit\":\"mm\",\"n\":3,\"nested\":{\"l\":[1,2]}}}",
            "{\"v\":1,\"id\":\"f\",\"type\":\"discover\",\"name\":\"fuzz.a\"}",
            "{\"v\":1,\"id\":\"f\",\"type\":\"attach\",\"name\":\"fuzz.a\"}",
            "{\"v\":1,\"id\":\"f\",\"type\":\"detach\",\"name\":\"fuzz.a\"}",
            "{\"v\":1,\"id\":\"f\",\"type\":\"unregister\",\"name\":\"fuzz.a\"}",
            "{\"v\":1,\"id\":\"f\",\"type\":\"list\"}",
    };

    @Rule
    public final TestBed bed = new TestBed();

    @Test
    public void randomAndMutatedMessagesNeverStopTheBroker() throws IOException {
        bed.startBroker();
        TestBed.Raw fuzzer = bed.raw();
        long seed = System.nanoTime();
        Random random = new Random(seed);
        Set<String> codes = Arrays.stream(ErrorCode.values()).map(Enum::name).collect(Collectors.toSet());
        EnumSet<ErrorCode> seen = EnumSet.noneOf(ErrorCode.class);
        int ok = 0;

        for (int sent = 0; sent < MESSAGES; sent += BATCH) {
            for (int i = 0; i < BATCH; i++) {
                fuzzer.sendFrames(message(random));
            }
            for (int i = 0; i < BATCH; i++) {
                JsonNode reply = fuzzer.receive(10_000);
                assertNotNull("every fuzz message gets a reply (seed " + seed + ")", reply);
                assertEquals(1, reply.path("v").asInt());
                String status = reply.path("status").asText();
                if (status.equals("ok")) {
                    ok++;
                } else {
                    assertEquals("error", status);
                    String code = reply.path("code").asText();
                    assertTrue("a documented code: " + code, codes.contains(code));
                    seen.add(ErrorCode.valueOf(code));
                }
            }
        }
        assertTrue("the fuzz reached the parser's refusals: " + seen, seen.contains(ErrorCode.INVALID_MESSAGE));
        assertTrue("and the handlers: " + seen, seen.contains(ErrorCode.INVALID_ARGUMENT) || ok > 0);

        TestBed.Raw good = bed.raw();
        assertEquals("ok", good.request("hello", "").path("status").asText());
        JsonNode reg = good.request("register", "\"name\":\"after.fuzz\",\"kind\":\"reqrep\","
                + "\"endpoint\":\"tcp://127.0.0.1:7000\",\"serverKey\":\"" + bed.brokerSecurity().publicKey() + "\"");
        assertEquals(reg.toString(), "ok", reg.path("status").asText());
        JsonNode found = good.request("discover", "\"name\":\"after.fuzz\"");
        assertEquals("ok", found.path("status").asText());
        assertEquals("tcp://127.0.0.1:7000", found.path("channel").path("endpoint").asText());
        assertEquals("reqrep", found.path("channel").path("kind").asText());
        assertEquals(good.key(), found.path("channel").path("producer").asText());
        assertTrue(bed.broker().status().refused() > 0);
    }

    private static byte[] message(Random random) {
        int choice = random.nextInt(10);
        if (choice == 0) {
            byte[] garbage = new byte[random.nextInt(200)];
            random.nextBytes(garbage);
            return garbage;
        }
        byte[] bytes = TEMPLATES[random.nextInt(TEMPLATES.length)].getBytes(StandardCharsets.UTF_8);
        if (choice == 1) {
            return bytes; // some valid ones, so that state changes happen too
        }
        int mutations = 1 + random.nextInt(4);
        for (int m = 0; m < mutations; m++) {
            bytes = mutate(bytes, random);
        }
        return bytes;
    }

    private static byte[] mutate(byte[] in, Random random) {
        if (in.length == 0) {
            return new byte[]{(byte) random.nextInt(256)};
        }
        int at = random.nextInt(in.length);
        switch (random.nextInt(5)) {
            case 0 -> { // flip a byte
                byte[] out = in.clone();
                out[at] = (byte) random.nextInt(256);
                return out;
            }
            case 1 -> { // drop a byte range
                int len = 1 + random.nextInt(Math.min(10, in.length - at));
                byte[] out = new byte[in.length - len];
                System.arraycopy(in, 0, out, 0, at);
                System.arraycopy(in, at + len, out, at, in.length - at - len);
                return out;
            }
            case 2 -> { // insert a JSON-ish token
                String[] tokens = {"{", "}", "[", "]", ",", ":", "\"", "null", "-1", "1e999", "\\u0000", "true",
                        "\"v\":2", "\"name\":\"..\"", "\"kind\":\"shm\"", "\"type\":\"register\""};
                byte[] token = tokens[random.nextInt(tokens.length)].getBytes(StandardCharsets.UTF_8);
                byte[] out = new byte[in.length + token.length];
                System.arraycopy(in, 0, out, 0, at);
                System.arraycopy(token, 0, out, at, token.length);
                System.arraycopy(in, at, out, at + token.length, in.length - at);
                return out;
            }
            case 3 -> { // truncate
                return Arrays.copyOf(in, at);
            }
            default -> { // duplicate a slice
                int len = Math.min(20, in.length - at);
                byte[] out = Arrays.copyOf(in, in.length + len);
                System.arraycopy(in, at, out, in.length, len);
                return out;
            }
        }
    }
}
