package io.labhub.transport.shm.internal.platform.windows;

import static io.labhub.transport.shm.internal.platform.windows.WindowsErrors.ERROR_ACCESS_DENIED;
import static io.labhub.transport.shm.internal.platform.windows.WindowsErrors.ERROR_ALREADY_EXISTS;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.labhub.api.ErrorCode;
import io.labhub.api.LabHubException;
import io.labhub.transport.shm.internal.platform.SegmentAccess;
import io.labhub.transport.shm.internal.platform.ShmHandle;
import io.labhub.transport.shm.internal.platform.ShmPlatform;

/**
 * Segments are pagefile-backed named mappings in the configured namespace ({@code Local\} by default, see
 * {@link WindowsNames}); each consumer-table entry sleeps on its own named auto-reset event
 * ({@code <ns>labhub-<hex>-w<entry>}), which the producer sets for entries that wait (the ring's wake scan).
 * An auto-reset event stays signalled until one wait takes it, so a SetEvent between a consumer's re-check
 * and its wait is kept, not lost; nothing ever resets an event by hand.
 *
 * <p>Every object gets an explicit security descriptor: SYSTEM and the creating user only
 * ({@link WindowsNames#securityDescriptor}); a configured group is refused ({@link WindowsNames#refuseGroup}).
 * A mapping disappears with its last handle, so {@link #unlink} has nothing to do and a crashed producer
 * leaves nothing behind.
 */
public final class WindowsShmPlatform implements ShmPlatform {

    private static final Logger LOG = LoggerFactory.getLogger(WindowsShmPlatform.class);
    private static final VarHandle INT = ValueLayout.JAVA_INT.varHandle();

    private final String namespace;
    private final Kernel32 k32;
    /** The self-relative descriptor of every object made here (LocalFree'd never: one per platform). */
    private MemorySegment securityDescriptor;
    private final Arena attributesArena = Arena.ofAuto();
    private MemorySegment securityAttributes;

    /** In the {@code Local\} namespace. @param ignored the directory of file-based platforms */
    public WindowsShmPlatform(Path ignored) {
        this(ignored, WindowsNames.LOCAL);
    }

    /**
     * @param ignored   the directory of file-based platforms; Windows segments have no directory
     * @param namespace {@code Local} or {@code Global} (configuration {@code windowsNamespace})
     */
    public WindowsShmPlatform(Path ignored, String namespace) {
        this.namespace = WindowsNames.namespace(namespace);
        this.k32 = new Kernel32();
    }

    @Override
    public String id() {
        return "windows-kernel32";
    }

    @Override
    public boolean blocksInKernel() {
        return true;
    }

    /** The namespace prefix in use ({@code Local\} or {@code Global\}). */
    public String namespace() {
        return namespace;
    }

    /** SECURITY_ATTRIBUTES with this user's descriptor, made once. */
    private synchronized MemorySegment securityAttributes() {
        if (securityAttributes == null) {
            String sddl = WindowsNames.securityDescriptor(currentUserSid());
            try {
                Kernel32.Result<MemorySegment> sd = k32.securityDescriptor(sddl);
                if (sd.value().address() == 0) {
                    throw WindowsErrors.failure("ConvertStringSecurityDescriptorToSecurityDescriptorW", sddl, sd.lastError());
                }
                securityDescriptor = sd.value();
            } catch (LabHubException e) {
                throw e;
            } catch (Throwable t) {
                throw new LabHubException(ErrorCode.INTERNAL, "cannot build the security descriptor " + sddl + ": " + t, t);
            }
            securityAttributes = Kernel32.securityAttributes(attributesArena, securityDescriptor);
        }
        return securityAttributes;
    }

    /** This process's user SID as a string (the JDK's NTSystem, module jdk.security.auth). */
    static String currentUserSid() {
        try {
            Class<?> nt = Class.forName("com.sun.security.auth.module.NTSystem", true, ClassLoader.getSystemClassLoader());
            Object system = nt.getConstructor().newInstance();
            return (String) nt.getMethod("getUserSID").invoke(system);
        } catch (ReflectiveOperationException | LinkageError e) {
            throw new LabHubException(ErrorCode.INTERNAL, "cannot read this process's user SID for the segment's "
                    + "security descriptor (the JDK module jdk.security.auth is needed): " + e, e);
        }
    }

