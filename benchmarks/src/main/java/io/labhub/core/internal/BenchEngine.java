package io.labhub.core.internal;

import io.labhub.api.Hub;
import io.labhub.transport.shm.internal.RingSettings;
import io.labhub.transport.shm.internal.ShmTransportImpl;
import io.labhub.transport.shm.internal.platform.SegmentAccess;
import io.labhub.transport.shm.internal.platform.ShmPlatforms;
import io.labhub.validation.Validators;
import java.nio.file.Path;

/**
 * core's Hub engine with the real shm transport, outside OSGi, for the benchmarks' recorder group: built as
 * the recorder's RecorderOnShmTest builds it (a local directory, no broker). It lives in core's internal
 * package because the engine, its per-owner {@link BundleHub} fronts and the local directory are
 * package-private; on a class path a second jar may add a class to that package.
 */
public final class BenchEngine implements AutoCloseable {

    private final HubEngine engine = new HubEngine(Validators.defaults(), new LocalDirectory("local"));
    private final ShmTransportImpl shm;

    /** @param shmDirectory where the shm platform makes its segment files (under /dev/shm) */
    public BenchEngine(Path shmDirectory) {
        shm = new ShmTransportImpl(ShmPlatforms.load(shmDirectory), RingSettings.DEFAULTS, SegmentAccess.OWNER_ONLY);
        engine.addTransport(shm);
    }

    /** A Hub front for one owner (a driver, the recorder), as each bundle gets its own in the runtime. */
    public Hub hub(String owner) {
        return new BundleHub(engine, owner);
    }

    @Override
    public void close() {
        shm.deactivate();
        engine.shutdown();
    }
}
