package ${package};

import io.labhub.api.Hub;
import io.labhub.api.Publisher;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;

/**
 * A LabHub driver: once a second it reads its instrument ({@link #read()}: replace it with yours) and
 * publishes the reading as JSON on the pub/sub channel {@value #CHANNEL}. Its timer is its own thread,
 * so a slow instrument never stalls another driver.
 */
@Component(immediate = true, service = {})
public class InstrumentDriver {

    public static final String CHANNEL = "${channel}";

    private final Publisher readings;
    private final ScheduledExecutorService timer;
    private long count;

    @Activate
    public InstrumentDriver(@Reference Hub hub) {
        readings = hub.createPublisher(CHANNEL); // bound, secured with CURVE, registered with the broker
        timer = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "${artifactId} driver"));
        timer.scheduleAtFixedRate(this::publishReading, 0, 1, TimeUnit.SECONDS);
    }

    void publishReading() {
        readings.publish(reading(count++, read())); // never blocks
    }

    /** The instrument's value now. */
    double read() {
        return 20.0 + Math.sin(count / 10.0);
    }

    /** One reading as the channel carries it: {@code {"n":N,"value":V}}. */
    static byte[] reading(long n, double value) {
        return String.format(Locale.ROOT, "{\"n\":%d,\"value\":%.3f}", n, value).getBytes(StandardCharsets.UTF_8);
    }

    @Deactivate
    void stop() throws InterruptedException {
        timer.shutdownNow();
        timer.awaitTermination(5, TimeUnit.SECONDS);
        readings.close(); // also done for you when the bundle stops
    }
}
