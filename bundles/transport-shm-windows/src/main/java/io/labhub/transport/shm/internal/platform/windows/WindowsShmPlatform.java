package io.labhub.transport.shm.internal.platform.windows;

import static io.labhub.transport.shm.internal.platform.windows.WindowsErrors.ERROR_ALREADY_EXISTS;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.List;

import io.labhub.api.ErrorCode;
import io.labhub.api.LabHubException;
import io.labhub.transport.shm.internal.platform.SegmentAccess;
import io.labhub.transport.shm.internal.platform.ShmHandle;
import io.labhub.transport.shm.internal.platform.ShmPlatform;

/**
 * Segments are pagefile-backed named mappings in the {@code Local\} namespace; waiting uses one named
 * manual-reset event per segment. A mapping disappears with its last handle, so {@link #unlink} has
 * nothing to do and a crashed producer leaves nothing behind. Owner-only access is the default
 * security descriptor of the creating process (owner, SYSTEM, administrators); the group option of
 * the transport does not apply here.
 *
 * <p>Waking: a waiter resets the event, re-checks the word, then waits; the producer sets the event.
 * A reset by a second waiter can swallow a wake meant for the first: that waiter then sleeps until
 * its wait slice ends (the ring bounds every wait by {@code blockSlice}), never longer.
 */
public final class WindowsShmPlatform implements ShmPlatform {

    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT;

    private final Kernel32 k32;

    /** @param ignored the directory of file-based platforms; Windows segments have no directory */
    public WindowsShmPlatform(Path ignored) {
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

    @Override
    public ShmHandle create(String name, long size, SegmentAccess access) {
        String object = WindowsNames.mappingName(name);
        try {
            Kernel32.Result<MemorySegment> r = k32.createFileMapping(object, size);
            if (r.value().address() == 0) {
                throw WindowsErrors.failure("CreateFileMappingW", name, r.lastError());
            }
            if (r.lastError() == ERROR_ALREADY_EXISTS) {
                k32.close(r.value());
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
        String object = WindowsNames.mappingName(name);
        try {
            Kernel32.Result<MemorySegment> r = k32.openFileMapping(object);
            if (r.value().address() == 0) {
                throw WindowsErrors.failure("OpenFileMappingW", name, r.lastError());
            }
            // the size of a mapping is the region size of a whole view of it
            Kernel32.Result<MemorySegment> view = k32.mapView(r.value(), false, 0, 0);
            if (view.value().address() == 0) {
                k32.close(r.value());
                throw WindowsErrors.failure("MapViewOfFile", name, view.lastError());
            }
            long size = k32.regionSize(view.value());
            k32.unmap(view.value());
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
        return List.of();
    }

    @Override
    public WaitResult await(ShmHandle handle, int entry, MemorySegment word, int expected, long timeoutNanos) {
        WindowsHandle h = (WindowsHandle) handle;
        MemorySegment event = h.event();
        k32.reset(event);
        if (word.get(INT, 0) != expected) {
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
        k32.set(((WindowsHandle) handle).event());
    }

    /** A mapping handle, its views (one shared arena) and, lazily, its event. */
    private final class WindowsHandle implements ShmHandle {
        private final String name;
        private final MemorySegment mapping;
        private final long size;
        private final Arena arena = Arena.ofShared();
        private MemorySegment event;
        private boolean closed;

        WindowsHandle(String name, MemorySegment mapping, long size) {
            this.name = name;
            this.mapping = mapping;
            this.size = size;
        }

        synchronized MemorySegment event() {
            if (event == null) {
                try {
                    Kernel32.Result<MemorySegment> r = k32.createEvent(WindowsNames.eventName(name));
                    if (r.value().address() == 0) {
                        throw WindowsErrors.failure("CreateEventW", name, r.lastError());
                    }
                    event = r.value();
                } catch (LabHubException e) {
                    throw e;
                } catch (Throwable t) {
                    throw new LabHubException(ErrorCode.INTERNAL, "CreateEventW failed: " + t, t);
                }
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
                MemorySegment view = r.value().reinterpret(viewLength, arena, k32::unmap);
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
            arena.close();
            if (event != null) {
                k32.close(event);
            }
            k32.close(mapping);
        }
    }
}