    @Override
    public ShmHandle create(String name, long size, SegmentAccess access) {
        WindowsNames.refuseGroup(access.group());
        String object = WindowsNames.mappingName(namespace, name);
        MemorySegment sa = securityAttributes();
        try {
            Kernel32.Result<MemorySegment> r = k32.createFileMapping(object, size, sa);
            if (r.value().address() == 0) {
                if (r.lastError() == ERROR_ACCESS_DENIED && namespace.startsWith(WindowsNames.GLOBAL)) {
                    throw new LabHubException(ErrorCode.SEGMENT_INVALID, "CreateFileMappingW for " + object
                            + ": access denied; creating a mapping in Global\\ needs SeCreateGlobalPrivilege "
                            + "(a service or an administrator), or use windowsNamespace = Local");
                }
                throw WindowsErrors.failure("CreateFileMappingW", name, r.lastError());
            }
            if (r.lastError() == ERROR_ALREADY_EXISTS) {
                closeLogged(r.value(), name, "the existing mapping's handle");
                throw WindowsErrors.failure("CreateFileMappingW", name, ERROR_ALREADY_EXISTS);
            }
            return new WindowsHandle(name, r.value(), size);
        } catch (LabHubException e) {
            throw e;
        } catch (Throwable t) {
            throw new LabHubException(ErrorCode.INTERNAL, "CreateFileMappingW failed for " + name + ": " + t, t);
        }
    }

    @Override
    public ShmHandle open(String name) {
        String object = WindowsNames.mappingName(namespace, name);
        try {
            Kernel32.Result<MemorySegment> r = k32.openFileMapping(object);
            if (r.value().address() == 0) {
                throw WindowsErrors.failure("OpenFileMappingW", name, r.lastError());
            }
            long size;
            try {
                // the size of a mapping is the region size of a whole view of it (a multiple of the page size)
                Kernel32.Result<MemorySegment> view = k32.mapView(r.value(), false, 0, 0);
                if (view.value().address() == 0) {
                    throw WindowsErrors.failure("MapViewOfFile", name, view.lastError());
                }
                try {
                    size = k32.regionSize(view.value());
                } finally {
                    unmapLogged(view.value(), name);
                }
            } catch (Throwable t) {
                closeLogged(r.value(), name, "the mapping handle");
                throw t;
            }
            return new WindowsHandle(name, r.value(), size);
        } catch (LabHubException e) {
            throw e;
        } catch (Throwable t) {
            throw new LabHubException(ErrorCode.INTERNAL, "OpenFileMappingW failed for " + name + ": " + t, t);
        }
    }

    @Override
    public boolean unlink(String name) {
        return false; // the object goes with its last handle
    }

    @Override
    public List<String> list() {
        return List.of(); // kernel object names cannot be listed without NT native calls
    }

    @Override
    public WaitResult await(ShmHandle handle, int entry, MemorySegment word, int expected, long timeoutNanos) {
        MemorySegment event = ((WindowsHandle) handle).event(entry);
        if ((int) INT.getAcquire(word, 0L) != expected) {
            return WaitResult.CHANGED;
        }
        try {
            Kernel32.Result<Integer> r = k32.await(event, WindowsNames.waitMillis(timeoutNanos));
            return WindowsErrors.waitResult(r.value(), r.lastError());
        } catch (LabHubException e) {
            throw e;
        } catch (Throwable t) {
            throw new LabHubException(ErrorCode.INTERNAL, "WaitForSingleObject failed: " + t, t);
        }
    }

    @Override
    public void wake(ShmHandle handle, int entry, MemorySegment word) {
        WindowsHandle h = (WindowsHandle) handle;
        int error = k32.set(h.event(entry));
        if (error != 0) {
            LOG.warn("SetEvent for entry {} of segment {} failed, Windows error {}: that consumer sleeps until its "
                    + "block slice ends", entry, h.name, error);
        }
    }

    /** GetProcessHandleCount of this process, or -1 (the tests' leak check). */
    long handleCount() {
        try {
            return k32.handleCount();
        } catch (Throwable t) {
            return -1;
        }
    }

