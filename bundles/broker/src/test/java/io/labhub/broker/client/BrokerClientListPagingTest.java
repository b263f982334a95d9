package io.labhub.broker.client;

import io.labhub.api.ChannelInfo;
import io.labhub.api.ChannelKind;
import io.labhub.api.ChannelName;
import io.labhub.api.ChannelState;
import io.labhub.broker.TestBed;
import io.labhub.security.CurveSecurityHandle;
import org.junit.Rule;
import org.junit.Test;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.labhub.broker.TestBed.await;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

/**
 * Issue 12, finding 4b (client part): the broker's {@code list} is paged (100 channels a page by
 * default); {@link BrokerClient#list} follows {@code next} until the last page, so every channel is
 * listed exactly once, and stops at a bound when there are more pages than it reads.
 */
public class BrokerClientListPagingTest {

    private static final int CHANNELS = 250; // more than two pages of the broker's default 100

    @Rule
    public final TestBed bed = new TestBed();

    private BrokerClient producerWith(int channels) throws Exception {
        CurveSecurityHandle security = bed.newClientSecurity();
        BrokerClient client = bed.closeLater(BrokerClient.start(new BrokerClientConfig(bed.endpoint(),
                bed.brokerSecurity().publicKey(), TestBed.HEARTBEAT, Duration.ofSeconds(2)), security));
        await("connected", Duration.ofSeconds(10), () -> client.status().connected());
        for (int i = 0; i < channels; i++) {
            client.register(new ChannelInfo(new ChannelName(String.format("page.c%03d", i)), ChannelKind.PUBSUB, null,
                    "tcp://127.0.0.1:" + (30000 + i), "S".repeat(40), Map.of(), 0, ChannelState.ACTIVE));
        }
        await("all " + channels + " registered at the broker", Duration.ofSeconds(20),
                () -> bed.broker().channels().size() == channels);
        return client;
    }

    @Test
    public void everyChannelOfManyPagesIsListedExactlyOnce() throws Exception {
        bed.startBroker();
        producerWith(CHANNELS);
        CurveSecurityHandle other = bed.newClientSecurity();
        BrokerClient consumer = bed.closeLater(BrokerClient.start(new BrokerClientConfig(bed.endpoint(),
                bed.brokerSecurity().publicKey(), TestBed.HEARTBEAT, Duration.ofSeconds(2)), other));

        List<ChannelInfo> listed = consumer.list(Duration.ofSeconds(10));

        assertEquals("every channel, none twice", CHANNELS, listed.size());
        Set<String> names = new HashSet<>();
        for (ChannelInfo info : listed) {
            assertTrue("listed twice: " + info.name(), names.add(info.name().value()));
        }
        for (int i = 0; i < CHANNELS; i++) {
            assertTrue("missing page.c" + i, names.contains(String.format("page.c%03d", i)));
        }
        assertEquals("in name order", "page.c000", listed.get(0).name().value());
        assertEquals("page.c249", listed.get(CHANNELS - 1).name().value());
    }

    @Test
    public void listStopsAtItsPageBound() throws Exception {
        bed.startBroker();
        producerWith(CHANNELS);
        BrokerClient consumer = bed.closeLater(BrokerClient.start(new BrokerClientConfig(bed.endpoint(),
                bed.brokerSecurity().publicKey(), TestBed.HEARTBEAT, Duration.ofSeconds(2)), bed.newClientSecurity()));

        List<ChannelInfo> firstTwoPages = consumer.list(Duration.ofSeconds(10), 2);

        assertEquals("two pages of the broker's default 100", 200, firstTwoPages.size());
        assertEquals("page.c199", firstTwoPages.get(199).name().value());
        assertTrue("the default bound reads far more than this broker holds",
                BrokerClient.MAX_LIST_PAGES * 100 >= 100_000);
    }
}
