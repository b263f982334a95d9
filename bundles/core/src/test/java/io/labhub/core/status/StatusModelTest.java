package io.labhub.core.status;

import static org.junit.Assert.assertEquals;

import io.labhub.core.status.StatusModel.Row;
import io.labhub.core.status.StatusModel.Status;
import java.lang.reflect.Proxy;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import org.osgi.framework.Bundle;
import org.osgi.framework.startlevel.BundleStartLevel;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.component.runtime.dto.ComponentConfigurationDTO;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;
import org.osgi.service.component.runtime.dto.UnsatisfiedReferenceDTO;
import org.junit.Test;

/** The status model (hub:status, hub.status.NODE) reads SCR's DTOs into ONLINE / OFFLINE / FAILED rows with their reason (issue 16 item 4). */
public class StatusModelTest {

    /** SCR's failure text for a driver whose activate threw: the reflection wrapper first, the cause last. */
    static final String FAILURE = """
            java.lang.reflect.InvocationTargetException
            \tat java.base/jdk.internal.reflect.DirectConstructorHandleAccessor.newInstance(DirectConstructorHandleAccessor.java:74)
            Caused by: io.labhub.api.LabHubException: cannot bind the broker request endpoint tcp://*:5570: Errno 48
            \tat io.labhub.broker.internal.BrokerLoop.bind(BrokerLoop.java:439)
            Caused by: org.zeromq.ZMQException: Errno 48 : Address already in use
            \tat org.zeromq.ZMQ$Socket.mayRaise(ZMQ.java:3901)
            """;

    private static Bundle bundle(long id, String name, String location, int state) {
        return bundle(id, name, location, state, true);
    }

    private static Bundle bundle(long id, String name, String location, int state, boolean started) {
        BundleStartLevel level = (BundleStartLevel) Proxy.newProxyInstance(Bundle.class.getClassLoader(),
                new Class<?>[] {BundleStartLevel.class}, (p, m, a) -> switch (m.getName()) {
                    case "isPersistentlyStarted" -> started;
                    default -> throw new UnsupportedOperationException(m.getName());
                });
        return (Bundle) Proxy.newProxyInstance(Bundle.class.getClassLoader(), new Class<?>[] {Bundle.class},
                (p, m, a) -> switch (m.getName()) {
                    case "adapt" -> level;
                    case "getBundleId" -> id;
                    case "getSymbolicName" -> name;
                    case "getLocation" -> location;
                    case "getState" -> state;
                    case "getHeaders" -> new Hashtable<String, String>();
                    case "hashCode" -> (int) id;
                    case "equals" -> p == a[0];
                    default -> throw new UnsupportedOperationException(m.getName());
                });
    }

    private static ComponentDescriptionDTO description(String name) {
        ComponentDescriptionDTO d = new ComponentDescriptionDTO();
        d.name = name;
        d.configurationPid = new String[] {name};
        return d;
    }

    private static ComponentConfigurationDTO config(int state) {
        ComponentConfigurationDTO c = new ComponentConfigurationDTO();
        c.state = state;
        c.unsatisfiedReferences = new UnsatisfiedReferenceDTO[0];
        return c;
    }

    @Test
    public void aComponentWhoseActivationFailedIsFailedWithItsCauseAndComesFirst() {
        Bundle broker = bundle(24, "io.labhub.broker", "file:/x/features/broker/labhub-broker.jar", Bundle.ACTIVE);
        Bundle camera = bundle(40, "io.labhub.sample-camera", "file:/x/deploy/labhub-sample-camera.jar", Bundle.ACTIVE);
        Bundle stage = bundle(41, "io.labhub.sample-stage", "file:/x/deploy/labhub-sample-stage.jar", Bundle.ACTIVE);
        Bundle broken = bundle(42, "com.example.broken", "file:/x/deploy/broken.jar", Bundle.INSTALLED);
        Bundle plain = bundle(43, "com.example.plain", "file:/x/deploy/plain.jar", Bundle.ACTIVE);
        Bundle fresh = bundle(44, "com.example.fresh", "file:/x/deploy/fresh.jar", Bundle.INSTALLED, false);
        Bundle library = bundle(5, "com.fasterxml.jackson.core", "file:/x/features/base/jackson-core.jar", Bundle.ACTIVE);

        ComponentDescriptionDTO brokerComponent = description("io.labhub.broker.internal.BrokerComponent");
        ComponentConfigurationDTO failed = config(ComponentConfigurationDTO.FAILED_ACTIVATION);
        failed.failure = FAILURE;
        ComponentDescriptionDTO cameraDriver = description("io.labhub.sample.camera.CameraDriver");
        ComponentDescriptionDTO stageDriver = description("io.labhub.sample.stage.StageDriver");
        ComponentConfigurationDTO waiting = config(ComponentConfigurationDTO.UNSATISFIED_REFERENCE);
        UnsatisfiedReferenceDTO hub = new UnsatisfiedReferenceDTO();
        hub.name = "hub";
        waiting.unsatisfiedReferences = new UnsatisfiedReferenceDTO[] {hub};

        Map<Bundle, List<ComponentDescriptionDTO>> components = Map.of(broker, List.of(brokerComponent),
                camera, List.of(cameraDriver), stage, List.of(stageDriver));
        Map<ComponentDescriptionDTO, List<ComponentConfigurationDTO>> configs = Map.of(brokerComponent, List.of(failed),
                cameraDriver, List.of(config(ComponentConfigurationDTO.ACTIVE)), stageDriver, List.of(waiting));
        ServiceComponentRuntime scr = (ServiceComponentRuntime) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {ServiceComponentRuntime.class}, (p, m, a) -> switch (m.getName()) {
                    case "getComponentDescriptionDTOs" -> components.getOrDefault(((Bundle[]) a[0])[0], List.of());
                    case "getComponentConfigurationDTOs" -> configs.get(a[0]);
                    case "isComponentEnabled" -> true;
                    default -> throw new UnsupportedOperationException(m.getName());
                });

        List<Row> rows = StatusModel.rows(new Bundle[] {library, broker, camera, stage, broken, plain, fresh}, scr);

        assertEquals(List.of(
                new Row("io.labhub.broker [24]", "io.labhub.broker.internal.BrokerComponent", Status.FAILED,
                        "org.zeromq.ZMQException: Errno 48 : Address already in use"),
                new Row("com.example.broken [42]", "-", Status.FAILED,
                        "bundle not resolved: a requirement is missing (log/labhub.log names it)"),
                new Row("io.labhub.sample-stage [41]", "io.labhub.sample.stage.StageDriver", Status.OFFLINE, "waiting for hub"),
                new Row("com.example.fresh [44]", "-", Status.OFFLINE, "bundle installed, not started yet"),
                new Row("io.labhub.sample-camera [40]", "io.labhub.sample.camera.CameraDriver", Status.ONLINE, "active"),
                new Row("com.example.plain [43]", "-", Status.ONLINE, "bundle active, no components")), rows);
    }
}
