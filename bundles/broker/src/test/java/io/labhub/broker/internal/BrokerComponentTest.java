package io.labhub.broker.internal;

import io.labhub.broker.BrokerConfig;
import io.labhub.broker.TestBed;
import io.labhub.validation.Validators;
import org.junit.Rule;
import org.junit.Test;

import java.lang.annotation.Annotation;
import java.time.Duration;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

/** The DS component maps its configuration and runs a broker for as long as it is active. */
public class BrokerComponentTest {

    @Rule
    public final TestBed bed = new TestBed();

    private static BrokerComponent.Config config(String endpoint) {
        return new BrokerComponent.Config() {
            @Override
            public Class<? extends Annotation> annotationType() {
                return BrokerComponent.Config.class;
            }

            @Override
            public String endpoint() {
                return endpoint;
            }

            @Override
            public String eventsEndpoint() {
                return "tcp://127.0.0.1:*";
            }

            @Override
            public long heartbeatIntervalMs() {
                return 250;
            }

            @Override
            public int missedBeats() {
                return 4;
            }

            @Override
            public int maxMessageSize() {
                return 1000;
            }

            @Override
            public int maxChannelsPerKey() {
                return 7;
            }

            @Override
            public long maxMetadataBytesPerKey() {
                return 5000;
            }

            @Override
            public int maxInFlightPerKey() {
                return 9;
            }

            @Override
            public long reservationGraceMillis() {
                return 1234;
            }
        };
    }

    @Test
    public void configurationMapsOntoBrokerConfig() {
        BrokerConfig mapped = BrokerComponent.toBrokerConfig(config("tcp://127.0.0.1:6000"));
        assertEquals(new BrokerConfig("tcp://127.0.0.1:6000", "tcp://127.0.0.1:*", Duration.ofMillis(250), 4, 1000,
                7, 5000, 9, Duration.ofMillis(1234)), mapped);
    }

    @Test
    public void activateRunsABrokerAndDeactivateStopsIt() {
        BrokerComponent component = new BrokerComponent(bed.brokerSecurity(), Validators.defaults(),
                config("tcp://127.0.0.1:*"));
        try {
            assertTrue(component.status().running());
            assertTrue(component.endpoint().startsWith("tcp://127.0.0.1:"));
            assertTrue(component.channels().isEmpty());
        } finally {
            component.deactivate();
        }
        assertFalse(component.status().running());
    }
}
