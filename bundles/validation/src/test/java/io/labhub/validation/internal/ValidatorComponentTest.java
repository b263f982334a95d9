package io.labhub.validation.internal;

import io.labhub.validation.ValidationLimits;
import io.labhub.validation.Validator;
import org.junit.Test;

import java.lang.reflect.Proxy;
import java.util.Map;

import static io.labhub.validation.Refused.assertRefused;
import static org.junit.Assert.assertEquals;

public class ValidatorComponentTest {

    /**
     * A configuration as SCR makes it: each method returns the configured property, or the annotation's
     * default when the property is absent.
     */
    private static ValidatorComponent.Config config(Map<String, Object> properties) {
        return (ValidatorComponent.Config) Proxy.newProxyInstance(ValidatorComponent.Config.class.getClassLoader(),
                new Class<?>[] {ValidatorComponent.Config.class}, (proxy, method, args) -> {
                    if (method.getDeclaringClass() == Object.class) {
                        return switch (method.getName()) {
                            case "hashCode" -> System.identityHashCode(proxy);
                            case "equals" -> proxy == args[0];
                            default -> "Config" + properties;
                        };
                    }
                    return properties.getOrDefault(method.getName(), method.getDefaultValue());
                });
    }

    @Test
    public void withoutConfigurationAppliesTheDefaults() {
        ValidatorComponent component = new ValidatorComponent();
        assertEquals(ValidationLimits.DEFAULTS, component.limits());
        component.activate(config(Map.of()));
        assertEquals(ValidationLimits.DEFAULTS, component.limits());
    }

    @Test
    public void readsEveryLimitFromItsConfiguration() {
        ValidatorComponent component = new ValidatorComponent();
        component.activate(config(Map.of("maxSegmentBytes", 4096L, "maxSlotSize", 1024, "maxSlotCount", 8,
                "maxMetadataEntries", 3, "maxMetadataDepth", 2, "maxMetadataValueLength", 10)));
        assertEquals(new ValidationLimits(4096, 1024, 8, 3, 2, 10), component.limits());

        component.shmSizes(512, 8);
        assertRefused("shm.slotSize", () -> component.shmSizes(1025, 1));
        assertRefused("shm.slotCount", () -> component.shmSizes(1, 9));
        assertRefused("shm.total", () -> component.shmSizes(1024, 5));
        assertRefused("metadata.entries", () -> component.metadata(Map.of("a", 1, "b", 2, "c", 3, "d", 4)));
        assertRefused("metadata.value", () -> component.metadata(Map.of("a", "x".repeat(11))));
        assertRefused("name.charset", () -> component.channelName("a/b"));
        assertRefused("key.length", () -> component.publicKey("short"));
    }

    @Test
    public void appliesAModifiedConfiguration() {
        ValidatorComponent component = new ValidatorComponent();
        component.activate(config(Map.of("maxSlotCount", 8)));
        assertRefused("shm.slotCount", () -> component.shmSizes(1, 16));
        component.activate(config(Map.of("maxSlotCount", 16)));
        component.shmSizes(1, 16);
        assertEquals(16, component.limits().maxSlotCount());
    }

    @Test
    public void refusesABadConfigurationAndKeepsThePreviousLimits() {
        ValidatorComponent component = new ValidatorComponent();
        component.activate(config(Map.of("maxSlotCount", 8)));
        ValidationLimits before = component.limits();
        assertRefused("limits.maxSlotCount", () -> component.activate(config(Map.of("maxSlotCount", 0))));
        assertRefused("limits.maxSegmentBytes", () -> component.activate(config(Map.of("maxSegmentBytes", -1L))));
        assertEquals(before, component.limits());
    }

    @Test
    public void isTheValidatorService() {
        Validator service = new ValidatorComponent();
        assertEquals("camera1.frames", service.channelName("camera1.frames").value());
    }
}
