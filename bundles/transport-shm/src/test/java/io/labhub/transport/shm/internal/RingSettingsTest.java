package io.labhub.transport.shm.internal;

import static org.junit.Assert.assertEquals;

import java.lang.reflect.Method;

import org.junit.Test;

import io.labhub.api.WaitStrategy;

/** The shm defaults stand in one place: the configuration's annotation defaults and RingSettings.DEFAULTS agree. */
public class RingSettingsTest {

    @Test
    public void theConfigurationDefaultsAreTheRingDefaults() throws Exception {
        ShmTransportConfig defaults = (ShmTransportConfig) java.lang.reflect.Proxy.newProxyInstance(
                getClass().getClassLoader(), new Class<?>[] {ShmTransportConfig.class},
                (proxy, method, args) -> defaultOf(method));
        assertEquals(RingSettings.DEFAULTS, RingSettings.of(defaults));
    }

    @Test
    public void theDefaultWaitIsTheApisDefault() {
        assertEquals(WaitStrategy.DEFAULT, RingSettings.DEFAULTS.defaultWait());
    }

    private static Object defaultOf(Method method) {
        Object value = method.getDefaultValue();
        if (value == null) {
            throw new AssertionError(method.getName() + " has no default");
        }
        return value;
    }
}
