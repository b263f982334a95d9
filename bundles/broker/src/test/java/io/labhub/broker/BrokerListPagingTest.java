package io.labhub.broker;

import com.fasterxml.jackson.databind.JsonNode;
import io.labhub.api.ErrorCode;
import org.junit.Rule;
import org.junit.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

/**
 * Issue 12, finding 4 (b): one {@code list} of many channels with large metadata was a 186 MB reply
 * built on the broker loop. Now a page is bounded in channels and bytes, and {@code after}/{@code next}
 * walk the whole registry exactly once.
 */
public class BrokerListPagingTest {

    private static final int CHANNELS = 140;
    private static final int METADATA_BYTES = 7002;

    @Rule
    public final TestBed bed = new TestBed();

    @Test
    public void listIsBoundedAndPagesWalkEverything() throws IOException {
        bed.startBroker();
        TestBed.Raw producer = bed.raw();
        producer.request("hello", "");
        String value = "z".repeat(3500);
        for (int i = 0; i < CHANNELS; i++) {
            JsonNode reply = producer.request("register", "\"name\":\"" + String.format("big.c%03d", i)
                    + "\",\"kind\":\"pubsub\",\"endpoint\":\"tcp://127.0.0.1:40000\",\"serverKey\":\""
                    + bed.brokerSecurity().publicKey() + "\",\"metadata\":{\"a\":\"" + value + "\",\"b\":\"" + value + "\"}");
            assertEquals(reply.toString(), "ok", reply.path("status").asText());
        }
        TestBed.Raw reader = bed.raw();
        JsonNode first = reader.request("list", "");
        assertEquals("ok", first.path("status").asText());
        int size = first.toString().length();
        System.out.println("list of " + CHANNELS + " channels x " + METADATA_BYTES + " B metadata: first page "
                + first.path("channels").size() + " channels, " + size + " bytes, next=" + first.path("next").asText());
        assertTrue("a page is bounded in channels: " + first.path("channels").size(),
                first.path("channels").size() <= 100);
        assertTrue("a page is bounded in bytes: " + size, size <= 300 * 1024);
        assertTrue("and says where to go on", first.path("next").isTextual());

        TreeSet<String> seen = new TreeSet<>();
        List<Integer> pages = new ArrayList<>();
        JsonNode page = first;
        while (true) {
            pages.add(page.path("channels").size());
            String previous = null;
            for (JsonNode c : page.path("channels")) {
                String name = c.path("name").asText();
                assertTrue("sorted: " + name, previous == null || previous.compareTo(name) < 0);
                assertTrue("each channel once: " + name, seen.add(name));
                previous = name;
            }
            if (page.path("next").isNull()) {
                break;
            }
            assertEquals(previous, page.path("next").asText());
            page = reader.request("list", "\"after\":\"" + page.path("next").asText() + "\"");
            assertEquals(page.toString(), "ok", page.path("status").asText());
        }
        assertEquals("every channel on some page (pages " + pages + ")", CHANNELS, seen.size());

        JsonNode small = reader.request("list", "\"limit\":10,\"after\":\"big.c004\"");
        assertEquals(10, small.path("channels").size());
        assertEquals("big.c005", small.path("channels").get(0).path("name").asText());
        assertEquals("big.c014", small.path("next").asText());
        JsonNode last = reader.request("list", "\"after\":\"big.c139\"");
        assertEquals(0, last.path("channels").size());
        assertTrue(last.path("next").isNull());
    }

    @Test
    public void badPagingFieldsAreRefused() throws IOException {
        bed.startBroker();
        TestBed.Raw reader = bed.raw();
        for (String fields : new String[] {"\"limit\":0", "\"limit\":1001", "\"limit\":\"5\"", "\"limit\":1.5",
                "\"after\":\"1bad\"", "\"after\":7"}) {
            JsonNode reply = reader.request("list", fields);
            assertEquals(fields + " -> " + reply, ErrorCode.INVALID_ARGUMENT.name(), reply.path("code").asText());
        }
        JsonNode empty = reader.request("list", "");
        assertEquals(0, empty.path("channels").size());
        assertTrue(empty.path("next").isNull());
    }
}
