package io.labhub.sample.thermometer;

import io.labhub.api.Hub;
import io.labhub.api.Publisher;
import io.labhub.api.ZmqOptions;
import io.labhub.api.schema.Dtype;
import io.labhub.api.schema.Schema;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A simulated thermometer: publishes one JSON reading per period on a pubsub channel, e.g.
 * {@code {"sensor":"lab-1","celsius":21.503,"time":"2026-01-01T12:00:00Z"}}: a slow drift around the
 * set point plus noise. Configuration pid {@code io.labhub.sample.thermometer}.
 */
@Component(configurationPid = "io.labhub.sample.thermometer", immediate = true, service = {})
@Designate(ocd = ThermometerDriver.Config.class)
public class ThermometerDriver {

    private static final Logger LOG = LoggerFactory.getLogger(ThermometerDriver.class);

    @ObjectClassDefinition(name = "LabHub sample thermometer")
    public @interface Config {
        @AttributeDefinition(description = "The pubsub channel the readings go to")
        String channel() default "lab.thermometer";

        @AttributeDefinition(description = "The sensor's name, in every reading")
        String sensor() default "lab-1";

        @AttributeDefinition(description = "Readings per second", min = "0.01", max = "1000")
        double rateHz() default 5.0;

        @AttributeDefinition(description = "The temperature it hovers around, in degrees Celsius")
        double setPointCelsius() default 21.5;
    }

    /**
     * Each message is one JSON text (one open-length utf8 field, docs/schemas.md), so the bytes on the
     * wire stay what every existing reader of this channel parses.
     */
    static final Schema SCHEMA = Schema.builder().text("reading", Dtype.UTF8, 0)
            .attribute("content", "application/json")
            .attribute("fields", "sensor, celsius (degC), time (ISO-8601)")
            .build();

    private final Publisher readings;
    private final ScheduledExecutorService timer;
    private final String sensor;
    private final double setPoint;
    private final SplittableRandom random = new SplittableRandom();
    private long tick;

    @Activate
    public ThermometerDriver(@Reference Hub hub, Config config) {
        if (!(config.rateHz() > 0) || config.rateHz() > 1000) {
            throw new IllegalArgumentException("io.labhub.sample.thermometer: rateHz must be in (0, 1000], got " + config.rateHz());
        }
        this.sensor = config.sensor().replace("\\", "\\\\").replace("\"", "\\\""); // JSON string escaping
        this.setPoint = config.setPointCelsius();
        this.readings = hub.createPublisher(config.channel(), ZmqOptions.DEFAULTS.withMetadata(Map.of(
                "content", "application/json", "unit", "celsius", "rateHz", Double.toString(config.rateHz())))
                .withSchema(SCHEMA));
        // The driver's own thread: a slow or hung driver cannot stall another.
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "thermometer-" + config.channel()));
        long period = (long) (1e9 / config.rateHz());
        timer.scheduleAtFixedRate(this::publishReading, 0, period, TimeUnit.NANOSECONDS);
        LOG.info("thermometer '{}' on '{}' at {} Hz", sensor, config.channel(), config.rateHz());
    }

    private void publishReading() {
        try {
            double celsius = setPoint + 0.3 * Math.sin(tick++ / 50.0) + random.nextGaussian() * 0.02;
            String json = String.format(Locale.ROOT, "{\"sensor\":\"%s\",\"celsius\":%.3f,\"time\":\"%s\"}",
                    sensor, celsius, Instant.now());
            readings.publish(json.getBytes(StandardCharsets.UTF_8));
        } catch (RuntimeException e) {
            LOG.warn("thermometer could not publish a reading", e);
        }
    }

    @Deactivate
    void deactivate() {
        timer.shutdownNow();
        try {
            timer.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        readings.close();
        LOG.info("thermometer '{}' stopped", sensor);
    }
}
