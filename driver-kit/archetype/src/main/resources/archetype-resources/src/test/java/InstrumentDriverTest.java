package ${package};

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import io.labhub.api.Hub;
import io.labhub.api.Publisher;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.Test;

/** The driver without a runtime: a Hub that records what the driver creates and publishes. */
public class InstrumentDriverTest {

    private final List<String> created = new CopyOnWriteArrayList<>();
    private final List<String> published = new CopyOnWriteArrayList<>();
    private final CountDownLatch firstReading = new CountDownLatch(1);
    private volatile boolean closed;

    @Test
    public void readingsAreJson() {
        assertEquals("{\"n\":7,\"value\":21.500}", new String(InstrumentDriver.reading(7, 21.5), StandardCharsets.UTF_8));
    }

    @Test
    public void publishesOnItsChannelUntilStopped() throws Exception {
        InstrumentDriver driver = new InstrumentDriver(recordingHub());
        assertTrue("a reading within 10 s", firstReading.await(10, TimeUnit.SECONDS)); // the timer publishes one at once
        driver.stop();
        assertEquals(List.of(InstrumentDriver.CHANNEL), created);
        assertTrue("a reading published", published.get(0).startsWith("{\"n\":0,"));
        assertTrue("publisher closed on stop", closed);
    }

    private Hub recordingHub() {
        Publisher publisher = (Publisher) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Publisher.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "publish" -> {
                        published.add(new String((byte[]) args[0], StandardCharsets.UTF_8));
                        firstReading.countDown();
                        yield 0L;
                    }
                    case "close" -> {
                        closed = true;
                        yield null;
                    }
                    default -> throw new UnsupportedOperationException(method.getName());
                });
        return (Hub) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Hub.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("createPublisher")) {
                        created.add((String) args[0]);
                        return publisher;
                    }
                    throw new UnsupportedOperationException(method.getName());
                });
    }
}
