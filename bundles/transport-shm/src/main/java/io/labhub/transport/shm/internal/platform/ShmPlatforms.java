package io.labhub.transport.shm.internal.platform;

import java.nio.file.Path;
import java.util.Locale;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds the platform implementation. The OS fragments add their class to this bundle's class loader
 * (a fragment shares its host's loader), so a {@code Class.forName} with the host's loader finds the
 * one that resolved. On Linux without its fragment (the host's own unit tests) the portable file platform
 * polls in /dev/shm; on Windows there is no fallback: the file platform would put owner-only segments into
 * a {@code \dev\shm} folder without owner-only permissions, so a missing or failing Windows fragment is an
 * error that names it. Other systems get the file platform in the configured directory.
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

    /** The artifact that provides {@link #WINDOWS_CLASS}, named in the error when it is missing. */
    public static final String WINDOWS_FRAGMENT = "labhub-transport-shm-windows (bundle io.labhub.transport-shm-windows)";

    /** The best platform available here, for segments under {@code directory} (file-based platforms). */
    public static ShmPlatform load(Path directory) {
        return load(directory, "Local");
    }

    /**
     * The best platform available here.
     *
     * @param directory        segment files of the file-based platforms (Linux)
     * @param windowsNamespace {@code Local} or {@code Global}: the Windows object namespace
     * @throws io.labhub.api.LabHubException {@code TRANSPORT_UNAVAILABLE} on Windows when the Windows fragment is
     *         missing or cannot start
     */
    public static ShmPlatform load(Path directory, String windowsNamespace) {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        if (os.startsWith("windows")) {
            return loadWindows(windowsNamespace);
        }
        String candidate = os.contains("linux") ? LINUX_CLASS : null;
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

    private static ShmPlatform loadWindows(String namespace) {
        try {
            Class<?> type = Class.forName(WINDOWS_CLASS, true, ShmPlatforms.class.getClassLoader());
            ShmPlatform platform = (ShmPlatform) type.getConstructor(Path.class, String.class)
                    .newInstance(Path.of("."), namespace);
            LOG.debug("shared-memory platform {}", platform.id());
            return platform;
        } catch (ClassNotFoundException e) {
            throw new io.labhub.api.LabHubException(io.labhub.api.ErrorCode.TRANSPORT_UNAVAILABLE,
                    "shared memory on Windows needs the fragment " + WINDOWS_FRAGMENT
                            + ", which is not installed or did not resolve (feature shm carries it)", e);
        } catch (java.lang.reflect.InvocationTargetException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException re) {
                throw re; // a typed refusal (e.g. an invalid windowsNamespace)
            }
            throw new io.labhub.api.LabHubException(io.labhub.api.ErrorCode.TRANSPORT_UNAVAILABLE,
                    "the Windows shared-memory fragment " + WINDOWS_FRAGMENT + " failed to start: " + cause, cause);
        } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
            throw new io.labhub.api.LabHubException(io.labhub.api.ErrorCode.TRANSPORT_UNAVAILABLE,
                    "the Windows shared-memory fragment " + WINDOWS_FRAGMENT + " failed to start: " + e, e);
        }
    }
}
