package io.labhub.core.internal;

import io.labhub.recorder.internal.ReplayService;
import io.labhub.transport.shm.internal.RingSettings;
import io.labhub.transport.shm.internal.ShmTransportImpl;
import io.labhub.transport.shm.internal.platform.SegmentAccess;
import io.labhub.transport.shm.internal.platform.ShmPlatforms;
import io.labhub.validation.Validators;
import org.junit.rules.ExternalResource;
import org.junit.rules.TemporaryFolder;

/**
 * What the replay tests run on, one per test: a Hub engine with a local directory and the real shm transport
 * (segments in a folder of the test's own), a {@link ReplayService} on it and a Hub front for the consumers; the
 * replays stopped and everything closed after the test.
 */
final class ReplayRig extends ExternalResource {

    final TemporaryFolder tmp = new TemporaryFolder();
    final HubEngine engine = new HubEngine(Validators.defaults(), new LocalDirectory("local"));
    ShmTransportImpl shm;
    ReplayService replayer;
    BundleHub consumers;

    @Override
    protected void before() throws Throwable {
        tmp.create();
        shm = new ShmTransportImpl(ShmPlatforms.load(tmp.newFolder("shm").toPath()), RingSettings.DEFAULTS,
                SegmentAccess.OWNER_ONLY);
        engine.addTransport(shm);
        replayer = new ReplayService(new BundleHub(engine, "replay"), Validators.defaults());
        consumers = new BundleHub(engine, "consumer");
    }

    @Override
    protected void after() {
        replayer.stop(null); // what deactivate does
        shm.deactivate();
        engine.shutdown();
        tmp.delete();
    }
}
