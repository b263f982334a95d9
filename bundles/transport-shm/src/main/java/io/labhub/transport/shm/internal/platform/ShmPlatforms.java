package io.labhub.transport.shm.internal.platform;

import java.nio.file.Path;
import java.util.Locale;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds the platform implementation. The OS fragments add their class to this bundle's class loader
 * (a fragment shares its host's loader), so a {@code Class.forName} with the host's loader finds the
 * one that resolved; without a fragment (or on another OS) the portable file platform is used.
 */
public final class ShmPlatforms {

    /** Provided by transport-shm-linux; constructor {@code (Path directory)}. */
    public static final String LINUX_CLASS = "io.labhub.transport.shm.internal.platform.linux.LinuxShmPlatform";
    /** Provided by transport-shm-windows; constructor {@code (Path directory)} (the directory is ignored). */
    public static final String WINDOWS_CLASS = "io.labhub.transport.shm.internal.platform.windows.WindowsShmPlatform";

    private static final Logger LOG = LoggerFactory.getLogger(ShmPlatforms.class);
    private static final java.util.concurrent.atomic.AtomicBoolean WARNED = new java.util.concurrent.atomic.AtomicBoolean();
    private static final Log WARN = LOG::warn;
    private static final Log DEBUG = LOG::debug;

    @FunctionalInterface
    private interface Log {
        void log(String format, Object arg);
    }

    private ShmPlatforms() {
    }

    /** The best platform available here, for segments under {@code directory} (file-based platforms). */
    public static ShmPlatform load(Path directory) {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String candidate = os.contains("linux") ? LINUX_CLASS : os.startsWith("windows") ? WINDOWS_CLASS : null;
        if (candidate != null) {
            try {
                Class<?> type = Class.forName(candidate, true, ShmPlatforms.class.getClassLoader());
                ShmPlatform platform = (ShmPlatform) type.getConstructor(Path.class).newInstance(directory);
                LOG.debug("shared-memory platform {}", platform.id());
                return platform;
            } catch (ClassNotFoundException e) {
                (WARNED.getAndSet(true) ? DEBUG : WARN).log("no shared-memory platform fragment for {}; waiting falls back to polling", os);
            } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
                LOG.warn("shared-memory platform {} failed to start; waiting falls back to polling", candidate, e);
            }
        }
        return new FileShmPlatform(directory);
    }
}