    private void closeLogged(MemorySegment handle, String segment, String what) {
        int error = k32.close(handle);
        if (error != 0) {
            LOG.warn("CloseHandle of {} of segment {} failed, Windows error {}", what, segment, error);
        }
    }

    private void unmapLogged(MemorySegment view, String segment) {
        int error = k32.unmap(view);
        if (error != 0) {
            LOG.warn("UnmapViewOfFile of a view of segment {} failed, Windows error {}", segment, error);
        }
    }

    /** A mapping handle, its views (one shared arena) and, made on first use, one event per consumer entry. */
    private final class WindowsHandle implements ShmHandle {
        private final String name;
        private final MemorySegment mapping;
        private final long size;
        private final Arena arena = Arena.ofShared();
        /** Entry i's event, or null until used; guarded by this. */
        private MemorySegment[] events = new MemorySegment[0];
        private boolean closed;

        WindowsHandle(String name, MemorySegment mapping, long size) {
            this.name = name;
            this.mapping = mapping;
            this.size = size;
        }

        /** Entry {@code entry}'s auto-reset event (created or opened by name). @throws IllegalStateException after close */
        synchronized MemorySegment event(int entry) {
            if (closed) {
                throw new IllegalStateException("segment " + name + " is closed");
            }
            if (entry >= events.length) {
                events = Arrays.copyOf(events, Math.max(entry + 1, events.length * 2));
            }
            MemorySegment event = events[entry];
            if (event == null) {
                String object = WindowsNames.eventName(namespace, name, entry);
                try {
                    Kernel32.Result<MemorySegment> r = k32.createAutoResetEvent(object, securityAttributes());
                    if (r.value().address() == 0) {
                        throw WindowsErrors.failure("CreateEventW", object, r.lastError());
                    }
                    event = r.value(); // ERROR_ALREADY_EXISTS: the other side made it first, the same object
                } catch (LabHubException e) {
                    throw e;
                } catch (Throwable t) {
                    throw new LabHubException(ErrorCode.INTERNAL, "CreateEventW failed for " + object + ": " + t, t);
                }
                events[entry] = event;
            }
            return event;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public long size() {
            return size;
        }

        @Override
        public synchronized MemorySegment map(long offset, long length, boolean writable) {
            if (closed) {
                throw new IllegalStateException("segment " + name + " is closed");
            }
            if (offset < 0 || length < 0 || offset + length > size) {
                throw new LabHubException(ErrorCode.SEGMENT_INVALID, "mapping [" + offset + ", +" + length
                        + ") lies outside segment " + name + " of " + size + " bytes");
            }
            long base = WindowsNames.alignDown(offset);
            long viewLength = offset - base + length;
            try {
                Kernel32.Result<MemorySegment> r = k32.mapView(mapping, writable, base, viewLength);
                if (r.value().address() == 0) {
                    throw WindowsErrors.failure("MapViewOfFile", name, r.lastError());
                }
                MemorySegment view = r.value().reinterpret(viewLength, arena, v -> unmapLogged(v, name));
                MemorySegment slice = view.asSlice(offset - base, length);
                return writable ? slice : slice.asReadOnly();
            } catch (LabHubException e) {
                throw e;
            } catch (Throwable t) {
                throw new LabHubException(ErrorCode.INTERNAL, "MapViewOfFile failed for " + name + ": " + t, t);
            }
        }

        @Override
        public void releaseDescriptor() {
            // the mapping handle keeps the object alive: it is released on close
        }

        @Override
        public synchronized void close() {
            if (closed) {
                return;
            }
            closed = true;
            try {
                arena.close(); // unmaps every view (each result logged)
            } catch (RuntimeException e) {
                LOG.warn("segment {}: its views could not be unmapped now: {}", name, e.toString());
            } finally {
                try {
                    for (MemorySegment event : events) {
                        if (event != null) {
                            closeLogged(event, name, "an entry's event");
                        }
                    }
                    events = new MemorySegment[0];
                } finally {
                    closeLogged(mapping, name, "the mapping");
                }
            }
        }
    }
}
