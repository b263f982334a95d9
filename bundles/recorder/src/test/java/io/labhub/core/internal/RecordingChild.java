package io.labhub.core.internal;

import io.labhub.api.ShmOptions;
import io.labhub.api.ShmPolicy;
import io.labhub.api.ShmProducer;
import io.labhub.recorder.internal.RecorderService;
import io.labhub.transport.shm.internal.RingSettings;
import io.labhub.transport.shm.internal.ShmTransportImpl;
import io.labhub.transport.shm.internal.platform.SegmentAccess;
import io.labhub.transport.shm.internal.platform.ShmPlatforms;
import io.labhub.validation.Validators;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A recording runtime for {@link RecorderFaultsTest}'s crash: a real Hub engine with shm, a reliable producer
 * of {@link RecorderFaultsTest#frame} frames and the recorder on it, recording to {@code args[1]}. Prints
 * {@code recorded N} as it goes and never stops by itself: the test SIGKILLs it.
 * Arguments: shm folder, HDF5 file.
 */
public final class RecordingChild {

    private RecordingChild() {
    }

    public static void main(String[] args) throws Exception {
        HubEngine engine = new HubEngine(Validators.defaults(), new LocalDirectory("local"));
        ShmTransportImpl shm = new ShmTransportImpl(ShmPlatforms.load(Path.of(args[0])), RingSettings.DEFAULTS,
                SegmentAccess.OWNER_ONLY);
        engine.addTransport(shm);
        RecorderService recorder = new RecorderService(new BundleHub(engine, "recorder"), Validators.defaults());
        try (ShmProducer producer = new BundleHub(engine, "driver").createShmProducer("cam.frames", ShmOptions.DEFAULTS
                .withSlots(RecorderFaultsTest.SCHEMA.size(), 8).withPolicy(ShmPolicy.RELIABLE)
                .withReliableTimeout(Duration.ofSeconds(30)).withSchema(RecorderFaultsTest.SCHEMA))) {
            recorder.start(List.of("cam.frames"), Path.of(args[1]));
            for (long s = 0; ; s++) {
                producer.publish(RecorderFaultsTest.frame(s));
                if (s % 16 == 0) {
                    System.out.println("recorded " + recorder.status().frames().get("cam.frames"));
                }
            }
        }
    }
}
